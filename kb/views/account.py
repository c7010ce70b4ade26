"""The account pages under /account: password, email, two-factor sign-in, API tokens."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from kb import mail
from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.accounts import (
    ActionForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmCodeForm,
    PasswordCheckForm,
    TokenForm,
)
from kb.services import account_links, accounts, tokens, twofactor
from kb.urls import safe_next_url
from kb.views.auth import bp


def _account_page(status: int = 200, **forms: object):
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("email_form", ChangeEmailForm(formdata=None))
    return render_template("account/index.html", **forms), status


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(current_user, form.current_password.data,
                                            form.new_password.data)
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields)
        else:
            login_user(user)  # this browser stays signed in; every other session ends
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(422, password_form=form)


@bp.post("/account/email")
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            new_email = accounts.check_new_email(current_user, form.current_password.data,
                                                 form.new_email.data)
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields)
        else:
            token = account_links.email_change_token(current_user, new_email)
            mail.send(new_email, "email_change", locale=current_user.locale, user=current_user,
                      link=url_for("auth.confirm_email", token=token, _external=True))
            flash(_("We have sent a confirmation link to %(email)s. Your address changes when "
                    "you open it.", email=new_email), "info")
            return redirect(url_for("auth.account"))
    return _account_page(422, email_form=form)


@bp.get("/account/email/confirm/<token>")
def confirm_email(token: str):
    try:
        user, _old_email = account_links.confirm_email_change(token)
    except ValidationFailed as exc:
        return render_template("errors/error.html", status=400, message=exc.message,
                               fields={}), 400
    flash(_("Your email address is now %(email)s.", email=user.email), "success")
    return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))


@bp.get("/account/two-factor")
@login_required
def two_factor():
    user = current_user if current_user.totp_enabled else twofactor.start_setup(current_user)
    return render_template("account/two_factor.html", user=user,
                           uri=None if user.totp_enabled else twofactor.provisioning_uri(user),
                           confirm_form=ConfirmCodeForm(), password_form=PasswordCheckForm(),
                           codes_form=PasswordCheckForm(prefix="codes"),
                           next_url=safe_next_url(request.args.get("next")))


@bp.post("/account/two-factor")
@login_required
def two_factor_confirm():
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_setup(current_user, form.code.data)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            login_user(accounts.find_user(current_user.email))  # the session version moved on
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("account/recovery_codes.html", codes=codes,
                                   next_url=safe_next_url(request.args.get("next")))
    return redirect(url_for("auth.two_factor", next=safe_next_url(request.args.get("next"))))


@bp.post("/account/two-factor/disable")
@login_required
def two_factor_disable():
    form = PasswordCheckForm()
    try:
        if not form.validate_on_submit():
            raise ValidationFailed(_("Enter your current password."))
        twofactor.disable(current_user, form.password.data)
    except ValidationFailed as exc:
        flash(exc.message, "error")
    else:
        flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("auth.two_factor"))


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    form = PasswordCheckForm(prefix="codes")
    try:
        if not form.validate_on_submit():
            raise ValidationFailed(_("Enter your current password."))
        codes = twofactor.regenerate_recovery_codes(current_user, form.password.data)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("auth.two_factor"))
    return render_template("account/recovery_codes.html", codes=codes, next_url=None)


@bp.get("/account/tokens")
@login_required
def api_tokens():
    return render_template("account/tokens.html", form=TokenForm(), revoke_form=ActionForm(),
                           tokens=tokens.list_tokens(current_user), new_token=None)


@bp.post("/account/tokens")
@login_required
def create_api_token():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = tokens.create_token(current_user, current_user, form.name.data or "")
    return render_template("account/tokens.html", form=TokenForm(formdata=None),
                           revoke_form=ActionForm(), tokens=tokens.list_tokens(current_user),
                           new_token=new_token), 201 if new_token else 422


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    if ActionForm().validate_on_submit():
        tokens.revoke_token(current_user, token_id)
        flash(_("The token is revoked."), "success")
    return redirect(url_for("auth.api_tokens"))

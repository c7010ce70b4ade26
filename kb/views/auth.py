"""Sign in (with the second factor), register, sign out, and reset a forgotten password."""
from __future__ import annotations

import logging
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from kb import mail
from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.accounts import (
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    TwoFactorForm,
)
from kb.models import User
from kb.security import login_limits, post_limit, two_factor_limits
from kb.services import account_links, accounts, twofactor
from kb.urls import safe_next_url

bp = Blueprint("auth", __name__)
log = logging.getLogger("kb.security")

PENDING_SECONDS = 300


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    form = LoginForm()
    next_url = safe_next_url(request.args.get("next"))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            log.warning("login failed for %s", mask_email(form.email.data))
            flash(_("Email or password is not right."), "error")
        elif user.totp_enabled:
            session.clear()  # nothing from before the password survives: no fixation
            session["pending_2fa"] = {"u": user.id, "v": user.session_version, "t": time.time(),
                                      "r": bool(form.remember.data), "n": next_url}
            log.info("password accepted, second factor asked: user %s", user.id)
            return redirect(url_for("auth.login_two_factor"))
        else:
            return _complete_login(user, bool(form.remember.data), next_url)
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@two_factor_limits
def login_two_factor():
    pending = session.get("pending_2fa")
    if not pending or time.time() - pending.get("t", 0) > PENDING_SECONDS:
        session.pop("pending_2fa", None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        user = twofactor.verify_second_factor(pending["u"], form.code.data)
        if user is not None and user.session_version == pending["v"]:
            return _complete_login(user, pending["r"], pending["n"])
        log.warning("second factor refused: user %s", pending["u"])
        add_field_errors(form, {"code": [_("That code is not right.")]})
    return render_template("auth/two_factor.html", form=form)


def _complete_login(user: User, remember: bool, next_url: str | None):
    session.clear()  # a fresh session and a fresh CSRF token at each sign-in
    login_user(user, remember=remember)
    accounts.record_login(user)
    if twofactor.is_required(user, current_app.config.get("REQUIRE_2FA_FOR_STAFF", False)):
        flash(_("Your role requires two-factor sign-in. Please set it up now."), "info")
        return redirect(url_for("auth.two_factor", next=next_url))
    return redirect(next_url or url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
@post_limit("RATELIMIT_REGISTER")
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(accounts.Registration(
                form.name.data, form.email.data, form.password.data, form.organization.data,
                form.organization_type.data, form.organization_level.data,
                form.organization_country.data or None))
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields or {"email": [exc.message]})
        else:
            session.clear()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("public.home"))
    return render_template("auth/register.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_sessions(current_user)
    log.info("logout: user %s", current_user.id)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@post_limit("RATELIMIT_PASSWORD_RESET")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if user is not None and user.is_active and user.password_hash:
            link = url_for("auth.reset_password", token=account_links.reset_token(user),
                           _external=True)
            mail.send(user.email, "password_reset", locale=user.locale, user=user, link=link)
        log.info("password reset asked for %s", mask_email(form.email.data))
        # The same answer whether or not the address is known: no account discovery.
        flash(_("If an account uses this address, we have sent it a link to choose a new "
                "password. The link works once, for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if account_links.user_for_reset(token) is None:
        return render_template("auth/reset_password.html", form=None), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            account_links.reset_password(token, form.new_password.data or "")
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields or {"new_password": [exc.message]})
        else:
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


def mask_email(address: str | None) -> str:
    """Return enough of an address to follow an incident in the log, not the address itself."""
    name, _sep, domain = (address or "").strip().lower().partition("@")
    return f"{name[:1]}***@{domain[:60]}" if domain else "(no address)"


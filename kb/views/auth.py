"""Sign in, register, sign out."""
from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from kb import db
from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.accounts import LoginForm, RegisterForm
from kb.services import accounts
from kb.urls import safe_next_url

bp = Blueprint("auth", __name__)
log = logging.getLogger("kb.security")


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if accounts.verify_password(user, form.password.data) and user.is_active:
            session.clear()
            login_user(user, remember=form.remember.data)
            log.info("login succeeded for user %s", user.id)
            return redirect(safe_next_url(request.args.get("next")) or url_for("public.home"))
        log.warning("login failed")
        flash(_("Email or password is not right."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
def register():  # noqa: ANN201
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with db.write_transaction():
                org = accounts.get_or_create_organization(
                    form.organization.data, form.organization_type.data,
                    form.organization_level.data, form.organization_country.data or None)
                user = accounts.create_user(form.email.data, form.name.data, form.password.data,
                                            organization=org)
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields)
        else:
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("public.home"))
    return render_template("auth/register.html", form=form)


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.home"))


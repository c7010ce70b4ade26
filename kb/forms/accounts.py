"""Account forms: sign in, second factor, register, password and email changes, tokens, roles."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from kb.forms import SelectField, choices

PASSWORD_HINT = _l("At least 12 characters. A few unrelated words make a strong password; "
                   "common passwords are refused.")


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=1024)],
                         description=PASSWORD_HINT)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=1024)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class TwoFactorForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=40)])


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = _new_password(_l("Password"))
    organization = StringField(_l("Organization"), validators=[DataRequired(), Length(max=200)])
    organization_type = SelectField(_l("Type of organization"), validators=[DataRequired()])
    organization_level = SelectField(_l("Level"), validators=[DataRequired()])
    organization_country = SelectField(_l("Country"), default="")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A required select's empty first option needs a label (HTML: placeholder option).
        self.organization_type.choices = choices("stakeholder", _("Choose one"))
        self.organization_level.choices = choices("level", _("Choose one"))
        self.organization_country.choices = choices("country", "—")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = _new_password(_l("New password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=1024)])
    new_password = _new_password(_l("New password"))


class ChangeEmailForm(FlaskForm):
    # Shown on the same page as ChangePasswordForm: its own id, so each label finds its field.
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=1024)],
                                     id="email-current_password")
    new_email = EmailField(_l("New email"), validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmCodeForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"),
                       validators=[DataRequired(), Length(max=12)])


class PasswordCheckForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[Length(max=100)],
                       description=_l("To tell your tokens apart, e.g. the script that uses it."))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


ROLE_LABELS = (("submitter", _l("Submitter")), ("reviewer", _l("Reviewer")),
               ("admin", _l("Administrator")))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = list(ROLE_LABELS)


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Name, email or organization"), validators=[Length(max=200)])
    role = SelectField(_l("Role"))
    status = SelectField(_l("Status"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [("", _l("Any role")), *ROLE_LABELS]
        self.status.choices = [("", _l("Any status")), ("active", _l("Active")),
                               ("inactive", _l("Deactivated"))]

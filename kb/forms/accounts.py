"""Account forms: sign in, register."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from kb.forms import choices


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=12, max=256)],
        description=_l("At least 12 characters. A few unrelated words make a strong password."))
    organization = StringField(_l("Organization"), validators=[DataRequired(), Length(max=200)])
    organization_type = SelectField(_l("Type of organization"), validators=[DataRequired()])
    organization_level = SelectField(_l("Level"), validators=[DataRequired()])
    organization_country = SelectField(_l("Country"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.organization_type.choices = choices("stakeholder", "")
        self.organization_level.choices = choices("level", "")
        self.organization_country.choices = choices("country", "—")

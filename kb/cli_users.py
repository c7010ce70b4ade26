"""`kb users ...`: create accounts and API tokens from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from kb import db
from kb.errors import ValidationFailed
from kb.services import accounts, tokens

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(accounts.ROLES), default="submitter", show_default=True)
@click.option("--name", default="", help="Display name (defaults to the email).")
@click.option("--organization", default="", help="Organization name (created if new).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input "
                                                      "instead of prompting.")
@click.option("--internal", is_flag=True, help="Mark a reviewer or admin as internal (UN): "
                                               "counts toward KB_REVIEWS_INTERNAL_REQUIRED.")
def create_user(email: str, role: str, name: str, organization: str, password_stdin: bool,
                internal: bool) -> None:
    """Create an account with a role."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with db.write_transaction():
            org = accounts.get_or_create_organization(organization) if organization else None
            user = accounts.create_user(email, name or email, password, role=role,
                                        organization=org, internal=internal)
    except ValidationFailed as exc:
        detail = "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message
        raise click.ClickException(detail) from None
    kind = f"internal {role}" if user.internal else role
    click.echo(f"Created {kind} {user.email} (id {user.id}).")


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to tell this token apart later.")
def create_token(email: str, name: str) -> None:
    """Print a new API token for EMAIL, alone on the last line."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}.")
    if not user.is_active:
        raise click.ClickException(f"The account {email} is deactivated.")
    token = tokens.create_token(user, user, name)
    click.echo("Store this token now; it is not shown again.", err=True)
    click.echo(token)

"""`kb mail send`: deliver the pending messages of the outbox (from cron or a systemd timer)."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from kb import db, mail
from kb.models import OutboxMessage

mail_cli = AppGroup("mail", help="The outgoing mail outbox.")


@mail_cli.command("send")
@click.option("--all", "everything", is_flag=True,
              help="Also retry the messages still waiting for their next attempt.")
def send_command(everything: bool) -> None:
    """Deliver the pending messages that are due; exit 1 if any delivery failed."""
    outcome = mail.deliver(due_only=not everything)
    pending = db.get_session().scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
    click.echo(f"Sent {outcome.sent} message(s); {outcome.failed} failed; "
               f"{pending} pending.")
    if outcome.failed:
        raise SystemExit(1)

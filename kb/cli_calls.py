"""`flask --app wsgi kb calls ...`: jobs for calls for practices (run from cron)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

calls_cli = AppGroup("calls", help="Calls for practices.")


@calls_cli.command("notify-closed")
def notify_closed_command() -> None:
    """Mail reviewers and admins once about each call that has closed (safe to run often)."""
    from kb.services import calls

    told = calls.notify_closed()
    for call, waiting in told:
        click.echo(f"{call.slug}: {waiting} waiting for review; reviewers and admins told.")
    if not told:
        click.echo("No newly closed call.")

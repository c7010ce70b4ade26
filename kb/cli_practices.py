"""`kb practices ...`: scheduled work on published practices (review reminders)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from kb.services import living

practices = AppGroup("practices", help="Keep published practices current.")


@practices.command("remind")
def remind_command() -> None:
    """Email the submitter of each practice due for review (at most once per review period).

    Safe to run from cron as often as you like, even on several machines at once.
    """
    base_url = current_app.config.get("BASE_URL")
    if not base_url:
        click.echo("KB_BASE_URL is not set: links in the reminders point to http://localhost.",
                   err=True)
    # Links in the mail are absolute: build them as if serving a request to the public site.
    with current_app.test_request_context("/", base_url=base_url or "http://localhost"):
        report = living.remind()
    for line in report.lines():
        click.echo(line)

"""`flask --app wsgi kb ...` commands: thin wrappers that call services and report progress."""
from __future__ import annotations

import sys
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

kb_cli = AppGroup("kb", help="Manage the Repository of Practices.")


def init_app(app: Flask) -> None:
    """Register the `kb` command group and its sub-groups."""
    from kb import cli_calls, cli_index, cli_mail, cli_practices, cli_records, cli_users

    kb_cli.add_command(cli_users.users)
    kb_cli.add_command(cli_index.index)
    kb_cli.add_command(cli_mail.mail_cli)
    kb_cli.add_command(cli_practices.practices)
    kb_cli.add_command(cli_calls.calls_cli)
    kb_cli.add_command(cli_records.import_command)
    kb_cli.add_command(cli_records.export_command)
    app.cli.add_command(kb_cli)


@kb_cli.command("init")
@click.option("--demo", is_flag=True, help="Also load the illustrative demo repository and "
                                            "demo accounts.")
@click.option("--url", default=None, help="Where the site will be served, for the closing "
                                          "summary (make run passes it).")
def init_command(demo: bool, url: str | None) -> None:
    """Create or upgrade the schema, optionally load demo data, and build the index."""
    from flask import current_app

    from kb import migrate
    from kb.services import indexing

    migrate.upgrade(current_app)
    click.echo("Schema is up to date.")
    accounts: list[str] = []
    if demo:
        from kb import demo as demo_data

        report = demo_data.load()
        for line in report.lines():
            click.echo(line)
        accounts = report.account_lines()
    count = indexing.rebuild(progress=progress_bar("Indexing"))
    click.echo(f"Search index ready: {count} published practices.")
    if url or accounts:
        # The last thing printed before the server starts: easy to find above its log.
        rule = "=" * 72
        click.echo("\n".join(["", rule, *([f"  Open {url}"] if url else []), *accounts,
                              rule, ""]))


def progress_bar(label: str):
    """Return a callback that draws a progress bar on stderr: (done, total) -> None."""
    state: dict[str, Any] = {"done": 0, "bar": None, "closed": False}

    def update(done: int, total: int | None) -> None:
        if state["closed"]:
            return
        if state["bar"] is None:
            bar = click.progressbar(length=total or 0, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        state["bar"].update(done - state["done"])
        state["done"] = done
        if total is not None and done >= total:
            state["bar"].__exit__(None, None, None)
            state["closed"] = True

    return update

"""`kb index check|sync|rebuild`: compare and repair the search index against the database."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from kb.services import indexing

index = AppGroup("index", help="Check, repair or rebuild the search index.")


def _describe(drift: indexing.Drift) -> str:
    return (f"{len(drift.missing)} missing, {len(drift.stale)} out of date, "
            f"{len(drift.orphans)} orphaned")


@index.command("check")
def check_command() -> None:
    """Report drift between the database and the index; exit 1 if there is any."""
    drift = indexing.check()
    if drift.clean:
        click.echo("Index matches the database.")
        return
    click.echo(f"Drift: {_describe(drift)}.")
    for label, ids in (("missing", drift.missing), ("out of date", drift.stale),
                       ("orphaned", drift.orphans)):
        if ids:
            shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
            click.echo(f"  {label}: {shown}")
    raise SystemExit(1)


@index.command("sync")
def sync_command() -> None:
    """Apply every pending difference to the index."""
    drift = indexing.sync()
    click.echo("Nothing to repair." if drift.clean else f"Repaired: {_describe(drift)}.")


@index.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index beside the live one and swap it in."""
    from kb.cli import progress_bar

    count = indexing.rebuild(progress=progress_bar("Rebuilding"))
    click.echo(f"Rebuilt the index with {count} published practices.")

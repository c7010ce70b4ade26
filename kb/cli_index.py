"""`kb index check|sync|rebuild`: compare and repair the search index against the database."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from kb.search import RebuildRunning
from kb.services import indexing

index = AppGroup("index", help="Check, repair or rebuild the search index.")


def _describe(drift: indexing.Drift) -> str:
    return (f"{len(drift.missing)} missing, {len(drift.stale)} out of date, "
            f"{len(drift.orphans)} orphaned")


@index.command("check")
def check_command() -> None:
    """Read the whole index back and compare it with the database; exit 1 on any problem."""
    problems = indexing.get_index().verify()
    if problems:
        click.echo(f"Damaged: {len(problems)} problem(s); `kb index sync` rebuilds the index.")
        for problem in problems[:20]:
            click.echo(f"  {problem}")
        raise SystemExit(1)
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
    """Rebuild a missing or damaged index, then apply every pending difference."""
    problems = indexing.repair(indexing.get_index(), wait=True)
    if problems:
        click.echo(f"Rebuilt the index: {problems[0]}")
    drift = indexing.sync()
    click.echo("Nothing to repair." if drift.clean and not problems
               else f"Repaired: {_describe(drift)}.")


@index.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index beside the live one and swap it in (one at a time)."""
    from kb.cli import progress_bar

    try:
        count = indexing.rebuild(progress=progress_bar("Rebuilding"), wait=False)
    except RebuildRunning:
        click.echo("A rebuild is already running in another process; waiting for it to finish.")
        indexing.get_index().wait_for_rebuild()
        click.echo("The other rebuild has finished; the index is up to date.")
        return
    click.echo(f"Rebuilt the index with {count} published practices.")

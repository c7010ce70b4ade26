"""`kb import FILE.json` and `kb export FILE.json`."""
from __future__ import annotations

import json
import os
import tempfile

import click
from flask.cli import with_appcontext

from kb.services import indexing, transfer


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(path: str) -> None:
    """Load practice records (a JSON list, or {"practices": [...]}) as published practices.

    Every record is read; invalid ones and titles already present are skipped and reported by
    reason. Exits with status 1 when any record was skipped.
    """
    from kb.cli import progress_bar

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise click.ClickException(f"{path} is not valid UTF-8 JSON: {exc}") from None
    records = data.get("practices") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise click.ClickException("Expected a JSON list of practice records, or an object "
                                   "with a \"practices\" list.")
    try:
        report = transfer.import_records(records, total=len(records),
                                         progress=progress_bar("Importing"))
    finally:
        indexing.sync()  # whatever was stored is searchable, even after an interruption
    for line in report.lines():
        click.echo(line)
    if report.skipped:
        raise click.exceptions.Exit(1)


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(path: str) -> None:
    """Write every published practice's full record to PATH as JSON."""
    folder = os.path.dirname(os.path.abspath(path))
    count = 0
    # Write beside the target and rename, so a failed export never leaves half a file.
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False,
                                     suffix=".tmp") as fh:
        fh.write('{"practices": [\n')
        for record in transfer.export_records():
            fh.write((",\n" if count else "") + json.dumps(record, ensure_ascii=False))
            count += 1
        fh.write("\n]}\n")
    os.replace(fh.name, path)
    click.echo(f"Exported {count} practice(s) to {path}.")

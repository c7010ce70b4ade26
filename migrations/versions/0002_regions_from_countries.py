"""regions follow countries: add the regions implied by each practice's countries

A practice's regions are those it names plus those of its countries (kb.taxonomy's
country-to-region mapping); kb.services.records stores them so on every write. This brings
existing rows in line, and queues an index change for each practice it touches so the
search index (facets, coverage, stats) picks the new regions up.

Revision ID: 0002_regions_from_countries
Revises: 0001
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa

from kb.taxonomy import COUNTRY_REGIONS

revision = '0002_regions_from_countries'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_implied_regions(op.get_bind())


def add_implied_regions(conn: sa.Connection) -> None:
    """Insert the missing implied regions and queue an index change per practice touched."""
    countries = conn.execute(sa.text(
        "SELECT practice_id, code FROM practice_countries")).all()
    regions = {(pid, code) for pid, code in conn.execute(sa.text(
        "SELECT practice_id, code FROM practice_regions")).all()}
    missing = sorted({(pid, region) for pid, country in countries
                      for region in COUNTRY_REGIONS.get(country, ())} - regions)
    if not missing:
        return
    conn.execute(sa.text("INSERT INTO practice_regions (practice_id, code) VALUES (:p, :c)"),
                 [{"p": pid, "c": code} for pid, code in missing])
    changes = sa.table("index_changes", sa.column("practice_id", sa.Integer),
                       sa.column("created_at", sa.DateTime))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC, as kb.db.UTCDateTime stores
    conn.execute(changes.insert(), [{"practice_id": pid, "created_at": now}
                                    for pid in sorted({pid for pid, _ in missing})])


def downgrade() -> None:
    # Implied regions cannot be told from named ones once stored: nothing to undo.
    pass

"""practice title key: an indexed, case-folded title for the duplicate check of `kb import`

Without it every imported record scanned the whole practices table (lower(title) = ...) to
refuse a duplicate title, so a large import slowed down as it went (issue 11 part 6). The key
is the title with spaces collapsed and Unicode case folded (kb.models.practices.title_key),
which also makes "MIGRACIÓN" match "migración" on SQLite, whose lower() is ASCII-only.

Revision ID: 0003_practice_title_key
Revises: 0002_regions_from_countries
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_practice_title_key'
down_revision = '0002_regions_from_countries'
branch_labels = None
depends_on = None


def _key(title: str) -> str:
    # A copy of kb.models.practices.title_key as it is at this revision.
    return " ".join(title.split()).casefold()


def upgrade() -> None:
    op.add_column("practices", sa.Column("title_key", sa.String(800), nullable=False,
                                         server_default=""))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, title FROM practices")).all()
    if rows:
        conn.execute(sa.text("UPDATE practices SET title_key = :k WHERE id = :i"),
                     [{"k": _key(title or ""), "i": pid} for pid, title in rows])
    op.create_index("ix_practices_title_key", "practices", ["title_key"])


def downgrade() -> None:
    op.drop_index("ix_practices_title_key", table_name="practices")
    with op.batch_alter_table("practices") as batch:
        batch.drop_column("title_key")

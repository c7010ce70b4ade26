"""users.internal: reviewer accounts an admin marks internal (UN) for the review quota

Revision ID: 0007_user_internal_flag
Revises: 0006_calls_collections
Create Date: 2026-11-29 19:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_user_internal_flag'
down_revision = '0006_calls_collections'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('internal', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('internal')

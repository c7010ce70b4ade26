"""living practices: update requests, review reminders, contactable focal points, Reply-To

Revision ID: 0005_living_practices
Revises: 0004_mail_outbox
Create Date: 2026-11-29 16:30:00
"""
from alembic import op
import sqlalchemy as sa
import kb.db


revision = '0005_living_practices'
down_revision = '0004_mail_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_contactable', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('update_requested_at', kb.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('update_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('update_request_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('review_reminded_at', kb.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_practices_update_requested_at'),
                              ['update_requested_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_practices_update_requested_by_id_users'),
                                    'users', ['update_requested_by_id'], ['id'])
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_practices_update_requested_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_practices_update_requested_at'))
        batch_op.drop_column('review_reminded_at')
        batch_op.drop_column('update_request_comment')
        batch_op.drop_column('update_requested_by_id')
        batch_op.drop_column('update_requested_at')
        batch_op.drop_column('contact_contactable')

"""peer review by several reviewers: review rows, the practice's review round

Revision ID: 0008_peer_reviews
Revises: 0007_user_internal_flag
Create Date: 2026-11-29 19:50:00
"""
from alembic import op
import sqlalchemy as sa
import kb.db


revision = '0008_peer_reviews'
down_revision = '0007_user_internal_flag'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('no_conflict', sa.Boolean(), nullable=False),
    sa.Column('recommendation', sa.String(length=20), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('reserved_until', kb.db.UTCDateTime(), nullable=True),
    sa.Column('claimed_at', kb.db.UTCDateTime(), nullable=True),
    sa.Column('recommended_at', kb.db.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_at', kb.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_reviews_practice_id_practices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('practice_id', 'round', 'reviewer_id', name=op.f('uq_reviews_practice_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_reviewer_id'), ['reviewer_id'], unique=False)
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_round', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('reviewers_added', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_column('reviewers_added')
        batch_op.drop_column('review_round')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_practice_id'))
    op.drop_table('reviews')

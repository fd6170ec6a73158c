"""review rounds and reviewer kinds: an assignment belongs to a round and may have a kind; a round begun
by a transition is a row of review_rounds (round 1 needs none)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 12:40:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=True))
        batch_op.drop_constraint('uq_review_assignments_pair', type_='unique')
        batch_op.create_unique_constraint('uq_review_assignments_seat', ['application_id', 'reviewer_id', 'round'])
    op.create_table('review_rounds',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('started_at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_review_rounds_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'round', name=op.f('pk_review_rounds'))
    )


def downgrade() -> None:
    op.drop_table('review_rounds')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_review_assignments_seat', type_='unique')
        batch_op.create_unique_constraint('uq_review_assignments_pair', ['application_id', 'reviewer_id'])
        batch_op.drop_column('kind')
        batch_op.drop_column('round')

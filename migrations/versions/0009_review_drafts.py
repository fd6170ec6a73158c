"""review drafts and the reviewers' confidentiality pledge

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:00:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('draft_saved_at', workflow.db.UTCDateTime(), nullable=True))
    op.create_table('reviewer_pledges',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('accepted_at', workflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviewer_pledges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reviewer_pledges'))
    )


def downgrade() -> None:
    op.drop_table('reviewer_pledges')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_column('draft_saved_at')
        batch_op.drop_column('draft')

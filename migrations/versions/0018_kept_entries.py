"""kept entries: what an applicant typed that a field refused, shown again after a reload

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 12:55:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import workflow.db


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kept_entries',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entries', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', workflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_kept_entries_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'user_id', name=op.f('pk_kept_entries'))
    )


def downgrade() -> None:
    op.drop_table('kept_entries')

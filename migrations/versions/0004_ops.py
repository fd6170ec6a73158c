"""ops: worker heartbeats and the last run of each periodic command (readiness, operations page)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:50:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_heartbeats',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('queue', sa.String(length=80), nullable=False),
    sa.Column('started_at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('beat_at', workflow.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats'))
    )
    op.create_table('ops_runs',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('started_at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ops_runs'))
    )


def downgrade() -> None:
    op.drop_table('ops_runs')
    op.drop_table('worker_heartbeats')

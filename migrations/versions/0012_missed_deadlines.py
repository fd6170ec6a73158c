"""missed deadlines: one row per deadline timer that fired, with its program and due time, so the
statistics dashboard counts them without joining the timers to their applications (backfilled)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 11:35:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('missed_deadlines',
    sa.Column('timer_id', sa.Integer(), nullable=False),
    sa.Column('program_key', sa.String(length=80), nullable=False),
    sa.Column('due_at', workflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['timer_id'], ['timers.id'], name=op.f('fk_missed_deadlines_timer_id_timers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('timer_id', name=op.f('pk_missed_deadlines'))
    )
    op.create_index('ix_missed_deadlines_count', 'missed_deadlines', ['program_key', 'due_at'], unique=False)
    # the deadlines that already fired, exactly as the timers and their applications say
    op.execute(
        "INSERT INTO missed_deadlines (timer_id, program_key, due_at) "
        "SELECT timers.id, applications.program_key, timers.due_at "
        "FROM timers JOIN applications ON applications.id = timers.application_id "
        "WHERE timers.kind = 'deadline' AND timers.status = 'fired'"
    )


def downgrade() -> None:
    op.drop_index('ix_missed_deadlines_count', table_name='missed_deadlines')
    op.drop_table('missed_deadlines')

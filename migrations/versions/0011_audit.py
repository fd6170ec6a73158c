"""audit: events record the row version and a detail; staff chain, daily digests, read log, verification runs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import workflow.db
from workflow.models.types import JSONType

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

APPEND_ONLY = ("staff_events", "audit_digests", "read_log")


def upgrade() -> None:
    op.add_column('history_events', sa.Column('row_version', sa.Integer(), nullable=True))
    op.add_column('history_events', sa.Column('detail', JSONType, nullable=True))
    op.create_table('staff_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=True),
    sa.Column('program_key', sa.String(length=80), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_events')),
    sa.UniqueConstraint('seq', name=op.f('uq_staff_events_seq'))
    )
    op.create_index(op.f('ix_staff_events_user_id'), 'staff_events', ['user_id'], unique=False)
    op.create_table('audit_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('chains', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('heads_hash', sa.String(length=64), nullable=False),
    sa.Column('heads', JSONType, nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_digests')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_digests_seq'))
    )
    op.create_index(op.f('ix_audit_digests_day'), 'audit_digests', ['day'], unique=False)
    op.create_table('read_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('program_key', sa.String(length=80), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=255), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_read_log'))
    )
    op.create_index('ix_read_log_at', 'read_log', ['at'], unique=False)
    op.create_index(op.f('ix_read_log_user_id'), 'read_log', ['user_id'], unique=False)
    op.create_index(op.f('ix_read_log_application_id'), 'read_log', ['application_id'], unique=False)
    op.create_table('audit_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_key', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('faults', JSONType, nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('created_at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', workflow.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_audit_runs_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_runs'))
    )
    for table in APPEND_ONLY:
        append_only(table)
    _staff_baseline()


def _staff_baseline() -> None:
    """The roles and switched-off accounts that exist now open the staff chain (actor: this migration)."""
    from workflow.audit.staff import staff_hash

    bind = op.get_bind()
    users = dict(bind.execute(sa.text("SELECT id, name FROM users")).all())
    changes = [
        ("grant", user_id, role, program_key)
        for user_id, role, program_key in bind.execute(
            sa.text("SELECT user_id, role, program_key FROM user_roles ORDER BY id")
        )
    ]
    changes += [
        ("deactivate", user_id, None, None)
        for (user_id,) in bind.execute(sa.text("SELECT id FROM users WHERE NOT active ORDER BY id"))
    ]
    previous, now = "", datetime.now(UTC)
    table = sa.table(*(sa.column(n) for n in (
        "seq", "action", "user_id", "user_name", "role", "program_key", "actor_id", "actor_name", "at",
        "prev_hash", "hash",
    )))
    for seq, (action, user_id, role, program_key) in enumerate(changes, start=1):
        event = {
            "seq": seq, "action": action, "user_id": user_id, "user_name": users[user_id], "role": role,
            "program_key": program_key, "actor_id": None, "actor_name": "migration 0011", "at": now,
            "prev_hash": previous,
        }
        event["hash"] = previous = staff_hash(event)
        bind.execute(table.insert().values(**{**event, "at": now.replace(tzinfo=None)}))


def append_only(table: str) -> None:
    """The database itself refuses UPDATE and DELETE (as for the history and the ledger)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql""")
        op.execute(f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
                       FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
                           BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""")


def drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def downgrade() -> None:
    for table in APPEND_ONLY:
        drop_append_only(table)
    op.drop_table('audit_runs')
    op.drop_index(op.f('ix_read_log_application_id'), table_name='read_log')
    op.drop_index(op.f('ix_read_log_user_id'), table_name='read_log')
    op.drop_index('ix_read_log_at', table_name='read_log')
    op.drop_table('read_log')
    op.drop_index(op.f('ix_audit_digests_day'), table_name='audit_digests')
    op.drop_table('audit_digests')
    op.drop_index(op.f('ix_staff_events_user_id'), table_name='staff_events')
    op.drop_table('staff_events')
    with op.batch_alter_table('history_events') as batch_op:
        batch_op.drop_column('detail')
        batch_op.drop_column('row_version')

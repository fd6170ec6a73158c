"""accounts: session generation and e-mail verification per user; notices addressed to one user

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('users', sa.Column('email_verified_at', workflow.db.UTCDateTime(), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")  # accounts made before this were trusted
    op.add_column('outbox', sa.Column('user_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_outbox_user_id'), 'outbox', ['user_id'], unique=False)
    _application_id_nullable(True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE application_id IS NULL")
    _application_id_nullable(False)
    op.drop_index(op.f('ix_outbox_user_id'), table_name='outbox')
    op.drop_column('outbox', 'user_id')
    op.drop_column('users', 'email_verified_at')
    op.drop_column('users', 'session_generation')


def _application_id_nullable(nullable: bool) -> None:
    """An account notice (password reset, address check) has no application.

    SQLite cannot alter a column, and rebuilding `outbox` would cascade-delete every delivery, letter and
    notification that references it (foreign keys are on). Dropping or adding a NOT NULL constraint does
    not change what is on disk, so the stored CREATE TABLE is edited in place, the procedure SQLite's
    documentation gives for such changes (https://sqlite.org/lang_altertable.html#otheralter)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.alter_column('outbox', 'application_id', existing_type=sa.Integer(), nullable=nullable)
        return
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type='table' AND name='outbox'").scalar()
    strict, loose = "application_id INTEGER NOT NULL", "application_id INTEGER"
    old, new = (strict, loose) if nullable else (loose + ",", strict + ",")
    assert old in sql, sql
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type='table' AND name='outbox'", (sql.replace(old, new, 1),)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")

"""application counts: applications per program and state, kept by triggers in the transaction that
inserts, moves or deletes an application, so the board's tabs read a few rows instead of counting every
application of the program (16 slots per state, by application id, so concurrent moves rarely wait on
the same row); the board pages by (program_key, id) from an index (backfilled)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 13:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SLOTS = 16  # workflow/models/applications.py: COUNT_SLOTS


def _change(sign: str, row: str) -> str:
    """SQL adding `sign`1 to the counter of `row` (NEW or OLD)."""
    return (
        f"INSERT INTO application_counts (program_key, state, slot, n) "
        f"VALUES ({row}.program_key, {row}.state, {row}.id % {SLOTS}, {sign}1) "
        f"ON CONFLICT (program_key, state, slot) DO UPDATE SET n = application_counts.n {sign} 1;"
    )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table('application_counts',
    sa.Column('program_key', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=80), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('program_key', 'state', 'slot', name=op.f('pk_application_counts'))
    )
    op.create_index('ix_applications_program_id', 'applications', ['program_key', 'id'], unique=False)
    op.execute(
        f"INSERT INTO application_counts (program_key, state, slot, n) "
        f"SELECT program_key, state, id % {SLOTS}, count(*) FROM applications "
        f"GROUP BY program_key, state, id % {SLOTS}"
    )
    moved = "OLD.program_key IS DISTINCT FROM NEW.program_key OR OLD.state IS DISTINCT FROM NEW.state"
    if postgres:
        # a move takes the two counters in one order (by program and state): two moves the opposite way
        # between the same two states never wait on each other's second counter (no deadlock)
        op.execute(f"""
            CREATE OR REPLACE FUNCTION applications_count() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                {_change('+', 'NEW')}
              ELSIF TG_OP = 'DELETE' THEN
                {_change('-', 'OLD')}
              ELSIF (OLD.program_key, OLD.state) < (NEW.program_key, NEW.state) THEN
                {_change('-', 'OLD')}
                {_change('+', 'NEW')}
              ELSE
                {_change('+', 'NEW')}
                {_change('-', 'OLD')}
              END IF;
              RETURN NULL;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER applications_count_insert_delete AFTER INSERT OR DELETE ON applications
                      FOR EACH ROW EXECUTE FUNCTION applications_count()""")
        op.execute(f"""CREATE TRIGGER applications_count_move AFTER UPDATE OF program_key, state ON applications
                       FOR EACH ROW WHEN ({moved}) EXECUTE FUNCTION applications_count()""")
    else:
        op.execute(f"""CREATE TRIGGER applications_count_insert AFTER INSERT ON applications
                       BEGIN {_change('+', 'NEW')} END""")
        op.execute(f"""CREATE TRIGGER applications_count_delete AFTER DELETE ON applications
                       BEGIN {_change('-', 'OLD')} END""")
        op.execute(f"""CREATE TRIGGER applications_count_move AFTER UPDATE OF program_key, state ON applications
                       WHEN {moved.replace('IS DISTINCT FROM', 'IS NOT')}
                       BEGIN {_change('-', 'OLD')} {_change('+', 'NEW')} END""")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS applications_count_move ON applications")
        op.execute("DROP TRIGGER IF EXISTS applications_count_insert_delete ON applications")
        op.execute("DROP FUNCTION IF EXISTS applications_count()")
    else:
        for name in ("move", "insert", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS applications_count_{name}")
    op.drop_index('ix_applications_program_id', table_name='applications')
    op.drop_table('application_counts')

"""board sort columns: the key fields' title and amount, the open deadline of the current step and the
applicant's name kept on the application row (the engine writes the first three with the data, state
and timers; a trigger follows a renamed user), each with an index on (program_key, column, id) so that
every order of the board is read from an index; the step index gains the id (a tab in number order);
existing rows are filled: the title and amount from their own rule file's snapshot

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 09:00:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

SORTED = ("key_title", "key_amount", "open_deadline", "applicant_name", "updated_at")
# the deadline the board showed until now: the latest deadline timer of the current state not cancelled
OPEN_DEADLINE = (
    "SELECT max(t.due_at) FROM timers t WHERE t.application_id = applications.id AND t.kind = 'deadline' "
    "AND t.state = applications.state AND t.status != 'cancelled'"
)
BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('key_title', sa.Text(), nullable=True))
        batch.add_column(sa.Column('key_amount', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('open_deadline', workflow.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('applicant_name', sa.String(length=200), server_default='', nullable=False))
    op.execute(
        "UPDATE applications SET applicant_name = "
        "coalesce((SELECT u.name FROM users u WHERE u.id = applications.applicant_id), '')"
    )
    op.execute(
        f"UPDATE applications SET open_deadline = ({OPEN_DEADLINE}) WHERE id IN "
        "(SELECT application_id FROM timers WHERE kind = 'deadline' AND status != 'cancelled')"
    )
    _fill_key_fields(bind)
    op.drop_index('ix_applications_program_state', table_name='applications')
    op.create_index('ix_applications_program_state', 'applications', ['program_key', 'state', 'id'], unique=False)
    for name in SORTED:
        op.create_index(f'ix_applications_program_{name}', 'applications', ['program_key', name, 'id'], unique=False)
    if postgres:
        op.execute("""
            CREATE OR REPLACE FUNCTION applications_applicant_name() RETURNS trigger AS $$
            BEGIN
              UPDATE applications SET applicant_name = NEW.name WHERE applicant_id = NEW.id;
              RETURN NULL;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER users_applicant_name AFTER UPDATE OF name ON users FOR EACH ROW
                      WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION applications_applicant_name()""")
    else:
        op.execute("""CREATE TRIGGER users_applicant_name AFTER UPDATE OF name ON users
                      WHEN OLD.name IS NOT NEW.name
                      BEGIN UPDATE applications SET applicant_name = NEW.name WHERE applicant_id = NEW.id; END""")


def _fill_key_fields(bind) -> None:
    """Each application's title and amount through the snapshot of the rule file it runs on (what the
    engine writes), a batch of rows at a time."""
    from workflow.definitions.compiled import CompiledProgram
    from workflow.definitions.schema import ProgramSpec
    from workflow.definitions.source import parse
    from workflow.engine.sort_keys import key_values

    applications = sa.table(
        'applications', sa.column('id'), sa.column('definition_sha'), sa.column('data', sa.JSON),
        sa.column('key_title'), sa.column('key_amount'),
    )
    snapshots = sa.table('definition_snapshots', sa.column('sha256'), sa.column('source'))
    programs = {}
    for sha, source in bind.execute(sa.select(snapshots.c.sha256, snapshots.c.source)):
        try:
            programs[sha] = CompiledProgram(ProgramSpec.model_validate(parse(source)[0]), sha, "", source)
        except Exception:  # noqa: BLE001 - an old file the schema no longer reads: no key fields known
            programs[sha] = None
    update = (
        applications.update()
        .where(applications.c.id == sa.bindparam("b_id"))
        .values(key_title=sa.bindparam("key_title"), key_amount=sa.bindparam("key_amount"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(applications.c.id, applications.c.definition_sha, applications.c.data)
            .where(applications.c.id > last)
            .order_by(applications.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        batch = []
        for application_id, sha, data in rows:
            program = programs.get(sha)
            values = key_values(program, data) if program else {}
            if any(v is not None for v in values.values()):
                batch.append({"b_id": application_id, **values})
        if batch:
            bind.execute(update, batch)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS users_applicant_name ON users")
        op.execute("DROP FUNCTION IF EXISTS applications_applicant_name()")
    else:
        op.execute("DROP TRIGGER IF EXISTS users_applicant_name")
    for name in SORTED:
        op.drop_index(f'ix_applications_program_{name}', table_name='applications')
    op.drop_index('ix_applications_program_state', table_name='applications')
    op.create_index('ix_applications_program_state', 'applications', ['program_key', 'state'], unique=False)
    with op.batch_alter_table('applications') as batch:
        for name in ('applicant_name', 'open_deadline', 'key_amount', 'key_title'):
            batch.drop_column(name)

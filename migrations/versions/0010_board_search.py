"""board search: applications.search_text (title, organisation, applicant; normalised), kept by the
engine on every write, with a trigram GIN index on PostgreSQL (pg_trgm) and a plain index elsewhere;
existing rows are filled from their own rule file's snapshot

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    _fill(bind)
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            'ix_applications_search', 'applications', ['search_text'], unique=False,
            postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'},
        )
    else:
        op.create_index('ix_applications_search', 'applications', ['search_text'], unique=False)


def _fill(bind) -> None:
    """Each application's text from the snapshot of the rule file it runs on (what the engine writes)."""
    from workflow.definitions.compiled import CompiledProgram
    from workflow.definitions.schema import ProgramSpec
    from workflow.definitions.source import parse
    from workflow.engine.search_text import data_text, normalise

    applications = sa.table(
        'applications', sa.column('id'), sa.column('definition_sha'), sa.column('data', sa.JSON),
        sa.column('applicant_id'), sa.column('search_text'),
    )
    users = sa.table('users', sa.column('id'), sa.column('name'), sa.column('organisation'))
    snapshots = sa.table('definition_snapshots', sa.column('sha256'), sa.column('source'))
    programs = {}
    for sha, source in bind.execute(sa.select(snapshots.c.sha256, snapshots.c.source)):
        try:
            programs[sha] = CompiledProgram(ProgramSpec.model_validate(parse(source)[0]), sha, "", source)
        except Exception:  # noqa: BLE001 - an old file the schema no longer reads: the applicant's part only
            programs[sha] = None
    people = {
        i: normalise(f"{name or ''} {organisation or ''}")
        for i, name, organisation in bind.execute(sa.select(users.c.id, users.c.name, users.c.organisation))
    }
    rows = bind.execute(
        sa.select(applications.c.id, applications.c.definition_sha, applications.c.data, applications.c.applicant_id)
    ).all()
    batch = []
    for application_id, sha, data, applicant_id in rows:
        program = programs.get(sha)
        text = " ".join(p for p in (data_text(program, data) if program else "", people.get(applicant_id, "")) if p)
        batch.append({"b_id": application_id, "text": text})
    if batch:
        bind.execute(
            applications.update().where(applications.c.id == sa.bindparam("b_id")).values(search_text=sa.bindparam("text")),
            batch,
        )


def downgrade() -> None:
    op.drop_index('ix_applications_search', table_name='applications')
    with op.batch_alter_table('applications') as batch:
        batch.drop_column('search_text')

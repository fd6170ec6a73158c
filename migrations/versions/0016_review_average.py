"""review average: the average submitted score of an application's current review round, kept on the
application row by triggers in the transaction that submits a score or begins a round, so the board
sorts by score without averaging every application's reviews (backfilled)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# the current round: the latest begun, else 1 (workflow/services/board_columns.py: ROUND)
AVERAGE = (
    "SELECT avg(r.total) FROM review_assignments r WHERE r.application_id = applications.id "
    "AND r.submitted_at IS NOT NULL AND r.round = coalesce((SELECT max(q.round) FROM review_rounds q "
    "WHERE q.application_id = applications.id), 1)"
)
SOURCES = {  # table → the events after which its application's average is worked out again
    "review_assignments": ("INSERT", "UPDATE", "DELETE"),
    "review_rounds": ("INSERT", "DELETE"),
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column('applications', sa.Column('review_average', sa.Float(), nullable=True))
    # sorting by score reads the index alone (not the wide rows): no index order fits both directions
    # with unscored applications last, but a sort of its entries is cheap
    op.create_index('ix_applications_program_score', 'applications', ['program_key', 'review_average', 'id'], unique=False)
    op.execute(
        f"UPDATE applications SET review_average = ({AVERAGE}) "
        "WHERE id IN (SELECT application_id FROM review_assignments WHERE submitted_at IS NOT NULL)"
    )
    if postgres:
        op.execute(f"""
            CREATE OR REPLACE FUNCTION applications_review_average() RETURNS trigger AS $$
            DECLARE target integer;
            BEGIN
              IF TG_OP = 'DELETE' THEN target := OLD.application_id; ELSE target := NEW.application_id; END IF;
              UPDATE applications SET review_average = ({AVERAGE}) WHERE id = target;
              RETURN NULL;
            END; $$ LANGUAGE plpgsql""")
        for table, events in SOURCES.items():
            op.execute(f"""CREATE TRIGGER {table}_review_average AFTER {' OR '.join(events)} ON {table}
                           FOR EACH ROW EXECUTE FUNCTION applications_review_average()""")
    else:
        for table, events in SOURCES.items():
            for event in events:
                row = "OLD" if event == "DELETE" else "NEW"
                op.execute(f"""CREATE TRIGGER {table}_review_average_{event.lower()} AFTER {event} ON {table}
                               BEGIN UPDATE applications SET review_average = ({AVERAGE})
                               WHERE id = {row}.application_id; END""")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, events in SOURCES.items():
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_review_average ON {table}")
        else:
            for event in events:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_review_average_{event.lower()}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS applications_review_average()")
    op.drop_index('ix_applications_program_score', table_name='applications')
    with op.batch_alter_table('applications') as batch:
        batch.drop_column('review_average')

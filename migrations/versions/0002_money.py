"""money: interest, foreign-currency booking, tranche conditions, exchange rates, ledger-sum triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:30:00

SQLite cannot add a CHECK to an existing table without rebuilding it, and rebuilding a table other
tables reference would break their foreign keys, so on SQLite the new CHECKs ride on the added
columns. Only the ledger (referenced by nothing) is rebuilt, to widen its kinds; its append-only
triggers are re-created afterwards.
"""

from alembic import op
import sqlalchemy as sa

import workflow.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

FX_COMPLETE = (
    "(fx_currency IS NULL AND fx_amount_cents IS NULL AND fx_rate_e4 IS NULL) OR ("
    "fx_currency IS NOT NULL AND fx_currency <> 'KRW' AND fx_amount_cents IS NOT NULL"
    " AND fx_amount_cents > 0 AND fx_rate_e4 IS NOT NULL AND fx_rate_e4 > 0)"
)

# (table, key column, {total column: SQL summing the ledger rows that make it up})
SUMS = {
    "program_budgets": ("budget_id", {
        "committed": "CASE kind WHEN 'commit' THEN amount WHEN 'release' THEN -amount ELSE 0 END",
        "paid": "CASE kind WHEN 'pay' THEN amount ELSE 0 END",
        "recovered": "CASE kind WHEN 'recover' THEN amount ELSE 0 END",
        "interest": "CASE kind WHEN 'interest' THEN amount ELSE 0 END",
    }),
    "awards": ("award_id", {
        "amount": "CASE kind WHEN 'commit' THEN amount ELSE 0 END",
        "released": "CASE kind WHEN 'release' THEN amount ELSE 0 END",
        "paid": "CASE kind WHEN 'pay' THEN amount ELSE 0 END",
        "recovered": "CASE kind WHEN 'recover' THEN amount ELSE 0 END",
        "interest": "CASE kind WHEN 'interest' THEN amount ELSE 0 END",
    }),
}


def _sums_select(key: str, columns: dict, id_expr: str, postgres: bool = False) -> str:
    sums = ", ".join(f"CAST(COALESCE(SUM({expr}), 0) AS BIGINT)" for expr in columns.values())
    if postgres:  # compared as bigint[]: PostgreSQL has no scalar multi-column subquery
        return f"SELECT ARRAY[{sums}] FROM ledger WHERE {key} = {id_expr}"
    return f"SELECT {sums} FROM ledger WHERE {key} = {id_expr}"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_e4', sa.BigInteger(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', workflow.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("currency <> 'KRW'", name=op.f('ck_exchange_rates_foreign_only')),
    sa.CheckConstraint('rate_e4 > 0', name=op.f('ck_exchange_rates_rate_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('currency', 'effective_on', name='uq_exchange_rates_day')
    )
    if postgres:
        op.add_column('program_budgets', sa.Column('interest', sa.BigInteger(), server_default='0', nullable=False))
        op.create_check_constraint('ck_program_budgets_interest_nonnegative', 'program_budgets', 'interest >= 0')
        op.add_column('awards', sa.Column('interest', sa.BigInteger(), server_default='0', nullable=False))
        op.add_column('awards', sa.Column('fx_currency', sa.String(length=3), nullable=True))
        op.add_column('awards', sa.Column('fx_amount_cents', sa.BigInteger(), nullable=True))
        op.add_column('awards', sa.Column('fx_rate_e4', sa.BigInteger(), nullable=True))
        op.create_check_constraint('ck_awards_interest_nonnegative', 'awards', 'interest >= 0')
        op.create_check_constraint('ck_awards_fx_complete', 'awards', FX_COMPLETE)
    else:
        op.execute("ALTER TABLE program_budgets ADD COLUMN interest BIGINT DEFAULT '0' NOT NULL"
                   " CONSTRAINT ck_program_budgets_interest_nonnegative CHECK (interest >= 0)")
        op.execute("ALTER TABLE awards ADD COLUMN interest BIGINT DEFAULT '0' NOT NULL"
                   " CONSTRAINT ck_awards_interest_nonnegative CHECK (interest >= 0)")
        op.execute("ALTER TABLE awards ADD COLUMN fx_currency VARCHAR(3)")
        op.execute("ALTER TABLE awards ADD COLUMN fx_amount_cents BIGINT")
        op.execute(f"ALTER TABLE awards ADD COLUMN fx_rate_e4 BIGINT CONSTRAINT ck_awards_fx_complete CHECK ({FX_COMPLETE})")
    op.add_column('tranches', sa.Column('release_if', sa.Text(), nullable=True))
    op.add_column('tranches', sa.Column('fx_amount_cents', sa.BigInteger(), nullable=True))

    if not postgres:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_no_{action}")
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fx_currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('fx_amount_cents', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('fx_rate_e4', sa.BigInteger(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_ledger_kind_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_ledger_kind_known'), "kind IN ('commit', 'pay', 'recover', 'release', 'interest')"
        )
    if not postgres:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER ledger_no_{action.lower()} BEFORE {action} ON ledger
                           BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END""")
    _ledger_sum_triggers(postgres)


def _ledger_sum_triggers(postgres: bool) -> None:
    """The database refuses totals that differ from the ledger (money effects write the ledger first)."""
    for table, (key, columns) in SUMS.items():
        names = ", ".join(columns)
        if postgres:
            totals = ", ".join(f"NEW.{c}" for c in columns)
            op.execute(f"""
                CREATE OR REPLACE FUNCTION {table}_match_ledger() RETURNS trigger AS $$
                BEGIN
                  IF ARRAY[{totals}]::bigint[] IS DISTINCT FROM ({_sums_select(key, columns, 'NEW.id', True)}) THEN
                    RAISE EXCEPTION '{table} % totals differ from the ledger', NEW.id
                      USING ERRCODE = 'check_violation';
                  END IF;
                  RETURN NULL;
                END; $$ LANGUAGE plpgsql""")
            op.execute(f"""CREATE TRIGGER {table}_match_ledger AFTER UPDATE OF {names} ON {table}
                           FOR EACH ROW EXECUTE FUNCTION {table}_match_ledger()""")
        else:
            totals = ", ".join(f"NEW.{c}" for c in columns)
            op.execute(f"""CREATE TRIGGER {table}_match_ledger AFTER UPDATE OF {names} ON {table}
                           WHEN ({totals}) IS NOT ({_sums_select(key, columns, 'NEW.id')})
                           BEGIN SELECT RAISE(ABORT, '{table} totals differ from the ledger'); END""")
    if postgres:
        # a ledger row written without its totals (or totals without a ledger row) fails at COMMIT
        budget_key, budget_columns = SUMS["program_budgets"]
        award_key, award_columns = SUMS["awards"]
        op.execute(f"""
            CREATE OR REPLACE FUNCTION ledger_matches_totals() RETURNS trigger AS $$
            BEGIN
              IF (SELECT ARRAY[{", ".join(f"b.{c}" for c in budget_columns)}]::bigint[] FROM program_budgets b
                  WHERE b.id = NEW.budget_id) IS DISTINCT FROM ({_sums_select(budget_key, budget_columns, 'NEW.budget_id', True)})
              OR (SELECT ARRAY[{", ".join(f"a.{c}" for c in award_columns)}]::bigint[] FROM awards a
                  WHERE a.id = NEW.award_id) IS DISTINCT FROM ({_sums_select(award_key, award_columns, 'NEW.award_id', True)})
              THEN
                RAISE EXCEPTION 'ledger entry % disagrees with the totals', NEW.id
                  USING ERRCODE = 'check_violation';
              END IF;
              RETURN NULL;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE CONSTRAINT TRIGGER ledger_matches_totals AFTER INSERT ON ledger
                      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_matches_totals()""")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in SUMS:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_match_ledger ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_match_ledger()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_match_ledger")
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS ledger_matches_totals ON ledger")
        op.execute("DROP FUNCTION IF EXISTS ledger_matches_totals()")
    op.drop_column('tranches', 'fx_amount_cents')
    op.drop_column('tranches', 'release_if')
    if postgres:
        op.drop_constraint('ck_awards_fx_complete', 'awards', type_='check')
        op.drop_constraint('ck_awards_interest_nonnegative', 'awards', type_='check')
        op.drop_constraint('ck_program_budgets_interest_nonnegative', 'program_budgets', type_='check')
    # on SQLite each CHECK rides on the column it was added with, so dropping that column (fx_rate_e4
    # first: its CHECK names the other two) drops the CHECK; no table is rebuilt
    for column in ('fx_rate_e4', 'fx_amount_cents', 'fx_currency', 'interest'):
        op.execute(f"ALTER TABLE awards DROP COLUMN {column}")
    op.execute("ALTER TABLE program_budgets DROP COLUMN interest")
    # refused (CHECK) while interest rows exist: recovered interest cannot be silently forgotten
    if not postgres:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_no_{action}")
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_kind_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_ledger_kind_known'), "kind IN ('commit', 'pay', 'recover', 'release')"
        )
        batch_op.drop_column('fx_rate_e4')
        batch_op.drop_column('fx_amount_cents')
        batch_op.drop_column('fx_currency')
    if not postgres:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER ledger_no_{action.lower()} BEFORE {action} ON ledger
                           BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END""")
    op.drop_table('exchange_rates')

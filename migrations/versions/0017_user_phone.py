"""users.phone: the contact phone an applicant keeps on the account page (prefills application forms)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 12:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('phone')

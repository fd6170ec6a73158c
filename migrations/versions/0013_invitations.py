"""invitations and last sign-in: when an account was invited (the link's nonce: a new invitation ends the
older links) and when its user last signed in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:40:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('invited_at', workflow.db.UTCDateTime(), nullable=True))
    op.add_column('users', sa.Column('last_signin_at', workflow.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('last_signin_at')
        batch.drop_column('invited_at')

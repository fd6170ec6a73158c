"""storage: content-addressed blobs in chunks, and e-mails kept without SMTP

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('created_at', workflow.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    op.create_table('blob_chunks',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], name=op.f('fk_blob_chunks_sha256_blobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'seq', name=op.f('pk_blob_chunks'))
    )
    op.create_table('stored_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', workflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_stored_mails_recipient_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_mails')),
    sa.UniqueConstraint('message_id', name=op.f('uq_stored_mails_message_id'))
    )
    with op.batch_alter_table('stored_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_mails_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_mails_recipient_user_id'), ['recipient_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_mails_to_address'), ['to_address'], unique=False)


def downgrade() -> None:
    op.drop_table('stored_mails')
    op.drop_table('blob_chunks')
    op.drop_table('blobs')

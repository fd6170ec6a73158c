"""notices: run leases, e-mail deliveries, in-app notifications, letters, preferences

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25 16:20:00
"""

from alembic import op
import sqlalchemy as sa

import workflow.db

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notice_runs',
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('lease_token', sa.String(length=40), nullable=True),
    sa.Column('lease_until', workflow.db.UTCDateTime(), nullable=True),
    sa.Column('next_attempt_at', workflow.db.UTCDateTime(), nullable=True),
    sa.Column('updated_at', workflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_notice_runs_outbox_id_outbox'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outbox_id', name=op.f('pk_notice_runs'))
    )
    op.create_table('notice_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', workflow.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('sending', 'sent', 'failed', 'skipped')", name=op.f('ck_notice_deliveries_status_known')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_notice_deliveries_outbox_id_outbox'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_deliveries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_deliveries')),
    sa.UniqueConstraint('message_id', name=op.f('uq_notice_deliveries_message_id')),
    sa.UniqueConstraint('outbox_id', 'user_id', 'channel', name='uq_notice_deliveries_once')
    )
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_deliveries_outbox_id'), ['outbox_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_deliveries_user_id'), ['user_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('statutory', sa.Boolean(), nullable=False),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.Column('created_at', workflow.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', workflow.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_notifications_application_id_applications')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_notifications_outbox_id_outbox'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('outbox_id', 'user_id', name='uq_notifications_once')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_outbox_id'), ['outbox_id'], unique=False)
        batch_op.create_index('ix_notifications_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('document_no', sa.String(length=60), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', workflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_letters_application_id_applications')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_letters_outbox_id_outbox'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_letters_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters')),
    sa.UniqueConstraint('document_no', name=op.f('uq_letters_document_no')),
    sa.UniqueConstraint('outbox_id', 'user_id', name='uq_letters_once')
    )
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letters_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letters_outbox_id'), ['outbox_id'], unique=False)

    op.create_table('notice_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_preferences')),
    sa.UniqueConstraint('user_id', 'kind', name='uq_notice_preferences_kind')
    )
    with op.batch_alter_table('notice_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_preferences_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('notice_preferences')
    op.drop_table('letters')
    op.drop_table('notifications')
    op.drop_table('notice_deliveries')
    op.drop_table('notice_runs')

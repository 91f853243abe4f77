"""contact temporary failures, inbound thread references

contact gets the facts of a run of temporary delivery failures (4.x.x, Action delayed, expired
in a queue): temp_failure_since (the first), temp_failure_at (the latest), temp_failures (how
many) and temp_failure_reason (the server's reply). The address stays active through them; a run
lasting intake.temporary_bounce_days makes it bounced.
inboundmessage gets thread_references (JSON list of msg-ids without brackets): the chain an
acknowledgement's References continues, RFC 5322 §3.6.4.
Plain ADD COLUMNs: nullable or defaulted, no rebuild.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 02:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import db.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
TS = db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column('contact', sa.Column('temp_failure_since', TS, nullable=True))
    op.add_column('contact', sa.Column('temp_failure_at', TS, nullable=True))
    op.add_column('contact', sa.Column('temp_failures', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('contact', sa.Column('temp_failure_reason', sa.String(), nullable=False, server_default=''))
    op.add_column('inboundmessage', sa.Column('thread_references', JSON_TYPE, nullable=True))


def downgrade() -> None:
    op.drop_column('inboundmessage', 'thread_references')
    op.drop_column('contact', 'temp_failure_reason')
    op.drop_column('contact', 'temp_failures')
    op.drop_column('contact', 'temp_failure_at')
    op.drop_column('contact', 'temp_failure_since')

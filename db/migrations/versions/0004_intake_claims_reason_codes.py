"""intake claims and reason codes

inboundmessage gets the outbox's claim columns (claimed_by, claimed_at) and a next_attempt_at
spaced by the one backoff policy, so a message whose processing raised waits before its next
attempt instead of using them all at once; the holder no longer hides in `reason`.
inboundmessage and attachment get reason_code + reason_args: the reason as a code and its
arguments, rendered once in English (logs) and once in Vietnamese (staff); `reason` keeps the
English line for people reading the table. Plain ADD COLUMNs: nullable or defaulted, no rebuild.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 01:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import db.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
TS = db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column('inboundmessage', sa.Column('claimed_by', sa.String(length=100), nullable=True))
    op.add_column('inboundmessage', sa.Column('claimed_at', TS, nullable=True))
    op.add_column('inboundmessage', sa.Column('next_attempt_at', TS, nullable=True))
    op.add_column('inboundmessage', sa.Column('reason_code', sa.String(length=60), nullable=False,
                                              server_default=''))
    op.add_column('inboundmessage', sa.Column('reason_args', JSON_TYPE, nullable=True))
    op.create_index('ix_inbound_due', 'inboundmessage', ['state', 'next_attempt_at'])
    op.add_column('attachment', sa.Column('reason_code', sa.String(length=60), nullable=False,
                                          server_default=''))
    op.add_column('attachment', sa.Column('reason_args', JSON_TYPE, nullable=True))


def downgrade() -> None:
    op.drop_column('attachment', 'reason_args')
    op.drop_column('attachment', 'reason_code')
    op.drop_index('ix_inbound_due', table_name='inboundmessage')
    op.drop_column('inboundmessage', 'reason_args')
    op.drop_column('inboundmessage', 'reason_code')
    op.drop_column('inboundmessage', 'next_attempt_at')
    op.drop_column('inboundmessage', 'claimed_at')
    op.drop_column('inboundmessage', 'claimed_by')

"""outbox retry recipients

outboundmail.retry_rcpts (JSON list, NULL when unused): the recipients a server refused for
now (4xx) while it took the mail for the others. The row goes back to pending for them alone,
with its first delivery already in sent_at. A plain ADD COLUMN: nullable, no rebuild.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 15:45:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.add_column('outboundmail', sa.Column('retry_rcpts', JSON_TYPE, nullable=True))


def downgrade() -> None:
    op.drop_column('outboundmail', 'retry_rcpts')

"""users and tokens

The web console's accounts (webuser: an argon2 hash and a role), API bearer tokens (apitoken:
only their SHA-256) and signed-in browsers (websession: the SHA-256 of the cookie's key, its
CSRF token and its expiry). New tables only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:00:00
"""
from alembic import op
import sqlalchemy as sa

import db.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TS = db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'webuser',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('password_hash', sa.String(), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('last_login_at', TS, nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_webuser_username'), 'webuser', ['username'], unique=True)
    op.create_table(
        'apitoken',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('last_used_at', TS, nullable=True),
        sa.Column('revoked', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['webuser.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index(op.f('ix_apitoken_user_id'), 'apitoken', ['user_id'], unique=False)
    op.create_table(
        'websession',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('ended', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['webuser.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
    )
    op.create_index(op.f('ix_websession_user_id'), 'websession', ['user_id'], unique=False)
    op.create_index(op.f('ix_websession_expires_at'), 'websession', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_websession_expires_at'), table_name='websession')
    op.drop_index(op.f('ix_websession_user_id'), table_name='websession')
    op.drop_table('websession')
    op.drop_index(op.f('ix_apitoken_user_id'), table_name='apitoken')
    op.drop_table('apitoken')
    op.drop_index(op.f('ix_webuser_username'), table_name='webuser')
    op.drop_table('webuser')

"""outbound body apart, campaign letter

- outboundmail.raw moves to its own table, outboundbody(outbound_id, raw): SQLite stores a
  row in one piece, so with the ~300 KB message inline every status update rewrote it whole
  and reading a status walked past it. Existing rows' bytes are carried over unchanged.
- campaign.letter (JSON): the campaign file's [letter] table, so the dispatch quotes the
  letter from the database. Existing campaigns take it from their source file when that file
  is still the one loaded (same SHA-256, as the code before this revision required), else {}.

SQLite runs with PRAGMA foreign_keys=ON, and batch mode rebuilds a table by dropping it,
which would cascade into (or be refused by) tables referencing it. So outboundmail is
rebuilt before outboundbody references it (the bytes wait in a scratch table meanwhile),
and campaign gets its column by a plain ADD COLUMN (a constant default, no rebuild).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:27:03.830658
"""
import hashlib
import json
import tomllib
from pathlib import Path

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
SCRATCH = '_outboundbody_carry'


def upgrade() -> None:
    op.create_table(SCRATCH,
    sa.Column('outbound_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('outbound_id')
    )
    op.execute(f'INSERT INTO {SCRATCH} (outbound_id, raw) SELECT id, raw FROM outboundmail')
    with op.batch_alter_table('outboundmail', schema=None) as batch_op:
        batch_op.drop_column('raw')

    op.create_table('outboundbody',
    sa.Column('outbound_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['outbound_id'], ['outboundmail.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outbound_id')
    )
    op.execute(f'INSERT INTO outboundbody (outbound_id, raw) SELECT outbound_id, raw FROM {SCRATCH}')
    op.drop_table(SCRATCH)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letter', JSON_TYPE, nullable=False, server_default='{}'))
    _fill_letters()


def _fill_letters() -> None:
    campaign = sa.table('campaign', sa.column('id', sa.Integer()), sa.column('source_path', sa.String()),
                        sa.column('source_sha256', sa.String()), sa.column('letter', JSON_TYPE))
    conn = op.get_bind()
    for cid, path, sha in conn.execute(sa.select(campaign.c.id, campaign.c.source_path,
                                                 campaign.c.source_sha256)).all():
        letter = _letter_from_source(path, sha)
        if letter:
            conn.execute(campaign.update().where(campaign.c.id == cid).values(letter=letter))


def _letter_from_source(path: str, sha256: str) -> dict:
    """The [letter] table of the campaign file, if it is still the file that was loaded."""
    try:
        data = Path(path).read_bytes() if path else b''
        if not data or hashlib.sha256(data).hexdigest() != sha256:
            return {}
        letter = tomllib.loads(data.decode('utf-8')).get('letter', {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    # TOML dates become ISO strings, as bot/campaigns/campaign_load.py stores them.
    return json.loads(json.dumps(letter, default=lambda v: v.isoformat())) if isinstance(letter, dict) else {}


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): rebuilding campaign would break the rows referencing it.
    op.drop_column('campaign', 'letter')

    # outboundbody references outboundmail: give the bytes back and drop it before the
    # rebuild that makes raw NOT NULL again.
    with op.batch_alter_table('outboundmail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('raw', sa.LargeBinary(), nullable=True))
    op.execute('UPDATE outboundmail SET raw = (SELECT b.raw FROM outboundbody b WHERE b.outbound_id = outboundmail.id)')
    op.execute("UPDATE outboundmail SET raw = '' WHERE raw IS NULL")
    op.drop_table('outboundbody')
    with op.batch_alter_table('outboundmail', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=sa.LargeBinary(), nullable=False)

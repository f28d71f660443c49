"""a ballot's voting channels fixed at its opening; the sign-off keeps the chain's length

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # in place: recreating a table on SQLite would cascade-delete the rows that refer to it
    with op.batch_alter_table('hearing', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('paper_voters_at_open', sa.JSON(), nullable=True))
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('signed_events', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signed_head', sa.String(length=64), nullable=True))


def downgrade():
    # in place (SQLite >= 3.35): recreating the tables would cascade deletes
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('signed_head')
        batch_op.drop_column('signed_events')
    with op.batch_alter_table('hearing', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('paper_voters_at_open')

"""live core: the meeting's layout version, by which screens' states are cached

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('layout_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    # drop the column in place (SQLite >= 3.35): recreating the meeting table would delete
    # every row that cascades from it, since foreign keys are on
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('layout_version')

"""corrections: a hearing's ballot round, moved on by a void

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('ballot_round', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    # in place (SQLite >= 3.35): recreating the table would cascade deletes
    with op.batch_alter_table('hearing', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('ballot_round')

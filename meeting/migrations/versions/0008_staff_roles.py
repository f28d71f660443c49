"""roles: staff accounts carry roles; a meeting's display link can be revoked

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # accounts made before roles existed could do everything; they keep that, and an
    # administrator narrows them on the accounts page
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'roles', sa.String(length=64), server_default='admin,host,secretary',
                nullable=False,
            )
        )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('display_generation', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    # in place (SQLite >= 3.35): recreating the tables would cascade deletes
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('display_generation')
    with op.batch_alter_table('staff_user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('roles')

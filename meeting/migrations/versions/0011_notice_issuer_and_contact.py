"""the public notice names who posts it and whom to call, per meeting

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # in place: recreating a table on SQLite would cascade-delete the rows that refer to it
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('notice_issuer', sa.String(length=100), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('notice_contact', sa.String(length=200), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('notice_contact')
        batch_op.drop_column('notice_issuer')

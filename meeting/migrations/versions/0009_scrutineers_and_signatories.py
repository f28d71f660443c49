"""scrutineers confirm each count; the sign-off names the people who sign

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # in place: recreating panel_member on SQLite would cascade-delete its ballot receipts
    with op.batch_alter_table('panel_member', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('scrutineer', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('signatories', sa.JSON(), nullable=True))
    op.create_table(
        'count_confirmation',
        sa.Column('hearing_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['hearing_id'], ['hearing.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('hearing_id', 'member_id'),
    )


def downgrade():
    op.drop_table('count_confirmation')
    # in place (SQLite >= 3.35): recreating the tables would cascade deletes
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('signatories')
    with op.batch_alter_table('panel_member', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('scrutineer')

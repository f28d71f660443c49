"""staff session tokens, one seat per phone

Revision ID: 0003
Revises: 0002
Existing accounts get a random session token each (their old sessions end); a phone
holding two seats in one meeting, which 0002 allowed, keeps only its first.

Create Date: 2026-11-23 11:03:12.226670

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE panel_member SET device_hash = NULL WHERE device_hash IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM panel_member WHERE device_hash IS NOT NULL "
        "GROUP BY meeting_id, device_hash)"
    ))
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_panel_member_meeting_id_device_hash'), ['meeting_id', 'device_hash'])

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
    for (user_id,) in bind.execute(sa.text("SELECT id FROM staff_user")).fetchall():
        bind.execute(
            sa.text("UPDATE staff_user SET session_token = :token WHERE id = :id"),
            {"token": secrets.token_hex(16), "id": user_id},
        )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('session_token')

    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_panel_member_meeting_id_device_hash'), type_='unique')


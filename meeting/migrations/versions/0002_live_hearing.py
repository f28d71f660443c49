"""live hearing: seats, seat requests, speaking queue, notes, agenda

Revision ID: 0002
Revises: 0001
Existing rows get defaults, so a meeting prepared before the upgrade keeps working.

Create Date: 2026-11-23 10:15:50.128974

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seat_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='seatrequeststatus', native_enum=False, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_seat_request_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_seat_request_member_id_panel_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seat_request'))
    )
    with op.batch_alter_table('seat_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_request_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('speak_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hearing_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'speaking', 'done', 'withdrawn', name='speakstatus', native_enum=False, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearing.id'], name=op.f('fk_speak_request_hearing_id_hearing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_speak_request_member_id_panel_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speak_request'))
    )
    with op.batch_alter_table('speak_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speak_request_hearing_id'), ['hearing_id'], unique=False)

    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum_broken_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('statement_notes', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('questioning_notes', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_position', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entry_generation', sa.Integer(), nullable=False, server_default=sa.text('1')))

    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('seat_claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_panel_member_device_hash'), ['device_hash'], unique=False)



def downgrade():
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_member_device_hash'))
        batch_op.drop_column('seat_claimed_at')
        batch_op.drop_column('device_hash')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('entry_generation')
        batch_op.drop_column('current_position')

    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.drop_column('questioning_notes')
        batch_op.drop_column('statement_notes')
        batch_op.drop_column('quorum_broken_at')

    with op.batch_alter_table('speak_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speak_request_hearing_id'))

    op.drop_table('speak_request')
    with op.batch_alter_table('seat_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_request_meeting_id'))

    op.drop_table('seat_request')

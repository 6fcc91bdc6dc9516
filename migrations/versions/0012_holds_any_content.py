"""moderation: holds for content outside feedback (roadmap comments), so post_id is optional

Revision ID: 0012_holds_any_content
Revises: 0011_sessions
Create Date: 2026-12-08 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_holds_any_content'
down_revision = '0011_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('moderation_holds', schema=None) as batch_op:
        batch_op.alter_column('post_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM moderation_holds WHERE post_id IS NULL")
    with op.batch_alter_table('moderation_holds', schema=None) as batch_op:
        batch_op.alter_column('post_id', existing_type=sa.Integer(), nullable=False)

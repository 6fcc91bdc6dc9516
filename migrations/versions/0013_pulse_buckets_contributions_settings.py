"""pulse: daily buckets, per-item contributions, embed settings; indexes for the live figures

Revision ID: 0013_pulse
Revises: 0012_holds_any_content
Create Date: 2026-12-08 01:30:00

The buckets start empty: run `flask pulse rebuild` once after upgrading.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_pulse'
down_revision = '0012_holds_any_content'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pulse_buckets',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('received', sa.Integer(), nullable=False),
        sa.Column('replied_within_24h', sa.Integer(), nullable=False),
        sa.Column('resolved', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'department_id', 'product_id', name=op.f('pk_pulse_buckets')),
    )
    op.create_table(
        'pulse_contributions',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('received_day', sa.Date(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('replied_within_24h', sa.Boolean(), nullable=False),
        sa.Column('resolved_day', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('post_id', name=op.f('pk_pulse_contributions')),
    )
    op.create_table(
        'pulse_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('embed_origins', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_settings')),
    )
    with op.batch_alter_table('posts') as batch:
        batch.create_index('ix_posts_first_response_at', ['first_response_at'])
        batch.create_index('ix_posts_resolved_at', ['resolved_at'])
    with op.batch_alter_table('comments') as batch:
        batch.create_index('ix_comments_official_created', ['is_official', 'created_at'])


def downgrade():
    with op.batch_alter_table('comments') as batch:
        batch.drop_index('ix_comments_official_created')
    with op.batch_alter_table('posts') as batch:
        batch.drop_index('ix_posts_resolved_at')
        batch.drop_index('ix_posts_first_response_at')
    op.drop_table('pulse_settings')
    op.drop_table('pulse_contributions')
    op.drop_table('pulse_buckets')

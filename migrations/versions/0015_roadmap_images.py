"""roadmap: uploaded pictures for poll options

Revision ID: 0015_roadmap_images
Revises: 0014_product_profile
Create Date: 2026-12-08 02:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_roadmap_images'
down_revision = '0014_product_profile'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'roadmap_images',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_roadmap_images_uploaded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmap_images')),
    )


def downgrade():
    op.drop_table('roadmap_images')

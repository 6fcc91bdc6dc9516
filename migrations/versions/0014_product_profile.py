"""feedback: product profile (tagline, key specs, hero image) for the product pages

Revision ID: 0014_product_profile
Revises: 0013_pulse
Create Date: 2026-12-08 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_product_profile'
down_revision = '0013_pulse'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tagline', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tagline_en', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('specs', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('hero_image', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('hero_type', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        for column in ('updated_at', 'hero_type', 'hero_image', 'specs', 'tagline_en', 'tagline'):
            batch_op.drop_column(column)

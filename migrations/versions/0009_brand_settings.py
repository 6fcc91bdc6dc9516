"""brand: the self-hosting brand's name, logo, favicon, primary colour and footer links

Revision ID: 0009_brand
Revises: 0008_search_outbox
Create Date: 2026-12-01 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_brand'
down_revision = '0008_search_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('brand_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=40), nullable=False),
    sa.Column('primary_color', sa.String(length=7), nullable=False),
    sa.Column('footer_links', sa.JSON(), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=32), nullable=False),
    sa.Column('favicon', sa.LargeBinary(), nullable=True),
    sa.Column('favicon_type', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_settings'))
    )


def downgrade():
    op.drop_table('brand_settings')

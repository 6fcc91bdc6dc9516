"""feedback: product follows (关注产品)

Revision ID: 0016_product_follows
Revises: 0015_roadmap_images
Create Date: 2026-12-08 02:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_product_follows'
down_revision = '0015_roadmap_images'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'product_follows',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_follows_product_id_products'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_product_follows_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', 'user_id', name=op.f('pk_product_follows')),
    )
    with op.batch_alter_table('product_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_follows_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('product_follows')

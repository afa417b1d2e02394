"""The vault: read model of expertises, parties and participants; folders, documents, reads, shares.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vault_expertises',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('display_name', sa.String(length=1200), nullable=False),
    sa.Column('owner_account_id', sa.String(length=64), nullable=True),
    sa.Column('designation_id', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('folders',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('expertise_id', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('owner_ref', sa.String(length=64), nullable=True),
    sa.Column('label', sa.String(length=600), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['expertise_id'], ['vault_expertises.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['folders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('expertise_id', 'path', name='uq_folders_expertise_path')
    )
    op.create_table('vault_participants',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('expertise_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('party_ids', postgresql.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('display_name', sa.String(length=260), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['expertise_id'], ['vault_expertises.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_vault_participants_account_id'), 'vault_participants', ['account_id'], unique=False)
    op.create_index(op.f('ix_vault_participants_expertise_id'), 'vault_participants', ['expertise_id'], unique=False)
    op.create_table('vault_parties',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('expertise_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['expertise_id'], ['vault_expertises.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_vault_parties_expertise_id'), 'vault_parties', ['expertise_id'], unique=False)
    op.create_table('documents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('expertise_id', sa.String(length=64), nullable=False),
    sa.Column('folder_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=400), nullable=False),
    sa.Column('original_name', sa.Text(), nullable=False),
    sa.Column('search_name', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=200), nullable=False),
    sa.Column('declared_media_type', sa.String(length=200), nullable=True),
    sa.Column('object_key', sa.String(length=300), nullable=False),
    sa.Column('depositor_account_id', sa.String(length=64), nullable=False),
    sa.Column('depositor_role', sa.String(length=32), nullable=True),
    sa.Column('cert_fingerprint', sa.String(length=128), nullable=True),
    sa.Column('deposited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_by', sa.String(length=64), nullable=True),
    sa.Column('lock_reason', sa.Text(), nullable=True),
    sa.Column('receipt', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['expertise_id'], ['vault_expertises.id'], ),
    sa.ForeignKeyConstraint(['folder_id'], ['folders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('object_key')
    )
    op.create_index(op.f('ix_documents_depositor_account_id'), 'documents', ['depositor_account_id'], unique=False)
    op.create_index(op.f('ix_documents_expertise_id'), 'documents', ['expertise_id'], unique=False)
    op.create_index('ix_documents_folder_order', 'documents', ['folder_id', 'deposited_at', 'id'], unique=False)
    op.create_table('document_reads',
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('first_read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('document_id', 'account_id')
    )
    op.create_index('ix_document_reads_account', 'document_reads', ['account_id'], unique=False)
    op.create_table('document_shares',
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('shared_by', sa.String(length=64), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('document_id', 'participant_id')
    )


def downgrade() -> None:
    op.drop_table('document_shares')
    op.drop_index('ix_document_reads_account', table_name='document_reads')
    op.drop_table('document_reads')
    op.drop_index('ix_documents_folder_order', table_name='documents')
    op.drop_index(op.f('ix_documents_expertise_id'), table_name='documents')
    op.drop_index(op.f('ix_documents_depositor_account_id'), table_name='documents')
    op.drop_table('documents')
    op.drop_index(op.f('ix_vault_parties_expertise_id'), table_name='vault_parties')
    op.drop_table('vault_parties')
    op.drop_index(op.f('ix_vault_participants_expertise_id'), table_name='vault_participants')
    op.drop_index(op.f('ix_vault_participants_account_id'), table_name='vault_participants')
    op.drop_table('vault_participants')
    op.drop_table('folders')
    op.drop_table('vault_expertises')

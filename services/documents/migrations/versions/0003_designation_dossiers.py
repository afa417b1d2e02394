"""Designation dossiers: their read model, folders and documents outside any expertise; an object
may back several rows (request files filed into expert/designation without copying bytes).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_designations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("designator_account_id", sa.String(length=64), nullable=False),
        sa.Column("expert_account_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.add_column("documents", sa.Column("designation_id", sa.String(length=64), nullable=True))
    op.add_column("documents", sa.Column("source_document_id", sa.String(length=64), nullable=True))
    op.alter_column("documents", "expertise_id", existing_type=sa.String(length=64), nullable=True)
    op.drop_constraint("documents_object_key_key", "documents", type_="unique")
    op.create_index("ix_documents_object_key", "documents", ["object_key"], unique=False)
    op.create_foreign_key("documents_designation_id_fkey", "documents", "vault_designations",
                          ["designation_id"], ["id"])
    op.add_column("folders", sa.Column("designation_id", sa.String(length=64), nullable=True))
    op.alter_column("folders", "expertise_id", existing_type=sa.String(length=64), nullable=True)
    op.create_index("ix_folders_designation_id", "folders", ["designation_id"], unique=False)
    op.create_foreign_key("folders_designation_id_fkey", "folders", "vault_designations", ["designation_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint("folders_designation_id_fkey", "folders", type_="foreignkey")
    op.drop_index("ix_folders_designation_id", table_name="folders")
    op.drop_column("folders", "designation_id")
    op.drop_constraint("documents_designation_id_fkey", "documents", type_="foreignkey")
    op.drop_index("ix_documents_object_key", table_name="documents")
    op.create_unique_constraint("documents_object_key_key", "documents", ["object_key"])
    op.drop_column("documents", "source_document_id")
    op.drop_column("documents", "designation_id")
    op.drop_table("vault_designations")

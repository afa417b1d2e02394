"""Accounts, certificates, links, software-certificate CA state, CGU and directory reference data.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cgu_versions',
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version'),
    comment='Versions of the CGU; the latest in force must be accepted.'
    )
    op.create_table('courts',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code'),
    comment="The cours d'appel (reference data, data/cours-appel.csv)."
    )
    op.create_table('crls',
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_update', sa.DateTime(timezone=True), nullable=False),
    sa.Column('der', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('number'),
    comment='CRLs of the software-certificate CA, the latest served publicly.'
    )
    op.create_table('idempotency_keys',
    sa.Column('principal', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('operation', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('principal', 'key'),
    comment='Idempotency-Key of creating POSTs: a repeat returns the first result.'
    )
    op.create_table('nomenclatures',
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('current', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('version'),
    comment='Versions of the expert specialities nomenclature; one is offered at registration.'
    )
    op.create_index('uq_nomenclatures_current', 'nomenclatures', ['current'], unique=True,
                    postgresql_where=sa.text('current'))
    op.create_table('accounts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('given_name', sa.String(length=128), nullable=False),
    sa.Column('surname', sa.String(length=128), nullable=False),
    sa.Column('given_name_key', sa.String(length=128), nullable=False),
    sa.Column('surname_key', sa.String(length=128), nullable=False),
    sa.Column('email', sa.String(length=92), nullable=False),
    sa.Column('phone_fixed', sa.String(length=32), nullable=True),
    sa.Column('phone_mobile', sa.String(length=32), nullable=True),
    sa.Column('address_street', sa.String(length=192), nullable=True),
    sa.Column('address_postal_code', sa.String(length=8), nullable=True),
    sa.Column('address_city', sa.String(length=32), nullable=True),
    sa.Column('address_country', sa.String(length=64), nullable=True),
    sa.Column('address_text', sa.String(length=300), nullable=True),
    sa.Column('court_code', sa.String(length=32), nullable=True),
    sa.Column('national_list', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('nomenclature', sa.String(length=32), nullable=True),
    sa.Column('cgu_version', sa.String(length=32), nullable=True),
    sa.Column('merged_into', sa.String(length=36), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cgu_version'], ['cgu_versions.version'], ),
    sa.ForeignKeyConstraint(['court_code'], ['courts.code'], ),
    sa.ForeignKeyConstraint(['merged_into'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['nomenclature'], ['nomenclatures.version'], ),
    sa.PrimaryKeyConstraint('id'),
    comment='One person in one profile; certificates point at it.'
    )
    op.create_index('ix_accounts_email', 'accounts', ['email'], unique=False)
    op.create_index('ix_accounts_surname_key', 'accounts', ['profile', 'surname_key', 'given_name_key', 'id'],
                    unique=False,
                    postgresql_ops={'surname_key': 'text_pattern_ops', 'given_name_key': 'text_pattern_ops'})
    op.create_table('specialities',
    sa.Column('nomenclature', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['nomenclature'], ['nomenclatures.version'], ),
    sa.PrimaryKeyConstraint('nomenclature', 'code'),
    comment='Branches, rubriques and spécialités of each nomenclature version.'
    )
    op.create_table('account_specialities',
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('nomenclature', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nomenclature', 'code'], ['specialities.nomenclature', 'specialities.code'], ),
    sa.PrimaryKeyConstraint('account_id', 'nomenclature', 'code'),
    comment='The rubriques and spécialités an expert declared.'
    )
    op.create_index('ix_account_specialities_code', 'account_specialities', ['nomenclature', 'code'], unique=False)
    op.create_table('association_links',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash'),
    comment='Single-use links binding a new certificate to an account (cases A and B).'
    )
    op.create_table('certificates',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('serial_hex', sa.String(length=64), nullable=False),
    sa.Column('family', sa.String(length=16), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pem', sa.Text(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('bound_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bound_via', sa.String(length=32), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.String(length=32), nullable=True),
    sa.Column('software', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('expertise_id', sa.String(length=64), nullable=True),
    sa.Column('issued_by', sa.String(length=36), nullable=True),
    sa.Column('renewal_of', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('fingerprint'),
    comment='Every trusted certificate identity has seen; bound ones point at their account.'
    )
    op.create_index('ix_certificates_account', 'certificates', ['account_id'], unique=False)
    op.create_index('ix_certificates_not_after', 'certificates', ['not_after'], unique=False,
                    postgresql_where=sa.text('account_id IS NOT NULL AND revoked_at IS NULL'))
    op.create_index('ix_certificates_serial', 'certificates', ['serial_hex'], unique=False)
    op.create_table('cgu_acceptances',
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cert_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('client_ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['version'], ['cgu_versions.version'], ),
    sa.PrimaryKeyConstraint('account_id', 'version'),
    comment='Who accepted which CGU version, when, with which certificate.'
    )
    op.create_table('certificate_packages',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_key', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retrieved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['fingerprint'], ['certificates.fingerprint'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fingerprint'),
    sa.UniqueConstraint('token_hash'),
    comment="One-time retrieval of a software certificate's PKCS#12."
    )
    op.create_table('expiry_notices',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('threshold_days', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fingerprint'], ['certificates.fingerprint'], ),
    sa.PrimaryKeyConstraint('fingerprint', 'threshold_days'),
    comment='identity.certificate_expiring published once per certificate and threshold.'
    )


def downgrade() -> None:
    op.drop_table('expiry_notices')
    op.drop_table('certificate_packages')
    op.drop_table('cgu_acceptances')
    op.drop_index('ix_certificates_serial', table_name='certificates')
    op.drop_index('ix_certificates_not_after', table_name='certificates',
                  postgresql_where=sa.text('account_id IS NOT NULL AND revoked_at IS NULL'))
    op.drop_index('ix_certificates_account', table_name='certificates')
    op.drop_table('certificates')
    op.drop_table('association_links')
    op.drop_index('ix_account_specialities_code', table_name='account_specialities')
    op.drop_table('account_specialities')
    op.drop_table('specialities')
    op.drop_index('ix_accounts_surname_key', table_name='accounts',
                  postgresql_ops={'surname_key': 'text_pattern_ops', 'given_name_key': 'text_pattern_ops'})
    op.drop_index('ix_accounts_email', table_name='accounts')
    op.drop_table('accounts')
    op.drop_index('uq_nomenclatures_current', table_name='nomenclatures', postgresql_where=sa.text('current'))
    op.drop_table('nomenclatures')
    op.drop_table('idempotency_keys')
    op.drop_table('crls')
    op.drop_table('courts')
    op.drop_table('cgu_versions')

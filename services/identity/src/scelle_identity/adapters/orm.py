"""Tables of the identity database (mechanics tables live in scelle_common.tables).

Names are searched through ``*_key`` columns (see ``domain.directory.search_key``) with
``text_pattern_ops`` indexes, so a prefix search never scans the table and needs no extension.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

courts = Table(
    "courts",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    comment="The cours d'appel (reference data, data/cours-appel.csv).",
)

nomenclatures = Table(
    "nomenclatures",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("label", String(200), nullable=False),
    Column("current", Boolean, nullable=False, server_default=text("false")),
    Index("uq_nomenclatures_current", "current", unique=True, postgresql_where=text("current")),
    comment="Versions of the expert specialities nomenclature; one is offered at registration.",
)

specialities = Table(
    "specialities",
    metadata,
    Column("nomenclature", String(32), ForeignKey("nomenclatures.version"), primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("label", String(200), nullable=False),
    Column("level", String(16), nullable=False),
    comment="Branches, rubriques and spécialités of each nomenclature version.",
)

cgu_versions = Table(
    "cgu_versions",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    comment="Versions of the CGU; the latest in force must be accepted.",
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("profile", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("given_name", String(128), nullable=False),
    Column("surname", String(128), nullable=False),
    Column("given_name_key", String(128), nullable=False),
    Column("surname_key", String(128), nullable=False),
    Column("email", String(92), nullable=False),
    Column("phone_fixed", String(32)),
    Column("phone_mobile", String(32)),
    Column("address_street", String(192)),
    Column("address_postal_code", String(8)),
    Column("address_city", String(32)),
    Column("address_country", String(64)),
    Column("address_text", String(300)),
    Column("court_code", String(32), ForeignKey("courts.code")),
    Column("national_list", Boolean, nullable=False, server_default=text("false")),
    Column("nomenclature", String(32), ForeignKey("nomenclatures.version")),
    Column("cgu_version", String(32), ForeignKey("cgu_versions.version")),
    Column("merged_into", String(36), ForeignKey("accounts.id")),
    Column("status_changed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_accounts_surname_key", "profile", "surname_key", "given_name_key", "id",
          postgresql_ops={"surname_key": "text_pattern_ops", "given_name_key": "text_pattern_ops"}),
    Index("ix_accounts_email", "email"),
    comment="One person in one profile; certificates point at it.",
)

account_specialities = Table(
    "account_specialities",
    metadata,
    Column("account_id", String(36), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("nomenclature", String(32), primary_key=True),
    Column("code", String(16), primary_key=True),
    ForeignKeyConstraint(["nomenclature", "code"], ["specialities.nomenclature", "specialities.code"]),
    Index("ix_account_specialities_code", "nomenclature", "code"),
    comment="The rubriques and spécialités an expert declared.",
)

cgu_acceptances = Table(
    "cgu_acceptances",
    metadata,
    Column("account_id", String(36), ForeignKey("accounts.id"), primary_key=True),
    Column("version", String(32), ForeignKey("cgu_versions.version"), primary_key=True),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
    Column("cert_fingerprint", String(64)),
    Column("client_ip", String(64)),
    comment="Who accepted which CGU version, when, with which certificate.",
)

certificates = Table(
    "certificates",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("serial_hex", String(64), nullable=False),
    Column("family", String(16), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("not_before", DateTime(timezone=True), nullable=False),
    Column("not_after", DateTime(timezone=True), nullable=False),
    Column("pem", Text, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id")),
    Column("bound_at", DateTime(timezone=True)),
    Column("bound_via", String(32)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revocation_reason", String(32)),
    Column("software", Boolean, nullable=False, server_default=text("false")),
    Column("expertise_id", String(64)),
    Column("issued_by", String(36)),
    Column("renewal_of", String(64)),
    Index("ix_certificates_account", "account_id"),
    Index("ix_certificates_serial", "serial_hex"),
    Index("ix_certificates_not_after", "not_after",
          postgresql_where=text("account_id IS NOT NULL AND revoked_at IS NULL")),
    comment="Every trusted certificate identity has seen; bound ones point at their account.",
)

expiry_notices = Table(
    "expiry_notices",
    metadata,
    Column("fingerprint", String(64), ForeignKey("certificates.fingerprint"), primary_key=True),
    Column("threshold_days", Integer, primary_key=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    comment="identity.certificate_expiring published once per certificate and threshold.",
)

association_links = Table(
    "association_links",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("used_fingerprint", String(64)),
    Column("withdrawn_at", DateTime(timezone=True)),
    comment="Single-use links binding a new certificate to an account (cases A and B).",
)

certificate_packages = Table(
    "certificate_packages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("fingerprint", String(64), ForeignKey("certificates.fingerprint"), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    # The private key, sealed with a key derived from the link's secret, erased once retrieved.
    Column("sealed_key", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("retrieved_at", DateTime(timezone=True)),
    Column("withdrawn_at", DateTime(timezone=True)),
    comment="One-time retrieval of a software certificate's PKCS#12.",
)

crls = Table(
    "crls",
    metadata,
    Column("number", BigInteger, primary_key=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("next_update", DateTime(timezone=True), nullable=False),
    Column("der", LargeBinary, nullable=False),
    comment="CRLs of the software-certificate CA, the latest served publicly.",
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("principal", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("operation", String(64), nullable=False),
    Column("resource_id", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    comment="Idempotency-Key of creating POSTs: a repeat returns the first result.",
)

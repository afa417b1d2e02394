"""Marshmallow schemas of the identity API: input validation and the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from scelle_identity.domain import accounts as rules
from scelle_identity.domain.directory import MAX_PAGE_SIZE
from scelle_identity.domain.profiles import PROFILES
from scelle_identity.domain.software_certificates import (
    PASSWORD_MIN_LENGTH,
    REVOCATION_REASONS,
    SOFTWARE_PROFILES,
)

_name = validate.Length(min=1, max=rules.NAME_MAX)
_phone = validate.And(validate.Length(max=rules.PHONE_MAX),
                      validate.Regexp(rules.PHONE_PATTERN, error="numéro de téléphone invalide"))


def _email(**kwargs: object) -> ma.fields.Email:
    return ma.fields.Email(validate=validate.Length(max=rules.EMAIL_MAX), **kwargs)  # type: ignore[arg-type]


class AddressSchema(ma.Schema):
    street = ma.fields.String(allow_none=True, validate=validate.Length(max=rules.STREET_MAX))
    postal_code = ma.fields.String(allow_none=True, validate=validate.Length(max=rules.POSTAL_CODE_MAX))
    city = ma.fields.String(allow_none=True, validate=validate.Length(max=rules.CITY_MAX))
    country = ma.fields.String(allow_none=True, validate=validate.Length(max=rules.COUNTRY_MAX))


class RegistrationSchema(ma.Schema):
    """First login with a trusted certificate no account holds (DESIGN §6.8)."""

    profile = ma.fields.String(validate=validate.OneOf(PROFILES),
                               metadata={"description": "default: the certificate's hint, if its family allows it"})
    given_name = ma.fields.String(validate=_name, metadata={"description": "default: from the certificate"})
    surname = ma.fields.String(validate=_name, metadata={"description": "default: from the certificate"})
    email = _email(required=True)
    phone_fixed = ma.fields.String(allow_none=True, validate=_phone)
    phone_mobile = ma.fields.String(allow_none=True, validate=_phone)
    address = ma.fields.Nested(AddressSchema, load_default=None)
    address_text = ma.fields.String(allow_none=True, validate=validate.Length(max=rules.JUSTICE_ADDRESS_MAX),
                                    metadata={"description": "magistrats and greffiers: free-text address"})
    court_code = ma.fields.String(allow_none=True, metadata={"description": "experts: their cour d'appel"})
    national_list = ma.fields.Boolean(allow_none=True, metadata={"description": "experts: liste nationale"})
    specialities = ma.fields.List(ma.fields.String(validate=validate.Length(max=16)),
                                  load_default=list, validate=validate.Length(max=50))
    cgu_version = ma.fields.String(required=True, metadata={"description": "the CGU version in force, accepted"})


class AccountSchema(ma.Schema):
    id = ma.fields.String()
    profile = ma.fields.String()
    status = ma.fields.String()
    given_name = ma.fields.String()
    surname = ma.fields.String()
    email = ma.fields.String()
    phone_fixed = ma.fields.String(allow_none=True)
    phone_mobile = ma.fields.String(allow_none=True)
    address = ma.fields.Nested(AddressSchema)
    address_text = ma.fields.String(allow_none=True)
    court_code = ma.fields.String(allow_none=True)
    national_list = ma.fields.Boolean()
    specialities = ma.fields.List(ma.fields.String())
    cgu_version = ma.fields.String(allow_none=True)
    version = ma.fields.Integer()
    created_at = ma.fields.DateTime()


class AccountUpdateSchema(ma.Schema):
    """The holder's own contact details; absent fields stay as they are."""

    email = _email()
    phone_fixed = ma.fields.String(allow_none=True, validate=_phone)
    phone_mobile = ma.fields.String(allow_none=True, validate=_phone)
    address = ma.fields.Nested(AddressSchema)
    address_text = ma.fields.String(allow_none=True, validate=validate.Length(max=rules.JUSTICE_ADDRESS_MAX))


class CertificateSchema(ma.Schema):
    fingerprint = ma.fields.String(metadata={"description": "SHA-256 of the DER certificate, hex"})
    serial_hex = ma.fields.String()
    family = ma.fields.String()
    subject = ma.fields.String()
    issuer = ma.fields.String()
    not_before = ma.fields.DateTime()
    not_after = ma.fields.DateTime()
    status = ma.fields.String(metadata={"description": "valid, expired, revoked, not_yet_valid"})
    software = ma.fields.Boolean()
    expertise_id = ma.fields.String(allow_none=True)
    bound_at = ma.fields.DateTime(allow_none=True)
    bound_via = ma.fields.String(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    current = ma.fields.Boolean(metadata={"description": "the certificate of this request"})


class CertificateListSchema(ma.Schema):
    certificates = ma.fields.List(ma.fields.Nested(CertificateSchema))


class CguSchema(ma.Schema):
    version = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String(metadata={"description": "Markdown"})
    effective_at = ma.fields.DateTime()
    published_at = ma.fields.DateTime()


class CguAcceptanceSchema(ma.Schema):
    version = ma.fields.String(required=True)


class CguPublicationSchema(ma.Schema):
    version = ma.fields.String(required=True, validate=validate.Length(max=32))
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = ma.fields.String(required=True, validate=validate.Length(min=1, max=200_000))
    effective_at = ma.fields.AwareDateTime(load_default=None, default_timezone=None)


class LinkSentSchema(ma.Schema):
    link_id = ma.fields.String()
    account_id = ma.fields.String()
    sent_to = ma.fields.String()
    expires_at = ma.fields.DateTime()


class LinkInfoSchema(ma.Schema):
    state = ma.fields.String(metadata={"description": "usable, used, expired, withdrawn"})
    expires_at = ma.fields.DateTime()
    holder = ma.fields.String()


class MergeRequestSchema(ma.Schema):
    primary_account_id = ma.fields.String(required=True, validate=validate.Length(max=36))
    duplicate_account_id = ma.fields.String(required=True, validate=validate.Length(max=36))
    reason = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))


class MergeSchema(ma.Schema):
    primary = ma.fields.Nested(AccountSchema)
    merged = ma.fields.Nested(AccountSchema)
    moved_certificates = ma.fields.List(ma.fields.String())


class AccountLookupSchema(ma.Schema):
    email = ma.fields.String(validate=validate.Length(max=rules.EMAIL_MAX))
    serial = ma.fields.String(validate=validate.Length(max=80))


class AccountListSchema(ma.Schema):
    accounts = ma.fields.List(ma.fields.Nested(AccountSchema))


class OperatorAccountSchema(AccountSchema):
    certificates = ma.fields.List(ma.fields.Nested(CertificateSchema))


class SoftwareCertificateRequestSchema(ma.Schema):
    profile = ma.fields.String(required=True, validate=validate.OneOf(SOFTWARE_PROFILES))
    expertise_id = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    account_id = ma.fields.String(allow_none=True, validate=validate.Length(max=36),
                                  metadata={"description": "an existing account; else the holder's details"})
    given_name = ma.fields.String(validate=_name)
    surname = ma.fields.String(validate=_name)
    email = _email()
    phone_fixed = ma.fields.String(allow_none=True, validate=_phone)
    phone_mobile = ma.fields.String(allow_none=True, validate=_phone)


class IssuedCertificateSchema(ma.Schema):
    account_id = ma.fields.String()
    certificate = ma.fields.Nested(CertificateSchema)
    sent_to = ma.fields.String(allow_none=True, metadata={"description": "where the retrieval link went"})
    link_expires_at = ma.fields.DateTime(allow_none=True)


class RevocationSchema(ma.Schema):
    reason = ma.fields.String(load_default="unspecified", validate=validate.OneOf(REVOCATION_REASONS))


class PackageInfoSchema(ma.Schema):
    state = ma.fields.String()
    expires_at = ma.fields.DateTime()
    holder = ma.fields.String()
    fingerprint = ma.fields.String()
    not_after = ma.fields.DateTime()


class PackageRetrievalSchema(ma.Schema):
    password = ma.fields.String(required=True, validate=validate.Length(min=PASSWORD_MIN_LENGTH, max=200),
                                metadata={"description": "chosen by the holder: protects the PKCS#12"})


class DirectoryQuerySchema(ma.Schema):
    surname = ma.fields.String(validate=validate.Length(min=1, max=rules.NAME_MAX))
    given_name = ma.fields.String(validate=validate.Length(min=1, max=rules.NAME_MAX))
    court = ma.fields.List(ma.fields.String(validate=validate.Length(max=32)), load_default=list,
                           metadata={"description": "cour d'appel code; repeat for several"})
    speciality = ma.fields.List(ma.fields.String(validate=validate.Length(max=16)), load_default=list,
                                metadata={"description": "nomenclature code; a rubrique matches its spécialités"})
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    cursor = ma.fields.String(validate=validate.Length(max=1000))


class ExpertSchema(ma.Schema):
    account_id = ma.fields.String(attribute="id")
    given_name = ma.fields.String()
    surname = ma.fields.String()
    email = ma.fields.String()
    phone_fixed = ma.fields.String(allow_none=True)
    phone_mobile = ma.fields.String(allow_none=True)
    court_code = ma.fields.String()
    national_list = ma.fields.Boolean()
    specialities = ma.fields.List(ma.fields.String())


class DirectoryPageSchema(ma.Schema):
    experts = ma.fields.List(ma.fields.Nested(ExpertSchema))
    next_cursor = ma.fields.String(allow_none=True)


class CourtSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()


class CourtListSchema(ma.Schema):
    courts = ma.fields.List(ma.fields.Nested(CourtSchema))


class SpecialitySchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    level = ma.fields.String()


class SpecialityListSchema(ma.Schema):
    nomenclature = ma.fields.String()
    label = ma.fields.String()
    specialities = ma.fields.List(ma.fields.Nested(SpecialitySchema))

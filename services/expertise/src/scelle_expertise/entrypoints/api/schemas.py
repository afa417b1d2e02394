"""Marshmallow schemas of the expertise API: input validation and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from scelle_expertise.adapters.read_models import SORTS
from scelle_expertise.domain import roles, status
from scelle_expertise.domain.errors import InvalidRequest
from scelle_expertise.domain.naming import FIELD_MAX, MI_MAX, MISSION_MAX, PORTALIS_MAX, parse_designation_date
from scelle_expertise.domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

_field = validate.Length(min=1, max=FIELD_MAX)
_person = validate.Length(max=roles.PERSON_NAME_MAX)
_phone = validate.Length(max=roles.PHONE_MAX)
_id = validate.Length(min=1, max=64)


class DesignationDate(ma.fields.Field):
    """``dd-mm-yyyy`` (``.``, ``/``, spaces accepted as separators) or ISO; a real calendar date."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ma.ValidationError("date attendue au format jj-mm-aaaa")
        try:
            return parse_designation_date(value)
        except InvalidRequest as exc:
            raise ma.ValidationError(next(iter(exc.fields.values()), exc.detail)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.isoformat() if value else None


class NamingSchema(ma.Schema):
    """The eight naming fields (DESIGN §6.3)."""

    first_applicant = ma.fields.String(required=True, validate=_field, metadata={"description": "premier demandeur"})
    first_defender = ma.fields.String(required=True, validate=_field, metadata={"description": "premier défendeur"})
    jurisdiction = ma.fields.String(required=True, validate=_field, metadata={"description": "juridiction"})
    rg_number = ma.fields.String(required=True, validate=_field, metadata={"description": "n° RG"})
    record_number = ma.fields.String(allow_none=True, validate=validate.Length(max=FIELD_MAX),
                                     metadata={"description": "n° de dossier"})
    expert_name = ma.fields.String(required=True, validate=_field, metadata={"description": "expert"})
    mi_number = ma.fields.String(allow_none=True, validate=validate.Length(max=MI_MAX),
                                 metadata={"description": "n° Mi (12 caractères au plus)"})
    designation_date = DesignationDate(required=True, metadata={"description": "jj-mm-aaaa (date réelle)"})


class CreateExpertiseSchema(NamingSchema):
    portalis_number = ma.fields.String(allow_none=True, validate=validate.Length(max=PORTALIS_MAX))
    mission = ma.fields.String(allow_none=True, validate=validate.Length(max=MISSION_MAX))
    owner_given_name = ma.fields.String(allow_none=True, validate=_person,
                                        metadata={"description": "the owner expert's first name, as shown"})
    owner_surname = ma.fields.String(allow_none=True, validate=_person)
    owner_email = ma.fields.Email(allow_none=True, validate=validate.Length(max=roles.EMAIL_MAX))


class UpdateExpertiseSchema(ma.Schema):
    """Absent fields stay as they are; ``null`` clears a date (back to « En attente de consignation »)."""

    portalis_number = ma.fields.String(allow_none=True, validate=validate.Length(max=PORTALIS_MAX))
    mission = ma.fields.String(allow_none=True, validate=validate.Length(max=MISSION_MAX))
    consignation_date = ma.fields.Date(allow_none=True)
    deadline = ma.fields.Date(allow_none=True, metadata={"description": "délai: date the report is due"})


class StatusChangeRequestSchema(ma.Schema):
    to = ma.fields.String(required=True, validate=validate.OneOf(status.STATUSES))
    confirmed = ma.fields.Boolean(required=True, metadata={"description": "the client confirmed the change"})
    reason = ma.fields.String(allow_none=True, validate=validate.Length(max=status.REASON_MAX),
                              metadata={"description": "required to reopen a finished case"})


class PartySchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    representation = ma.fields.String()
    added_at = ma.fields.DateTime()


class CreatePartySchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=roles.PARTY_NAME_MAX))
    kind = ma.fields.String(required=True, validate=validate.OneOf(roles.PARTY_KINDS))
    representation = ma.fields.String(required=True, validate=validate.OneOf(roles.REPRESENTATIONS))


class UpdatePartySchema(ma.Schema):
    name = ma.fields.String(validate=validate.Length(min=1, max=roles.PARTY_NAME_MAX))
    kind = ma.fields.String(validate=validate.OneOf(roles.PARTY_KINDS))
    representation = ma.fields.String(validate=validate.OneOf(roles.REPRESENTATIONS))


class ParticipantSchema(ma.Schema):
    id = ma.fields.String()
    account_id = ma.fields.String(allow_none=True)
    role = ma.fields.String()
    role_label = ma.fields.String()
    display_name = ma.fields.String()
    given_name = ma.fields.String(allow_none=True)
    surname = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    party_ids = ma.fields.List(ma.fields.String())
    active = ma.fields.Boolean()
    en_charge = ma.fields.Boolean()
    invitation_pending = ma.fields.Boolean()
    added_at = ma.fields.DateTime()


class _PersonFields(ma.Schema):
    given_name = ma.fields.String(allow_none=True, validate=_person)
    surname = ma.fields.String(allow_none=True, validate=_person)
    phone_fixed = ma.fields.String(allow_none=True, validate=_phone)
    phone_mobile = ma.fields.String(allow_none=True, validate=_phone)
    party_ids = ma.fields.List(ma.fields.String(validate=_id), load_default=list, validate=validate.Length(max=100))


class AddParticipantSchema(_PersonFields):
    """Someone with an account, chosen from a directory (identity): co-expert, sapiteur expert, magistrat,
    greffier, avocat (with the parties they represent), expert de partie, or a party member who has an account."""

    account_id = ma.fields.String(required=True, validate=_id)
    role = ma.fields.String(required=True, validate=validate.OneOf(
        (*roles.DIRECTORY_ROLES, *roles.PARTY_MEMBER_ROLES)))
    email = ma.fields.Email(allow_none=True, validate=validate.Length(max=roles.EMAIL_MAX))
    en_charge = ma.fields.Boolean(load_default=False, metadata={"description": "magistrats: take the charge"})


class InviteParticipantSchema(_PersonFields):
    """A party member or a non-expert sapiteur invited by e-mail (identity issues a software certificate)."""

    role = ma.fields.String(required=True, validate=validate.OneOf((*roles.PARTY_MEMBER_ROLES, roles.SAPITEUR)))
    email = ma.fields.Email(required=True, validate=validate.Length(max=roles.EMAIL_MAX))
    # Identity opens the holder's account with them (and prints them in the certificate).
    given_name = ma.fields.String(required=True, validate=validate.Length(min=1, max=roles.PERSON_NAME_MAX))
    surname = ma.fields.String(required=True, validate=validate.Length(min=1, max=roles.PERSON_NAME_MAX))


class UpdateParticipantSchema(ma.Schema):
    active = ma.fields.Boolean()
    en_charge = ma.fields.Boolean(metadata={"description": "true hands the charge to this magistrat"})
    party_ids = ma.fields.List(ma.fields.String(validate=_id), validate=validate.Length(max=100))


class RemoveParticipantSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=status.REASON_MAX))


class StatusChangeSchema(ma.Schema):
    id = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    to_status_label = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    changed_by = ma.fields.String(allow_none=True)
    changed_at = ma.fields.DateTime()
    reopened = ma.fields.Boolean()
    expertise_version = ma.fields.Integer()


class ExpertiseSchema(ma.Schema):
    id = ma.fields.String()
    version = ma.fields.Integer()
    display_name = ma.fields.String()
    naming = ma.fields.Nested(NamingSchema)
    status = ma.fields.String()
    status_label = ma.fields.String()
    allowed_transitions = ma.fields.List(ma.fields.String(), metadata={"description": "for the owner expert"})
    consignation_date = ma.fields.Date(allow_none=True)
    consignation_label = ma.fields.String(metadata={"description": "« En attente de consignation » while empty"})
    deadline = ma.fields.Date(allow_none=True)
    portalis_number = ma.fields.String(allow_none=True)
    mission = ma.fields.String(allow_none=True)
    owner_account_id = ma.fields.String()
    designation_id = ma.fields.String(allow_none=True)
    my_role = ma.fields.String(allow_none=True)
    is_owner = ma.fields.Boolean()
    magistrat_en_charge = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    en_cours_at = ma.fields.DateTime(allow_none=True)
    terminee_at = ma.fields.DateTime(allow_none=True)
    parties = ma.fields.List(ma.fields.Nested(PartySchema))
    participants = ma.fields.List(ma.fields.Nested(ParticipantSchema))
    history = ma.fields.List(ma.fields.Nested(StatusChangeSchema))


def page_of(item: type[ma.Schema]) -> type[ma.Schema]:
    """A page of ``item``: ``items`` and the opaque ``next_cursor`` (null on the last page)."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item)),
        "next_cursor": ma.fields.String(allow_none=True, metadata={"description": "pass it as cursor"}),
    }, name=item.__name__.removesuffix("Schema") + "Page")


class PageArgsSchema(ma.Schema):
    limit = ma.fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=1000))


class WorkspaceArgsSchema(PageArgsSchema):
    status = ma.fields.List(ma.fields.String(validate=validate.OneOf(status.STATUSES)), load_default=list,
                            metadata={"description": "repeatable; default: every status but terminee"})
    role = ma.fields.List(ma.fields.String(validate=validate.OneOf(roles.ROLES)), load_default=list,
                          metadata={"description": "repeatable: the caller's role (expert, co_expert, sapiteur tabs)"})
    sort = ma.fields.String(load_default="name", validate=validate.OneOf(SORTS))
    order = ma.fields.String(load_default="asc", validate=validate.OneOf(("asc", "desc")))


class WorkspaceItemSchema(ma.Schema):
    id = ma.fields.String()
    display_name = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    consignation_date = ma.fields.Date(allow_none=True)
    consignation_label = ma.fields.String()
    deadline = ma.fields.Date(allow_none=True)
    my_role = ma.fields.String()
    magistrat_en_charge = ma.fields.String(allow_none=True)
    unread_count = ma.fields.Integer(metadata={"description": "documents the caller has not downloaded"})
    has_unread = ma.fields.Boolean()
    version = ma.fields.Integer()


WorkspacePageSchema = page_of(WorkspaceItemSchema)


class SearchArgsSchema(PageArgsSchema):
    q = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))


class ExpertiseHitSchema(ma.Schema):
    id = ma.fields.String()
    display_name = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    consignation_date = ma.fields.Date(allow_none=True)
    consignation_label = ma.fields.String()
    rg_number = ma.fields.String()
    mi_number = ma.fields.String(allow_none=True)
    portalis_number = ma.fields.String(allow_none=True)
    jurisdiction = ma.fields.String()
    magistrat_en_charge = ma.fields.String(allow_none=True)


ExpertiseHitPageSchema = page_of(ExpertiseHitSchema)


class ParticipantHitSchema(ma.Schema):
    participant_id = ma.fields.String()
    expertise_id = ma.fields.String()
    expertise_name = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    role_label = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    account_id = ma.fields.String(allow_none=True)


ParticipantHitPageSchema = page_of(ParticipantHitSchema)


class SummarySchema(ma.Schema):
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    awaiting_consignation = ma.fields.Integer()
    median_days_designation_to_en_cours = ma.fields.Float(allow_none=True)
    median_days_en_cours_to_terminee = ma.fields.Float(allow_none=True)

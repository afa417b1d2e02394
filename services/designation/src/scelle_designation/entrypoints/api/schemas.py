"""Marshmallow schemas of the designation API: input validation and the OpenAPI document."""

from __future__ import annotations



import marshmallow as ma
from marshmallow import validate

from scelle_designation.domain import model
from scelle_designation.domain.naming import FIELD_MAX, MI_MAX, MISSION_MAX, PORTALIS_MAX

_id = validate.Length(min=1, max=64)
_name = validate.Length(max=100)
_field = validate.Length(min=1, max=FIELD_MAX)
MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 200, 50
# Query values of ``state``: the statuses, ``all``, and *rejetee* (the label of a refusal).
STATE_VALUES = (*model.STATUSES, "rejetee", "all")


class ExpertSchema(ma.Schema):
    """The expert chosen in identity's directory: account id and what the directory card showed."""

    account_id = ma.fields.String(required=True, validate=_id)
    given_name = ma.fields.String(allow_none=True, validate=_name)
    surname = ma.fields.String(allow_none=True, validate=_name)
    email = ma.fields.Email(allow_none=True, validate=validate.Length(max=254))
    court_code = ma.fields.String(allow_none=True, validate=validate.Length(max=64),
                                  metadata={"description": "cour d'appel (identity's court code)"})
    national_list = ma.fields.Boolean(allow_none=True)
    specialities = ma.fields.List(ma.fields.String(validate=validate.Length(max=64)),
                                  validate=validate.Length(max=50), load_default=list)


class DesignatorSchema(ma.Schema):
    given_name = ma.fields.String(allow_none=True, validate=_name)
    surname = ma.fields.String(allow_none=True, validate=_name)
    email = ma.fields.Email(allow_none=True, validate=validate.Length(max=254))


class CreateDesignationSchema(ma.Schema):
    expert = ma.fields.Nested(ExpertSchema, allow_none=True, load_default=None,
                              metadata={"description": "may also be chosen later with PUT …/expert"})
    designator = ma.fields.Nested(DesignatorSchema, load_default=dict,
                                  metadata={"description": "the designator's own names, as shown to the expert"})


class NamingSchema(ma.Schema):
    """The eight naming fields of DESIGN §6.3 (the date as jj-mm-aaaa; checked as a real date)."""

    first_applicant = ma.fields.String(required=True, validate=_field, metadata={"description": "premier demandeur"})
    first_defender = ma.fields.String(required=True, validate=_field, metadata={"description": "premier défendeur"})
    jurisdiction = ma.fields.String(required=True, validate=_field, metadata={"description": "juridiction"})
    rg_number = ma.fields.String(required=True, validate=_field, metadata={"description": "n° RG"})
    record_number = ma.fields.String(allow_none=True, validate=validate.Length(max=FIELD_MAX))
    expert_name = ma.fields.String(required=True, validate=_field, metadata={"description": "expert"})
    mi_number = ma.fields.String(allow_none=True, validate=validate.Length(max=MI_MAX))
    designation_date = ma.fields.String(required=True, validate=validate.Length(min=8, max=10),
                                        metadata={"description": "date de désignation, jj-mm-aaaa"})


class AcceptSchema(NamingSchema):
    portalis_number = ma.fields.String(allow_none=True, validate=validate.Length(max=PORTALIS_MAX))
    mission = ma.fields.String(allow_none=True, validate=validate.Length(max=MISSION_MAX))


class RefuseSchema(ma.Schema):
    justification = ma.fields.String(required=True, validate=validate.Length(min=1, max=model.JUSTIFICATION_MAX))


class ListArgsSchema(ma.Schema):
    state = ma.fields.List(ma.fields.String(validate=validate.OneOf(STATE_VALUES)), load_default=lambda: [
        model.EN_ATTENTE], metadata={"description": "repeatable; en_attente by default, all for every state"})
    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=500))
    limit = ma.fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageArgsSchema(ma.Schema):
    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=500))
    limit = ma.fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class DesignationSchema(ma.Schema):
    id = ma.fields.String()
    version = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": list(model.STATUSES)})
    status_label = ma.fields.String(metadata={"description": "Brouillon, En attente, Acceptée, Rejetée, Retirée"})
    designator = ma.fields.Dict()
    expert = ma.fields.Dict(allow_none=True)
    created_at = ma.fields.String()
    sent_at = ma.fields.String(allow_none=True)
    reminder_count = ma.fields.Integer()
    last_reminded_at = ma.fields.String(allow_none=True)
    hours_since_last_reminder = ma.fields.Float(allow_none=True)
    can_remind = ma.fields.Boolean()
    reminder_possible_at = ma.fields.String(allow_none=True)
    can_withdraw = ma.fields.Boolean()
    withdrawal_possible_at = ma.fields.String(allow_none=True)
    withdrawn_at = ma.fields.String(allow_none=True)
    answered_at = ma.fields.String(allow_none=True)
    dossier = ma.fields.Dict(metadata={"description": "the vault folders of the dossier"})
    documents = ma.fields.Dict(metadata={"description": "files per part (demande, reponse) as the vault announced them"})
    document_count = ma.fields.Integer()
    naming = ma.fields.Dict(allow_none=True)
    portalis_number = ma.fields.String(allow_none=True)
    mission = ma.fields.String(allow_none=True)
    justification = ma.fields.String(allow_none=True)


class DesignationPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DesignationSchema))
    next_cursor = ma.fields.String(allow_none=True)


class PendingPageSchema(DesignationPageSchema):
    count = ma.fields.Integer(metadata={"description": "designations awaiting the expert's answer"})


class StatisticsSchema(ma.Schema):
    drafts = ma.fields.Integer()
    sent = ma.fields.Integer()
    pending = ma.fields.Integer()
    accepted = ma.fields.Integer()
    refused = ma.fields.Integer()
    withdrawn = ma.fields.Integer()
    median_hours_to_answer = ma.fields.Float(allow_none=True)


def statuses_of(states: list[str]) -> list[str]:
    """``state`` query values → statuses (``all`` = every one, ``rejetee`` = ``refusee``)."""
    if "all" in states:
        return list(model.STATUSES)
    return sorted({model.REFUSEE if state == "rejetee" else state for state in states}, key=model.STATUSES.index)



"""Parties and participants of an expertise (the owner expert administers them)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from scelle_expertise.domain.model import PersonDetails
from scelle_expertise.entrypoints.api import schemas, views
from scelle_expertise.entrypoints.api.common import IDEMPOTENCY_DOC, actor, execute, execute_creating, services
from scelle_expertise.service_layer import participants

blueprint = Blueprint("participants", __name__, url_prefix="/v1/expertises/<string:expertise_id>",
                      description="Parties and participants of an expertise.")


def person_of(body: dict[str, Any]) -> PersonDetails:
    return PersonDetails(email=body.get("email"), given_name=body.get("given_name"), surname=body.get("surname"),
                         phone_fixed=body.get("phone_fixed"), phone_mobile=body.get("phone_mobile"))


@blueprint.route("/parties", methods=["POST"])
@blueprint.arguments(schemas.CreatePartySchema)
@blueprint.response(201, schemas.PartySchema)
@blueprint.doc(summary="Add a party (owner expert)", **IDEMPOTENCY_DOC)
def add_party(body: dict[str, Any], expertise_id: str) -> Response:
    caller = actor()
    return execute_creating(
        "party.add", f"expertise:{expertise_id}", body,
        lambda uow, now: participants.add_party(uow, services(), caller, now, expertise_id, **body),
        views.party_view)


@blueprint.route("/parties/<string:party_id>", methods=["PATCH"])
@blueprint.arguments(schemas.UpdatePartySchema)
@blueprint.response(200, schemas.PartySchema)
@blueprint.doc(summary="Rename a party, change its kind or representation (owner expert)")
def update_party(body: dict[str, Any], expertise_id: str, party_id: str) -> dict[str, Any]:
    caller = actor()
    party = execute("party.update", f"party:{party_id}", lambda uow, now: participants.update_party(
        uow, caller, now, expertise_id, party_id, name=body.get("name"), kind=body.get("kind"),
        representation=body.get("representation")))
    return views.party_view(party)


@blueprint.route("/participants", methods=["POST"])
@blueprint.arguments(schemas.AddParticipantSchema)
@blueprint.response(201, schemas.ParticipantSchema)
@blueprint.doc(summary="Add a participant who has an account (from a directory; owner expert)", **IDEMPOTENCY_DOC)
def add_participant(body: dict[str, Any], expertise_id: str) -> Response:
    caller = actor()
    return execute_creating(
        "participant.add", f"expertise:{expertise_id}", body,
        lambda uow, now: participants.add_participant(
            uow, services(), caller, now, expertise_id, role=body["role"], account_id=body["account_id"],
            person=person_of(body), party_ids=body["party_ids"], en_charge=body["en_charge"]),
        views.participant_view)


@blueprint.route("/invitations", methods=["POST"])
@blueprint.arguments(schemas.InviteParticipantSchema)
@blueprint.response(201, schemas.ParticipantSchema)
@blueprint.doc(summary="Invite a party member or a non-expert sapiteur by e-mail (owner expert)",
               **IDEMPOTENCY_DOC)
def invite(body: dict[str, Any], expertise_id: str) -> Response:
    caller = actor()
    return execute_creating(
        "participant.invite", f"expertise:{expertise_id}", body,
        lambda uow, now: participants.invite_participant(
            uow, services(), caller, now, expertise_id, role=body["role"], person=person_of(body),
            party_ids=body["party_ids"]),
        views.participant_view)


@blueprint.route("/participants/<string:participant_id>", methods=["PATCH"])
@blueprint.arguments(schemas.UpdateParticipantSchema)
@blueprint.response(200, schemas.ParticipantSchema)
@blueprint.doc(summary="Activate/deactivate, hand the charge (magistrats), change parties (owner expert)")
def update_participant(body: dict[str, Any], expertise_id: str, participant_id: str) -> dict[str, Any]:
    caller = actor()
    participant = execute("participant.update", f"participant:{participant_id}",
                          lambda uow, now: participants.update_participant(
                              uow, caller, now, expertise_id, participant_id, active=body.get("active"),
                              en_charge=body.get("en_charge"), party_ids=body.get("party_ids")))
    return views.participant_view(participant)


@blueprint.route("/participants/<string:participant_id>", methods=["DELETE"])
@blueprint.arguments(schemas.RemoveParticipantSchema, location="query")
@blueprint.response(204)
@blueprint.doc(summary="Remove a participant (owner expert)")
def remove_participant(args: dict[str, Any], expertise_id: str, participant_id: str) -> None:
    caller = actor()
    execute("participant.remove", f"participant:{participant_id}", lambda uow, now: participants.remove_participant(
        uow, caller, now, expertise_id, participant_id, args.get("reason")))

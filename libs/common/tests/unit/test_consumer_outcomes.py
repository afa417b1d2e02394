import pytest

from scelle_common.messaging import Consumer, EventHandlers, Outcome, Topology


def consumer_with_no_database():
    def no_unit_of_work():
        raise AssertionError("an unreadable message must not open a transaction")

    return Consumer(broker_url="amqp://unused", topology=Topology(), queue="tests.effects",
                    handlers=EventHandlers(), unit_of_work=no_unit_of_work)


def test_an_unreadable_message_is_dead_lettered_at_once():
    assert consumer_with_no_database().handle(b"\xff\xfe garbage") is Outcome.DEAD_LETTER


def test_two_handlers_for_one_event_are_refused():
    handlers = EventHandlers()
    handlers.on("a.b_happened.v1")(lambda uow, event: None)
    with pytest.raises(ValueError, match="already registered"):
        handlers.on("a.b_happened.v1")(lambda uow, event: None)


def test_queue_names_follow_service_and_purpose_with_a_dead_letter_twin():
    topology = Topology(queue_prefix="t.")
    assert topology.queue_name("documents", "read-model") == "t.documents.read-model"
    assert Topology.dead_letter_queue("documents.read-model") == "documents.read-model.dlq"
    assert topology.dead_letter_exchange == "scelle.events.dlx"

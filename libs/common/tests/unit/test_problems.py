from scelle_common.http.problems import Problem, validation_errors


def test_webargs_messages_become_a_flat_list_of_field_errors():
    errors = validation_errors({"json": {"name": ["Champ requis."], "address": {"city": ["Trop long."]}},
                                "query": {"limit": ["Must be ≤ 200."]}})
    assert {"location": "json", "pointer": "/name", "detail": "Champ requis."} in errors
    assert {"location": "json", "pointer": "/address/city", "detail": "Trop long."} in errors
    assert {"location": "query", "pointer": "/limit", "detail": "Must be ≤ 200."} in errors


def test_framework_statuses_have_stable_types_and_french_titles():
    problem = Problem.for_status(413, detail="trop gros")
    assert (problem.slug, problem.title, problem.status) == ("payload-too-large", "Requête trop volumineuse", 413)
    assert Problem.for_status(599).slug == "http-error"

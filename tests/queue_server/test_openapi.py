"""The OpenAPI document stays true to the routes."""
from __future__ import annotations

import re

from queue_server.api.document import openapi_document
from tests.conftest import Centre


def flask_paths(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_document_lists_exactly_the_routes(centre: Centre) -> None:
    from queue_server.app import create_app

    app = create_app(overrides={"DB": str(centre.db_path)})
    documented = {(path, method) for path, item in openapi_document()["paths"].items() for method in item}
    assert flask_paths(app) == documented


def test_document_is_served_and_well_formed(centre: Centre) -> None:
    doc = centre.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    refs = re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', str(doc).replace("'", '"'))
    assert refs
    for section, name in refs:
        assert name in doc["components"][section], f"dangling $ref {section}/{name}"
    for path, item in doc["paths"].items():
        for placeholder in re.findall(r"{(\w+)}", path):
            for operation in item.values():
                names = {p["name"] for p in operation.get("parameters", [])}
                assert placeholder in names, f"{path} does not declare {placeholder}"


def test_error_responses_match_the_error_schema(centre: Centre) -> None:
    schema = openapi_document()["components"]["schemas"]["Error"]
    body = centre.get("/sites/nowhere").json()
    assert set(schema["required"]) <= set(body) and set(body) <= set(schema["properties"])


def test_no_two_models_share_a_name() -> None:
    """The document names each schema after its model's class: two models of one name
    would share one schema, and an answer would be checked against the other's."""
    from pydantic import BaseModel

    import queue_server.api  # noqa: F401  (every route module, so every model)

    def every(cls: type[BaseModel]) -> list[type[BaseModel]]:
        return [cls, *(found for sub in cls.__subclasses__() for found in every(sub))]

    ours = {m for m in every(BaseModel) if m.__module__.startswith("queue_server.")}
    names = [m.__name__ for m in ours]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_a_refused_field_is_named_beside_the_message(centre: Centre) -> None:
    refused = centre.post("/sites/city-hall/tickets", {"service": 5})
    assert refused.status_code == 400
    assert (refused.json()["error"], refused.json()["field"]) == ("field_text", "service")
    assert "field" not in centre.get("/sites/nowhere").json()  # only a refused field names one

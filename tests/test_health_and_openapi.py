"""The health check and the OpenAPI document."""

import re

from openapi_spec_validator import validate


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from pos_app.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_healthz_reports_status_mode_database_and_version(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["mode"] == "branch"
    assert body["database"] in ("sqlite", "postgresql")
    assert body["version"] == "0.1.0"
    assert body["schema_revision"] == _head_revision()


def test_openapi_document_is_valid_openapi_3(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.")


def test_openapi_document_lists_every_route_and_method(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    documented = {(path, method.upper()) for path, ops in paths.items() for method in ops}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append((path, method))
    assert missing == []


def test_openapi_names_roles_and_the_error_envelope(client):
    document = client.get("/api/v1/openapi.json").get_json()
    create_item = document["paths"]["/api/v1/items"]["post"]
    assert create_item["x-roles"] == ["manager", "owner"]
    assert create_item["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == []
    assert "429" in login["responses"]


def test_unknown_api_route_answers_the_envelope(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_docs_api_md_lists_every_endpoint(client):
    from pos_app.apidoc import API_MD, render

    document = client.get("/api/v1/openapi.json").get_json()
    current = API_MD.read_text(encoding="utf-8")
    assert render(current, document) == current, "run: .venv/bin/python -m pos_app.apidoc"

"""The HTTP contract the review found broken: what the OpenAPI document promises about errors,
413 for a chunked body past the limit, and `Allow` on a 405."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlparse

import pytest
from live import running_server
from test_orders import dine_in, line, menu_ids


@pytest.fixture
def menu(demo, db):
    return menu_ids(db)


def _error_detail(client) -> dict:
    document = client.get("/api/v1/openapi.json").get_json()
    return document["components"]["schemas"]["ErrorDetail"]


def test_a_409_stale_version_answer_fits_the_documented_error(client, menu, auth):
    waiter = auth("waiter")
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[line(menu, "Hummus")]), headers=waiter
    ).get_json()
    stale = client.patch(f"/api/v1/orders/{order['id']}", json={"version": 7}, headers=waiter)
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    detail = _error_detail(client)
    assert set(error) <= set(detail["properties"]), "every key of the answer is documented"
    assert detail.get("additionalProperties") is not False
    assert error["current"]["id"] == order["id"]


def test_integrity_error_and_the_other_codes_are_documented(client):
    described = _error_detail(client)["properties"]["code"]["description"]
    for code in ("integrity_error", "stale_version", "idempotency_key_reused", "not_found"):
        assert code in described


def test_a_405_says_which_methods_are_allowed(client):
    refused = client.delete("/api/v1/auth/login")
    assert refused.status_code == 405
    assert refused.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in refused.headers["Allow"]


def test_a_chunked_body_past_the_limit_gets_413(database_url, demo, tmp_path):
    with running_server(database_url, tmp_path, POS_MAX_BODY_BYTES="4096") as url:
        target = urlparse(url)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        chunk = json.dumps({"pin": "1111", "device": "x" * 100}).encode()
        padding = b" " * 1024

        def body():
            yield chunk[:-1]
            for _ in range(16):  # 16 KB of whitespace inside the object: past the 4 KB limit
                yield padding
            yield b"}"

        conn.request(
            "POST",
            "/api/v1/auth/login",
            body=body(),
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            encode_chunked=True,
        )
        answer = conn.getresponse()
        payload = json.loads(answer.read())
        conn.close()
    assert answer.status == 413, payload
    assert payload["error"]["code"] == "request_entity_too_large"

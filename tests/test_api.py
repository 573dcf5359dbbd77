"""The HTTP API through Flask's test client: every route and every kind of bad input."""
import json

import pytest

from api import create_app

RECORD_KEYS = {"id", "topic", "topics", "topic_scores", "stance", "stance_scores", "model_version"}
ARTICLE = "Dewan kota Barcelona memutus hubungan kota kembar dengan Tel Aviv setelah mosi disetujui."


def post(client, payload=None, data=None, content_type="application/json"):
    body = data if data is not None else json.dumps(payload)
    return client.post("/classify", data=body, content_type=content_type)


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    assert response.headers["X-Model-Version"] == "tiny-1"


def test_single_document(client):
    response = post(client, {"text": ARTICLE, "id": "a1"})
    assert response.status_code == 200
    record = response.get_json()
    assert set(record) == RECORD_KEYS and record["id"] == "a1"
    assert record["topic"] == "municipal_boycott"
    assert abs(sum(record["topic_scores"].values()) - 1) < 1e-6
    assert response.headers["X-Model-Version"] == record["model_version"] == "tiny-1"


def test_batch_keeps_order_and_isolates_bad_items(client):
    documents = [{"id": "1", "text": ARTICLE}, {"id": "2", "text": "   "}, {"id": 3, "text": "Roket Hamas"},
                 {"id": "4"}, "not an object", {"id": "6", "text": 7}, {"id": "7", "text": "a\u0000b"}]
    response = post(client, {"documents": documents})
    assert response.status_code == 200
    body = response.get_json()
    results = body["results"]
    assert body["model_version"] == "tiny-1" and len(results) == len(documents)
    assert results[0]["id"] == "1" and results[0]["topic"] == "municipal_boycott"
    assert results[2]["id"] == "3" and set(results[2]) == RECORD_KEYS
    assert [results[i]["error"]["code"] for i in (1, 3, 4, 5, 6)] == [
        "empty_text", "missing_text", "invalid_document", "invalid_text", "invalid_text"]
    assert results[1]["id"] == "2" and results[4]["id"] is None


def test_explain_top_k_and_threshold(client):
    record = post(client, {"text": ARTICLE, "explain": True, "top_k": 1, "threshold": 0.0}).get_json()
    assert len(record["topics"]) == 1
    assert record["explanation"]["topic"] and record["explanation"]["topic"][0]["weight"] > 0
    assert set(record["explanation"]) == {"topic", "stance"}
    assert post(client, {"text": ARTICLE, "threshold": 1.0}).get_json()["topics"] in ([], [record["topic"]])


def test_unknown_fields_are_ignored(client):
    assert post(client, {"text": ARTICLE, "source": "kompas", "tags": ["x"]}).status_code == 200


@pytest.mark.parametrize("payload, status, code", [
    ({}, 400, "missing_text"),
    ({"text": None}, 400, "missing_text"),
    ({"text": 12}, 400, "invalid_text"),
    ({"text": ["a"]}, 400, "invalid_text"),
    ({"text": ""}, 400, "empty_text"),
    ({"text": " \n\t "}, 400, "empty_text"),
    ({"text": "x" * 5001}, 413, "text_too_large"),
    ({"text": "a\u0000b"}, 400, "invalid_text"),
    ({"text": ARTICLE, "id": {"a": 1}}, 400, "invalid_id"),
    ({"text": ARTICLE, "explain": "yes"}, 400, "invalid_option"),
    ({"text": ARTICLE, "top_k": 0}, 400, "invalid_option"),
    ({"text": ARTICLE, "threshold": 2}, 400, "invalid_option"),
    ({"text": ARTICLE, "documents": []}, 400, "ambiguous_body"),
    ({"documents": []}, 400, "empty_batch"),
    ({"documents": "abc"}, 400, "invalid_documents"),
    ({"documents": [{"text": "a"}] * 9}, 413, "too_many_documents"),
    ([1, 2], 400, "invalid_body"),
    ("text", 400, "invalid_body"),
])
def test_bad_bodies(client, payload, status, code):
    assert_error(post(client, payload), status, code)


@pytest.mark.parametrize("data, code", [
    (b"{not json", "invalid_json"),
    (b"", "invalid_json"),
    (b'{"text": "\xff\xfe caf\xe9"}', "invalid_utf8"),
    (b"[" * 5000 + b"]" * 5000, "invalid_json"),
    (b'{"text": "\\ud800"}', "invalid_json"),
])
def test_malformed_bodies(client, data, code):
    assert_error(post(client, data=data), 400, code)


def test_wrong_content_type(client):
    assert_error(post(client, data=json.dumps({"text": ARTICLE}), content_type="text/plain"), 415,
                 "unsupported_media_type")
    assert_error(client.post("/classify", data={"text": ARTICLE}), 415, "unsupported_media_type")


def test_body_over_limit(client):
    assert_error(post(client, data=b'{"text": "' + b"a" * 300_000 + b'"}'), 413, "body_too_large")


def test_unknown_route_and_method(client):
    assert_error(client.get("/nope"), 404, "not_found")
    assert_error(client.get("/classify"), 405, "method_not_allowed")


def test_health_ready_model_and_openapi(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["model_version"] == "tiny-1"
    manifest = client.get("/model").get_json()
    assert manifest["version"] == "tiny-1" and manifest["labels"]["stance"] == ["neutral", "pro_israel", "pro_palestine"]
    assert "created_at" in manifest and "metrics" in manifest
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/classify", "/healthz", "/readyz", "/model", "/openapi.json"}
    assert spec["paths"]["/classify"]["post"]["requestBody"]["content"]["application/json"]["schema"]["oneOf"][0][
        "properties"]["text"]["maxLength"] == 5000


def test_openapi_documents_every_status_the_server_returns(client):
    documented = set(client.get("/openapi.json").get_json()["paths"]["/classify"]["post"]["responses"])
    assert {"200", "400", "413", "415", "503"} <= documented


def test_not_ready_until_a_model_is_loaded(tmp_path):
    app = create_app({"model_dir": tmp_path / "missing", "load_in_background": False})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert_ready = client.get("/readyz")
    assert assert_ready.status_code == 503 and assert_ready.get_json()["error"]["code"] == "model_unavailable"
    assert client.post("/classify", json={"text": "x"}).status_code == 503
    assert client.get("/model").status_code == 503
    assert assert_ready.headers["X-Model-Version"] == "none"


def test_loading_state_answers_503_not_ready(tiny_model_dir):
    app = create_app({"model_dir": tiny_model_dir, "load_in_background": False})
    state = app.extensions["classifier"]
    state.model, state.error = None, None  # as it is between worker start and the end of loading
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "not_ready"

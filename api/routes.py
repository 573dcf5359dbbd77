"""HTTP routes: /classify, /healthz, /readyz, /model, /openapi.json."""
from flask import Blueprint, current_app, request

from . import openapi
from .errors import ApiError, json_response
from .validation import check_text, parse_batch, parse_document, parse_id, parse_json, parse_options

bp = Blueprint("classifier", __name__)


def _state():
    return current_app.extensions["classifier"]


def _settings():
    return current_app.config["SETTINGS"]


@bp.after_app_request
def add_model_version(response):
    response.headers["X-Model-Version"] = _state().version
    return response


@bp.post("/classify")
def classify():
    model = _state().require_model()
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    payload = parse_json(request.get_data(cache=False))
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object with 'text' or 'documents'")
    explain, top_k, threshold = parse_options(payload)
    options = {"explain": explain, "top_k": top_k,
               "threshold": threshold if threshold is not None else _settings().topic_threshold}
    if "documents" in payload:
        if "text" in payload:
            raise ApiError(400, "ambiguous_body", "send either 'text' or 'documents', not both")
        results = classify_batch(model, parse_batch(payload["documents"], _settings().max_batch), options)
        return json_response({"model_version": model.version, "results": results})
    doc_id = parse_id(payload.get("id"))
    text = check_text(payload.get("text"), _settings().max_text_chars)
    return json_response(model.predict([text], ids=[doc_id], **options)[0])


def classify_batch(model, documents, options):
    """Records in input order; an invalid document gets its own error entry and fails nothing else."""
    results = [None] * len(documents)
    positions, ids, texts = [], [], []
    for position, item in enumerate(documents):
        try:
            doc_id, text = parse_document(item, _settings().max_text_chars)
        except ApiError as error:
            results[position] = {"id": _raw_id(item), "error": {"code": error.code, "message": error.message}}
            continue
        positions.append(position)
        ids.append(doc_id)
        texts.append(text)
    for position, record in zip(positions, model.predict(texts, ids=ids, **options)):
        results[position] = record
    return results


def _raw_id(item):
    doc_id = item.get("id") if isinstance(item, dict) else None
    return doc_id if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool) else None


@bp.get("/healthz")
def healthz():
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz():
    model = _state().require_model()
    return json_response({"status": "ready", "model_version": model.version})


@bp.get("/model")
def model_metadata():
    return json_response(_state().require_model().manifest)


@bp.get("/openapi.json")
def openapi_spec():
    return json_response(openapi.spec(_settings()))

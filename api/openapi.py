"""The OpenAPI 3 description of the service, with the configured limits filled in."""

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
SCORES = {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
          "description": "probability of every label of the head; they sum to 1"}
TERM = {"type": "object", "properties": {"term": {"type": "string"}, "kind": {"type": "string"},
                                          "weight": {"type": "number"}}}
RECORD = {
    "type": "object",
    "required": ["id", "topic", "topics", "topic_scores", "stance", "stance_scores", "model_version"],
    "properties": {
        "id": {"type": ["string", "null"]},
        "topic": {"type": "string", "description": "the most probable topic"},
        "topics": {"type": "array", "items": {"type": "string"},
                   "description": "every topic whose probability reaches the threshold, most probable first; "
                                  "empty when no topic is confident enough"},
        "topic_scores": SCORES,
        "stance": {"type": "string", "enum": ["pro_palestine", "neutral", "pro_israel"]},
        "stance_scores": SCORES,
        "model_version": {"type": "string"},
        "explanation": {"type": "object", "description": "with explain=true: per head, the terms that pushed "
                                                        "the chosen label most",
                        "properties": {"topic": {"type": "array", "items": TERM},
                                       "stance": {"type": "array", "items": TERM}}},
    },
}
ITEM_ERROR = {"type": "object", "required": ["id", "error"],
              "properties": {"id": {"type": ["string", "integer", "null"]}, **ERROR["properties"]}}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _error(description):
    return {"description": description, **_json(ERROR)}


def spec(settings):
    options = {
        "explain": {"type": "boolean", "default": False},
        "top_k": {"type": "integer", "minimum": 1, "description": "at most this many entries in 'topics'"},
        "threshold": {"type": "number", "minimum": 0, "maximum": 1,
                      "description": "probability a topic needs to be listed in 'topics' (default: the model's)"},
    }
    text = {"type": "string", "minLength": 1, "maxLength": settings.max_text_chars,
            "description": "non-blank, no NUL characters"}
    single = {"type": "object", "required": ["text"], "additionalProperties": True,
              "properties": {"text": text, "id": {"type": ["string", "integer"]}, **options}}
    batch = {"type": "object", "required": ["documents"], "additionalProperties": True,
             "properties": {"documents": {"type": "array", "minItems": 1, "maxItems": settings.max_batch, "items": {
                 "type": "object", "properties": {"text": text, "id": {"type": ["string", "integer"]}}}}, **options}}
    ok_batch = {"type": "object", "required": ["model_version", "results"], "properties": {
        "model_version": {"type": "string"}, "results": {"type": "array", "items": {"oneOf": [RECORD, ITEM_ERROR]}}}}
    version_header = {"X-Model-Version": {"schema": {"type": "string"}, "description": "the served model's version"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Palestine news topic and stance classifier", "version": "1.0.0",
                 "description": "Unknown fields in request bodies are ignored. Every response carries "
                                "X-Model-Version. Every error is {error: {code, message}}."},
        "paths": {
            "/classify": {"post": {
                "summary": "Classify one document ('text') or a batch ('documents')",
                "requestBody": {"required": True, **_json({"oneOf": [single, batch]})},
                "responses": {
                    "200": {"description": "one record, or a batch of records and per-document errors in input order",
                            "headers": version_header, **_json({"oneOf": [RECORD, ok_batch]})},
                    "400": _error("invalid JSON or UTF-8, missing, empty or non-string text, bad option or id"),
                    "413": _error(f"body over {settings.max_body_bytes} bytes, text over {settings.max_text_chars} "
                                  f"characters, or more than {settings.max_batch} documents"),
                    "415": _error("Content-Type is not application/json"),
                    "503": _error("the model is not loaded (yet)"),
                }}},
            "/healthz": {"get": {"summary": "The process is up", "responses": {
                "200": {"description": "up", **_json({"type": "object", "properties": {"status": {"type": "string"}}})}}}},
            "/readyz": {"get": {"summary": "The model is loaded", "responses": {
                "200": {"description": "ready", **_json({"type": "object", "properties": {
                    "status": {"type": "string"}, "model_version": {"type": "string"}}})},
                "503": _error("still loading, or the model could not be loaded")}}},
            "/model": {"get": {"summary": "The served model's manifest", "responses": {
                "200": {"description": "version, labels, created_at, training data, metrics, library versions",
                        **_json({"type": "object"})},
                "503": _error("no model loaded")}}},
            "/openapi.json": {"get": {"summary": "This description", "responses": {
                "200": {"description": "OpenAPI 3 document", **_json({"type": "object"})}}}},
        },
    }

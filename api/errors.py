"""One JSON error shape for every failure: {"error": {"code", "message"}} with a 4xx (or 503) status."""
import logging

import orjson
from flask import Response
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
              415: "unsupported_media_type", 503: "not_ready"}


class ApiError(Exception):
    """A request the service refuses, with a stable `code` for programs and a message for people."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_response(payload, status=200):
    return Response(orjson.dumps(payload), status=status, mimetype="application/json")


def error_response(status, code, message):
    return json_response({"error": {"code": code, "message": message}}, status)


def register(app):
    @app.errorhandler(ApiError)
    def api_error(error):
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error):
        return error_response(error.code, HTTP_CODES.get(error.code, "http_error"), error.description)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("unexpected error")
        return error_response(500, "internal_error", "the server failed on this request; it keeps serving")

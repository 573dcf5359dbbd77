"""A trivial JSON echo route on the same stack (gunicorn, same workers, Flask, orjson): the ceiling
that the /classify throughput is compared with."""
import orjson
from flask import Flask, Response, request


def create_app():
    app = Flask(__name__)

    @app.post("/echo")
    def echo():
        return Response(orjson.dumps(orjson.loads(request.get_data())), mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        return Response(b'{"status":"ok"}', mimetype="application/json")

    return app

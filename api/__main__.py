"""`python -m api serve | promote MODEL_DIR | rollback`: run the service and switch its model.

Exit status: 0 success, 2 failure (with a one-line message on stderr).
"""
import argparse
import os
import sys
from pathlib import Path

from classifier import ModelError
from classifier.config import ENV_PREFIX, Settings

from . import deploy

EPILOG = """examples:
  python -m api serve                        # 127.0.0.1:8000, 2 workers, models/current or models/default
  python -m api serve --port 9000 --workers 4 --model models/my-model
  python -m api promote models/my-model      # verify it, make it current, HUP the running server
  python -m api rollback                     # back to the previous model, HUP the running server
"""


def serve(args):
    """Replace this process with gunicorn, passing the flags on as CLASSIFIER_* variables."""
    flags = {"host": args.host, "port": args.port, "workers": args.workers, "model_dir": args.model}
    env = dict(os.environ, **{ENV_PREFIX + name.upper(): str(value) for name, value in flags.items() if value})
    settings = Settings.load(env)
    settings.pid_file.parent.mkdir(parents=True, exist_ok=True)
    config = Path(__file__).with_name("gunicorn_conf.py")
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    print(f"serving on http://{settings.host}:{settings.port} with {settings.workers} workers, "
          f"model {settings.model_dir}", file=sys.stderr, flush=True)
    os.execve(sys.executable, [sys.executable, "-m", "gunicorn", "-c", str(config), "api:create_app()"], env)


def switch(args):
    settings = Settings.load()
    if args.command == "promote":
        version = deploy.promote(Path(args.model_dir), settings.model_dir)
    else:
        version = deploy.rollback(settings.model_dir)
    pid = deploy.reload_server(settings.pid_file)
    where = f"server {pid} is swapping its workers" if pid else "no running server found; it will serve it when started"
    print(f"current model: {version}; {where}", file=sys.stderr)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="start the production server (gunicorn)", epilog=EPILOG,
                                       formatter_class=argparse.RawDescriptionHelpFormatter)
    serve_parser.add_argument("--host")
    serve_parser.add_argument("--port", type=int)
    serve_parser.add_argument("--workers", type=int)
    serve_parser.add_argument("--model", help="model directory (default: models/current, else models/default)")
    promote_parser = commands.add_parser("promote", help="make a model current and reload the server")
    promote_parser.add_argument("model_dir")
    commands.add_parser("rollback", help="make the previous model current again and reload the server")
    args = parser.parse_args(argv)
    try:
        return serve(args) if args.command == "serve" else switch(args)
    except (ModelError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

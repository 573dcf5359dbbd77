"""`python -m classifier <command>`: a thin command line over the library.

Exit status: 0 success; 1 some documents could not be classified (their error rows are still
written); 2 a fatal problem (bad arguments, unreadable data, missing or invalid model, unwritable
output), reported in one line on stderr.
"""
import argparse
import json
import sys
import time
from pathlib import Path

from . import evaluate
from . import train as training
from .artifact import ModelError, load_model, new_version, save_model
from .config import Settings
from .data import (
    DataError,
    check_known_labels,
    check_trainable,
    label_sets,
    read_corpus,
)
from .features import FEATURE_SETS
from .label import LabelError, label_folder
from .readers import DocumentError, read_text_file

EXIT_OK, EXIT_DOCUMENT_ERRORS, EXIT_FATAL = 0, 1, 2

EXAMPLES = {
    "classify": """examples:
  python -m classifier classify seeds/001_8d92093213ae62dd.txt
  python -m classifier classify a.txt b.txt --threshold 0.2
  cat article.txt | python -m classifier classify -
  python -m classifier classify --text "Gencatan senjata di Gaza mulai berlaku pagi ini."
""",
    "train": """examples:
  python -m classifier train --data data/train.jsonl --data seeds --out models/my-model
  python -m classifier train --data mine.jsonl --out models/mine --features stems+words --no-cv
""",
    "evaluate": """examples:
  python -m classifier evaluate --model models/default --data data/test.jsonl
  python -m classifier evaluate --data data/test.jsonl --json > metrics.json
""",
    "label": """examples:
  python -m classifier label articles/ --out labels.jsonl
  python -m classifier label articles/ --out labels.csv --workers 2 --threshold 0.2
  python -m classifier label articles/ --out labels.jsonl --resume    # after an interrupted run
""",
}


def _say(message):
    print(message, file=sys.stderr, flush=True)


def _emit(record):
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _inputs(args):
    """(id, text or DocumentError) for every input, in the order given."""
    for number, text in enumerate(args.text or [], 1):
        yield f"text-{number}", text if text.strip() else DocumentError("empty", "the text is empty")
    for name in args.files:
        if name == "-":
            text = sys.stdin.read()
            yield "-", text if text.strip() else DocumentError("empty", "standard input is empty")
            continue
        try:
            yield name, read_text_file(Path(name))
        except DocumentError as error:
            yield name, error


def cmd_classify(args):
    settings = Settings.load(model_dir=args.model, topic_threshold=args.threshold)
    model = load_model(settings.model_dir)
    failures = 0
    for doc_id, text in _inputs(args):
        if isinstance(text, DocumentError):
            failures += 1
            _say(f"{doc_id}: {text.message}")
            _emit({"id": doc_id, "error": text.as_dict()})
            continue
        _emit(model.predict([text], ids=[doc_id], threshold=settings.topic_threshold, explain=args.explain)[0])
    return EXIT_DOCUMENT_ERRORS if failures else EXIT_OK


def cmd_train(args):
    out = Path(args.out)
    if out.exists() and not args.force:
        raise ModelError(f"{out} already exists; choose another --out or pass --force to replace it")
    started = time.perf_counter()
    documents = read_corpus(args.data)
    check_trainable(documents)
    test_documents = read_corpus([args.test]) if args.test else None
    topics, stances = label_sets(documents)
    if test_documents:
        check_known_labels(test_documents, topics, stances)
    _say(f"training on {len(documents)} documents: topics {', '.join(topics)}; stances {', '.join(stances)}")
    model, report = training.train(documents, feature_set=args.features, folds=args.folds, seed=args.seed,
                                   cross_validation=not args.no_cv, topic_threshold=args.threshold,
                                   test_documents=test_documents, progress=None if args.quiet else _say)
    manifest = {
        "version": new_version(report["data_sha256"]),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "labels": {"topic": model.topic_labels, "stance": model.stance_labels},
        "topic_threshold": args.threshold,
        "training_data": {"sha256": report["data_sha256"], "documents": len(documents),
                          "sources": [str(path) for path in args.data]},
        "features": report["features"],
        "hyperparameters": report["hyperparameters"],
        "metrics": _headline_metrics(report),
    }
    reports = {"report.json": json.dumps(report, ensure_ascii=False, indent=2) + "\n",
               "report.md": training.report_markdown(report, manifest)}
    save_model(model, out, manifest, reports, replace=args.force)
    _say(f"wrote {out} (version {manifest['version']}) in {time.perf_counter() - started:.1f} s")
    for scope, metrics in manifest["metrics"].items():
        _say(f"  {scope}: topic macro-F1 {metrics['topic_macro_f1']:.3f}, "
             f"stance macro-F1 {metrics['stance_macro_f1']:.3f}")
    return EXIT_OK


def _headline_metrics(report):
    return {scope: {"topic_macro_f1": report[key]["topic"]["macro_f1"],
                    "stance_macro_f1": report[key]["stance"]["macro_f1"]}
            for scope, key in (("cross_validation", "cross_validation"), ("test", "test")) if key in report}


def cmd_evaluate(args):
    settings = Settings.load(model_dir=args.model)
    model = load_model(settings.model_dir)
    documents = read_corpus(args.data)
    check_known_labels(documents, model.topic_labels, model.stance_labels)
    metrics = evaluate.evaluate_model(model, documents)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        print(f"Model {model.version} on {len(documents)} documents\n")
        print(evaluate.metrics_markdown(metrics))
    return EXIT_OK


def cmd_label(args):
    settings = Settings.load(model_dir=args.model, topic_threshold=args.threshold, label_workers=args.workers)
    try:
        summary = label_folder(args.folder, args.out, settings, resume=args.resume, force=args.force,
                               explain=args.explain, quiet=args.quiet)
    except KeyboardInterrupt:
        raise LabelError("interrupted: run the same command with --resume to continue") from None
    if not args.quiet:
        for line in summary.lines():
            _say(line)
    return EXIT_DOCUMENT_ERRORS if summary.error_count else EXIT_OK


def _positive_int(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m classifier", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name, help_text):
        return commands.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES.get(name),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)

    classify = command("classify", "print one JSON record per document")
    classify.add_argument("files", nargs="*", help="text files, or - for standard input")
    classify.add_argument("--text", action="append", help="a text to classify (repeatable)")
    classify.add_argument("--model", help="model directory (default: models/default)")
    classify.add_argument("--threshold", type=float, help="probability a topic needs to be listed in 'topics'")
    classify.add_argument("--explain", action="store_true", help="add the terms behind each label")
    classify.set_defaults(run=cmd_classify)

    train = command("train", "train a model and write its directory with manifest and report")
    train.add_argument("--data", action="append", required=True, type=Path,
                       help="labelled .jsonl file or folder with labels.tsv (repeatable)")
    train.add_argument("--out", required=True, help="model directory to write")
    train.add_argument("--test", type=Path, help="held-out .jsonl to evaluate the final model on")
    train.add_argument("--features", choices=sorted(FEATURE_SETS),
                       help="feature set (default: compare all by cross-validation and keep the best)")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--no-cv", action="store_true", help="skip cross-validation (needs --features)")
    train.add_argument("--threshold", type=float, default=0.3, help="default topic threshold (default 0.3)")
    train.add_argument("--force", action="store_true", help="replace an existing model directory")
    train.add_argument("--quiet", action="store_true", help="no progress messages")
    train.set_defaults(run=cmd_train)

    evaluate = command("evaluate", "print per-class metrics and confusion matrices on labelled data")
    evaluate.add_argument("--model", help="model directory (default: models/default)")
    evaluate.add_argument("--data", action="append", required=True, type=Path, help="labelled .jsonl (repeatable)")
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.set_defaults(run=cmd_evaluate)

    label = command("label", "label every document under a folder into one .jsonl or .csv file")
    label.add_argument("folder", type=Path, help="folder of .txt .md .html .htm .pdf .json .jsonl .csv files")
    label.add_argument("--out", required=True, type=Path, help="output file, .jsonl or .csv")
    label.add_argument("--model", help="model directory (default: models/default)")
    label.add_argument("--workers", type=_positive_int, help="worker processes (default: all cores)")
    label.add_argument("--threshold", type=float, help="probability a topic needs to be listed in 'topics'")
    label.add_argument("--explain", action="store_true", help="add the terms behind each label")
    again = label.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="continue an interrupted run from its journal")
    again.add_argument("--force", action="store_true", help="start over, replacing the output and any journal")
    label.add_argument("--quiet", action="store_true", help="no progress and no summary")
    label.set_defaults(run=cmd_label)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "classify" and not args.files and not args.text:
        parser.error("classify: give files, '-' for standard input, or --text")
    if getattr(args, "no_cv", False) and not args.features:
        parser.error("--no-cv needs --features (without it, feature sets are compared by cross-validation)")
    try:
        return args.run(args)
    except (DataError, ModelError, LabelError, OSError) as error:
        _say(f"error: {error}")
        return EXIT_FATAL
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_FATAL


if __name__ == "__main__":
    sys.exit(main())

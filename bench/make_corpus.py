"""Generate a folder of news-length .txt documents for benchmarks, reproducibly from a seed.

Documents are sentences sampled from real texts, so stemming and the vocabulary see realistic
Indonesian rather than random words; the labels of the generated texts mean nothing.

    python bench/make_corpus.py /tmp/corpus-20k --count 20000 --source seeds --source /work/corpus
"""
import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MIN_SENTENCE_WORDS = 4


def _texts(source):
    """Texts of a .txt file (draft headers starting with @@@ left out) or of a .jsonl corpus."""
    if source.suffix == ".jsonl":
        return [json.loads(line)["text"] for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ["\n".join(line for line in source.read_text(encoding="utf-8").splitlines() if not line.startswith("@@@"))]


def read_sentences(sources):
    """Every sentence of the .txt and .jsonl files under `sources`."""
    sentences = []
    for source in sources:
        files = sorted(p for p in source.rglob("*") if p.suffix in (".txt", ".jsonl")) if source.is_dir() else [source]
        for text in (text for path in files for text in _texts(path)):
            for line in text.splitlines():
                sentences.extend(s for s in SENTENCE_END.split(line.strip()) if len(s.split()) >= MIN_SENTENCE_WORDS)
    if not sentences:
        raise SystemExit(f"no sentences found in {', '.join(map(str, sources))}")
    return sentences


def make_document(sentences, words, rng):
    """Paragraphs of 2-5 sampled sentences, the last one cut so the document has exactly `words` words."""
    paragraphs, total = [], 0
    while total < words:
        paragraph = " ".join(rng.sample(sentences, min(rng.randint(2, 5), len(sentences)))).split()
        paragraphs.append(" ".join(paragraph[:words - total]))
        total += len(paragraph)
    return "\n\n".join(paragraphs) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder to write doc_NNNNNN.txt files into")
    parser.add_argument("--count", type=int, default=1000, help="number of documents (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--words", type=int, nargs=2, default=(300, 600), metavar=("MIN", "MAX"),
                        help="words per document (default 300 600)")
    parser.add_argument("--source", type=Path, action="append",
                        help=".txt/.jsonl file or folder of them to sample sentences from "
                             "(repeatable; default: seeds/)")
    args = parser.parse_args(argv)
    sentences = read_sentences(args.source or [ROOT / "seeds"])
    rng = random.Random(args.seed)
    args.folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, args.count + 1):
        text = make_document(sentences, rng.randint(*args.words), rng)
        (args.folder / f"doc_{number:06d}.txt").write_text(text, encoding="utf-8")
    print(f"wrote {args.count} documents from {len(sentences)} sentences to {args.folder}")


if __name__ == "__main__":
    main()

"""The batch labeller: every input format and bad case, row order and shape, CSV output, exit
statuses, progress, and resuming after a crash (an end-to-end kill -9)."""
import contextlib
import csv
import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from classifier import label
from classifier.__main__ import main
from classifier.config import Settings
from classifier.label import LabelError, ProgressLines, batches, label_folder, progress_bar
from classifier.model import Model
from classifier.readers import DocumentError, decode, extract_text

ARTICLE = ("Gencatan senjata di Gaza mulai berlaku pagi ini setelah perundingan di Doha. "
           "Menteri Luar Negeri menyambut baik kesepakatan itu dan mendesak semua pihak mematuhinya.")
ACCENTED = "Pejabat “Gaza” berkata: café, señor, déjà vu — gencatan senjata disepakati di Doha."
COMMENT = "Komentar pembaca: semoga damai selalu, aamiin."
ARTICLE_PAGE = f"""<html><head><title>Gencatan senjata</title></head><body>
<nav><a href="/">Beranda</a> <a href="/dunia">Dunia</a></nav>
<article><h1>Gencatan senjata di Gaza</h1><p>{ARTICLE}</p><p>{ARTICLE}</p></article>
<section id="comments" class="comments"><div class="comment"><p>{COMMENT}</p></div></section>
</body></html>"""
MENU_PAGE = """<html><head><title>Dunia</title></head><body>
<nav><a href="/">Beranda</a> <a href="/dunia">Dunia</a></nav><h1>Dunia</h1>
<ul><li><a href="/1">Israel dan Hamas sepakati gencatan senjata</a></li>
<li><a href="/2">Menlu RI bertemu Menlu Yordania</a></li></ul><footer>Hak cipta 2026</footer></body></html>"""
MAX_CHARS = 2000
RECORD_FIELDS = {"path", "id", "sha256", "topic", "topics", "topic_scores", "stance", "stance_scores",
                 "model_version"}


def pdf_bytes(lines):
    """A one-page PDF showing `lines` in Helvetica: hand-written, with a correct cross-reference table."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)


def jsonl(*records):
    return "".join((json.dumps(record) if record is not None else "") + "\n" for record in records)


@pytest.fixture
def mixed_folder(tmp_path):
    """Every supported format, nested folders, and every bad case; EXPECTED lists the rows it gives."""
    root = tmp_path / "in"
    write(root / "articles.csv", f'id,text\nc-1,{ARTICLE}\n,"{ARTICLE}\nDua baris, dengan koma."\nc-3,\n')
    write(root / "bad" / "binary.txt", bytes(range(256)) * 4)
    write(root / "bad" / "broken.json", '[{"text": "Gaza"},\n {"text": }]')
    write(root / "bad" / "broken.jsonl", jsonl({"id": "b-1", "text": ARTICLE}) + '{"text": "putus\n'
          + jsonl({"text": ARTICLE}))
    write(root / "bad" / "damaged.txt", ACCENTED.encode("utf-8") + "café".encode("latin-1"))
    write(root / "bad" / "empty.txt", b"")
    write(root / "bad" / "huge.txt", ARTICLE * (MAX_CHARS // len(ARTICLE) + 1))
    write(root / "bad" / "menu.html", MENU_PAGE)
    write(root / "bad" / "no_text_column.csv", f"id,body\n1,{ARTICLE}\n")
    write(root / "bad" / "notes.docx", b"PK\x03\x04 not read")
    write(root / "bad" / "scan.pdf", pdf_bytes([]))
    # Tests run as root, for whom permission bits never make a file unreadable. Two things are
    # unreadable for anyone: a FIFO (opening it would block for ever, so it must not even be
    # opened) and a symbolic link whose target does not exist.
    os.mkfifo(root / "bad" / "pipe.txt")
    (root / "bad" / "vanished.txt").symlink_to(root / "bad" / "no-such-file.txt")
    (root / "loop").mkdir()
    (root / "loop" / "again").symlink_to(root)  # a folder that contains itself
    (root / "loop" / "self").symlink_to(root / "loop" / "self")  # a link that points at itself
    write(root / "many.json", json.dumps([{"text": ARTICLE}, {"id": "j-2", "text": ARTICLE}]))
    write(root / "nested" / "deeper" / "cp1252.txt", ACCENTED.encode("cp1252"))
    write(root / "nested" / "latin1.md", ACCENTED.replace("“", '"').replace("”", '"').replace("—", "-")
          .encode("latin-1"))
    write(root / "nested" / "utf16.txt", ACCENTED.encode("utf-16"))
    write(root / "one.json", json.dumps({"id": "solo", "text": ARTICLE}))
    write(root / "page.html", ARTICLE_PAGE)
    write(root / "plain.txt", ARTICLE)
    write(root / "report.pdf", pdf_bytes(["Gencatan senjata di Gaza mulai berlaku.", "Warga kembali ke utara."]))
    write(root / "stream.jsonl", jsonl({"id": "s-1", "text": ARTICLE}, None, {"text": ARTICLE}))
    return root


def single(path, code=None):
    return path, path, code


EXPECTED = [
    ("articles.csv", "c-1", None), ("articles.csv", "articles.csv#2", None), ("articles.csv", "c-3", "empty"),
    single("bad/binary.txt", "binary"), single("bad/broken.json", "malformed"),
    ("bad/broken.jsonl", "b-1", None), ("bad/broken.jsonl", "bad/broken.jsonl#2", "malformed"),
    ("bad/broken.jsonl", "bad/broken.jsonl#3", None),
    single("bad/damaged.txt", "encoding"), single("bad/empty.txt", "empty"), single("bad/huge.txt", "too_large"),
    single("bad/menu.html", "no_text"), single("bad/no_text_column.csv", "malformed"),
    single("bad/notes.docx", "unsupported"),
    single("bad/pipe.txt", "unreadable"), single("bad/scan.pdf", "no_text"), single("bad/vanished.txt", "unreadable"),
    single("loop/again", "symlink_loop"), single("loop/self", "symlink_loop"),
    ("many.json", "many.json#1", None), ("many.json", "j-2", None),
    single("nested/deeper/cp1252.txt"), single("nested/latin1.md"), single("nested/utf16.txt"),
    ("one.json", "solo", None), single("page.html"), single("plain.txt"), single("report.pdf"),
    ("stream.jsonl", "s-1", None), ("stream.jsonl", "stream.jsonl#3", None),
]


def settings(model_dir, **overrides):
    return Settings(model_dir=model_dir, label_workers=1, max_text_chars=MAX_CHARS, **overrides)


def read_rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def shape(rows):
    return [(row["path"], row["id"], row.get("error", {}).get("code")) for row in rows]


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_every_format_and_bad_case_gives_one_row_in_path_order(mixed_folder, tiny_model_dir, tmp_path):
    out = tmp_path / "labels.jsonl"
    summary = label_folder(mixed_folder, out, settings(tiny_model_dir), quiet=True)
    rows = read_rows(out)
    assert shape(rows) == EXPECTED
    assert summary.documents == len(rows) == len(EXPECTED)
    assert summary.error_count == sum(code is not None for _, _, code in EXPECTED) == 15
    by_id = {row["id"]: row for row in rows}
    for doc_id in ("bad/broken.jsonl#2", "bad/broken.json"):
        assert by_id[doc_id]["error"]["message"].startswith("malformed line 2")
    assert set(by_id["bad/pipe.txt"]["error"]) == {"code", "message"}
    assert all(set(row) == RECORD_FIELDS for row in rows if "error" not in row)
    assert by_id["nested/deeper/cp1252.txt"]["sha256"] == by_id["nested/utf16.txt"]["sha256"] == sha256(ACCENTED)
    assert by_id["plain.txt"]["sha256"] == by_id["solo"]["sha256"] == sha256(ARTICLE)
    assert by_id["page.html"]["sha256"] == sha256(extract_text(".html", ARTICLE_PAGE))
    assert not (tmp_path / "labels.jsonl.partial").exists()


def test_legacy_encodings_are_read_and_damaged_utf8_is_refused():
    assert decode(ACCENTED.encode("cp1252")) == ACCENTED
    assert decode(ACCENTED.encode("utf-16")) == ACCENTED
    assert decode("Café, señor, déjà vu di Jakarta.".encode("latin-1")) == "Café, señor, déjà vu di Jakarta."
    for content in ((ACCENTED + "”").encode("utf-8")[:-1], b"Gaza \xff\xfe\xfd\xfc\xfb\xfa berita \x81\x8d\x8f\x90"):
        with pytest.raises(DocumentError) as error:
            decode(content)
        assert error.value.code == "encoding"


def test_html_keeps_the_article_and_drops_comments_and_menus():
    text = extract_text(".html", ARTICLE_PAGE)
    assert ARTICLE in text and COMMENT not in text and "Beranda" not in text
    with pytest.raises(DocumentError) as error:
        extract_text(".html", MENU_PAGE)
    assert error.value.code == "no_text"
    assert "Warga kembali ke utara." in extract_text(".pdf", pdf_bytes(["Warga kembali ke utara."]))


def test_unreadable_folder_is_an_error_row(mixed_folder, tiny_model_dir, tmp_path, monkeypatch):
    # As root, chmod cannot make a folder unlistable, so listing "bad" fails the way it would for a user.
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "bad":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(label.os, "scandir", scandir)
    label_folder(mixed_folder, tmp_path / "labels.jsonl", settings(tiny_model_dir), quiet=True)
    expected = [row for row in EXPECTED if not row[0].startswith("bad/")]
    expected.insert(3, single("bad", "unreadable_folder"))
    assert shape(read_rows(tmp_path / "labels.jsonl")) == expected


def run_cli(args, env):
    return subprocess.run([sys.executable, "-m", "classifier", "label", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_csv_output_from_two_worker_processes(mixed_folder, tiny_model_dir, cli_env, tmp_path):
    out = tmp_path / "labels.csv"
    result = run_cli([mixed_folder, "--out", out, "--model", tiny_model_dir, "--workers", 2],
                     dict(cli_env, CLASSIFIER_MAX_TEXT_CHARS=str(MAX_CHARS)))
    assert result.returncode == 1, result.stderr
    assert f"documents: {len(EXPECTED)}" in result.stderr and "errors: 15 (" in result.stderr
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["path"], row["id"], row["error_code"] or None) for row in rows] == EXPECTED
    first = rows[0]
    assert {"topic_score_ceasefire", "stance_score_neutral", "topics", "error_message"} <= set(first)
    assert abs(sum(float(first[f"stance_score_{s}"]) for s in ("neutral", "pro_israel", "pro_palestine")) - 1) < 1e-6
    assert first["topic"] in first["topics"].split(";")
    assert rows[3]["error_code"] == "binary" and rows[3]["topic"] == "" and rows[3]["error_message"]


def label_main(folder, out, model_dir, *flags):
    return main(["label", str(folder), "--out", str(out), "--model", str(model_dir), "--workers", "1", *flags])


def test_exit_statuses_and_one_line_fatal_messages(tiny_model_dir, tmp_path, capsys):
    folder = tmp_path / "in"
    write(folder / "a.txt", ARTICLE)
    assert label_main(folder, tmp_path / "ok.jsonl", tiny_model_dir, "--quiet") == 0
    assert capsys.readouterr().err == ""
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for name in ("manifest.json", "model.joblib"):
        (tampered / name).write_bytes((tiny_model_dir / name).read_bytes())
    with (tampered / "model.joblib").open("ab") as stream:
        stream.write(b"\0")
    (tmp_path / "file").write_text("x")
    for args, message in [((tmp_path / "none", tmp_path / "a.jsonl", tiny_model_dir), "not found"),
                          ((folder, tmp_path / "b.jsonl", tmp_path / "no-model"), "not found"),
                          ((folder, tmp_path / "c.jsonl", tampered), "manifest"),
                          ((folder, tmp_path / "file" / "d.jsonl", tiny_model_dir), "file"),
                          ((folder, tmp_path / "e.txt", tiny_model_dir), ".jsonl or .csv")]:
        assert label_main(*args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err


def test_help_shows_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["label", "--help"])
    assert "python -m classifier label articles/ --out labels.jsonl" in capsys.readouterr().out


def test_explain_threshold_summary_and_quiet(tiny_model_dir, tmp_path, capsys):
    folder = tmp_path / "in"
    write(folder / "a.txt", ARTICLE)
    write(folder / "b.txt", "")
    assert label_main(folder, tmp_path / "x.jsonl", tiny_model_dir, "--explain", "--threshold", "0") == 1
    labelled, failed = read_rows(tmp_path / "x.jsonl")
    assert set(labelled["explanation"]) == {"topic", "stance"} and len(labelled["topics"]) == 5
    assert failed == {"path": "b.txt", "id": "b.txt", "error": {"code": "empty", "message": "the file is empty"}}
    err = capsys.readouterr().err
    for line in ("documents: 2", "errors: 1 (empty 1)", "topics: ceasefire 1", "stances: ", "documents/s"):
        assert line in err


def test_progress_is_a_bar_on_a_terminal_and_lines_in_logs(monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert type(progress_bar(10, 0, quiet=False)).__name__ == "tqdm"
    assert progress_bar(10, 0, quiet=True).disable
    monkeypatch.undo()
    lines = ProgressLines(total=100, every=0)
    lines.update(40)
    assert "40/100 documents" in capsys.readouterr().err


def test_batches_split_a_long_file_by_documents_and_skip_predicting_the_journal():
    tasks = list(batches(range(100), resumed=40))
    assert [len(documents) for documents, _ in tasks] == [32, 32, 32, 4]
    assert [predict for _, predict in tasks] == [False, True, True, True]


def test_existing_journal_or_output_needs_resume_or_force(tiny_model_dir, tmp_path):
    folder, out = tmp_path / "in", tmp_path / "labels.jsonl"
    write(folder / "a.txt", ARTICLE)
    label_folder(folder, out, settings(tiny_model_dir), quiet=True)
    with pytest.raises(LabelError, match="--force"):
        label_folder(folder, out, settings(tiny_model_dir), quiet=True)
    (tmp_path / "labels.jsonl.partial").write_text("")
    with pytest.raises(LabelError, match="--resume .* --force"):
        label_folder(folder, out, settings(tiny_model_dir), quiet=True)
    write(folder / "b.txt", ARTICLE)
    label_folder(folder, out, settings(tiny_model_dir), force=True, quiet=True)
    assert [row["id"] for row in read_rows(out)] == ["a.txt", "b.txt"]
    assert not (tmp_path / "labels.jsonl.partial").exists()


def test_output_inside_the_folder_is_not_read_as_input(tiny_model_dir, tmp_path):
    folder = tmp_path / "in"
    write(folder / "a.txt", ARTICLE)
    for _ in range(2):
        label_folder(folder, folder / "labels.csv", settings(tiny_model_dir), force=True, quiet=True)
    assert (folder / "labels.csv").read_text().count("\n") == 2


def test_a_file_name_that_is_not_utf8_is_written_and_read_back(tiny_model_dir, tmp_path):
    folder = tmp_path / "in"
    name = os.fsdecode(b"caf\xe9.txt")  # a Latin-1 name, as unzipped from an old Windows archive
    write(folder / name, ARTICLE)
    label_folder(folder, tmp_path / "labels.jsonl", settings(tiny_model_dir), quiet=True)
    assert '"caf\\udce9.txt"' in (tmp_path / "labels.jsonl").read_text(encoding="utf-8")
    assert read_rows(tmp_path / "labels.jsonl")[0]["path"] == name


def corpus(folder, count, seed=0):
    """`count` generated documents: .txt files in four subfolders, the last third in one .jsonl."""
    rng = random.Random(seed)
    sentences = [sentence for _ in range(3) for sentence in ARTICLE.split(". ")] + [ACCENTED]
    texts = [" ".join(rng.choices(sentences, k=rng.randint(4, 12))) + f" Nomor {n}." for n in range(count)]
    files = count * 2 // 3
    for number, text in enumerate(texts[:files]):
        write(folder / f"part{number % 4}" / f"doc{number:04d}.txt", text)
    write(folder / "zz_bulk.jsonl", jsonl(*({"text": text} for text in texts[files:])))
    return folder


def test_resume_cuts_a_torn_line_and_labels_only_what_is_missing(tiny_model_dir, tmp_path, monkeypatch):
    folder = corpus(tmp_path / "in", 40)
    monkeypatch.setattr(label, "BATCH_SIZE", 4)
    label_folder(folder, tmp_path / "clean.jsonl", settings(tiny_model_dir), quiet=True)
    clean = (tmp_path / "clean.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    journal = tmp_path / "labels.jsonl.partial"
    journal.write_text("".join(clean[:10]) + clean[10][:25], encoding="utf-8")
    predicted, real_predict = [], Model.predict

    def predict(self, texts, **options):
        predicted.extend(texts)
        return real_predict(self, texts, **options)

    monkeypatch.setattr(Model, "predict", predict)
    summary = label_folder(folder, tmp_path / "labels.jsonl", settings(tiny_model_dir), resume=True, quiet=True)
    assert (tmp_path / "labels.jsonl").read_text(encoding="utf-8").splitlines(keepends=True) == clean
    assert len(predicted) == 40 - 8  # the batches holding the 10 journal rows are re-hashed, not re-labelled
    assert (summary.documents, summary.resumed) == (40, 10)


def test_resume_refuses_a_journal_from_a_changed_folder(tiny_model_dir, tmp_path):
    folder = corpus(tmp_path / "in", 12)
    label_folder(folder, tmp_path / "clean.jsonl", settings(tiny_model_dir), quiet=True)
    clean = (tmp_path / "clean.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "labels.jsonl.partial").write_text("".join(clean[:5]), encoding="utf-8")
    write(folder / "part0" / "doc0000.txt", ARTICLE)
    with pytest.raises(LabelError, match="changed"):
        label_folder(folder, tmp_path / "labels.jsonl", settings(tiny_model_dir), resume=True, quiet=True)
    assert not (tmp_path / "labels.jsonl").exists()


def wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_kill_9_mid_run_then_resume_loses_and_repeats_nothing(tiny_model_dir, cli_env, tmp_path):
    folder = corpus(tmp_path / "in", 600)
    out, journal = tmp_path / "labels.jsonl", tmp_path / "labels.jsonl.partial"
    args = [folder, "--out", out, "--model", tiny_model_dir, "--workers", 2, "--quiet"]
    run = subprocess.Popen([sys.executable, "-m", "classifier", "label", *map(str, args)], cwd=ROOT, env=cli_env,
                           start_new_session=True)
    try:
        wait_for(lambda: journal.exists() and journal.stat().st_size > 0)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the workers this test started, if still alive
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == -signal.SIGKILL and not out.exists()
    assert 0 < journal.read_text(encoding="utf-8").count("\n") < 600
    with journal.open("a", encoding="utf-8") as stream:
        stream.write('{"path": "part1/doc0')  # what a kill in the middle of a write leaves
    resumed = run_cli([*args, "--resume"], cli_env)
    assert resumed.returncode == 0, resumed.stderr
    assert not journal.exists()
    rows = read_rows(out)  # every line is whole JSON
    label_folder(folder, tmp_path / "clean.jsonl", settings(tiny_model_dir), quiet=True)
    fields = ("path", "id", "sha256", "topic", "stance")
    assert [[row[f] for f in fields] for row in rows] == [[row[f] for f in fields] for row in
                                                          read_rows(tmp_path / "clean.jsonl")]
    assert len({(row["path"], row["id"]) for row in rows}) == len(rows) == 600

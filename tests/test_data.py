"""Reading labelled corpora: every problem named with its file and line."""
import json

import pytest

from classifier.data import DataError, check_known_labels, check_trainable, read_corpus

from conftest import SEEDS


def write(tmp_path, *records, raw=None):
    path = tmp_path / "data.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ([raw] if raw else [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def doc(i, topic="ceasefire", stance="neutral", **extra):
    return {"id": f"d{i}", "text": f"teks nomor {i}", "topic": topic, "stance": stance, **extra}


def base():
    return [doc(1), doc(2), doc(3, "other"), doc(4, "other", "pro_israel"), doc(5, stance="pro_israel")]


def error_for(tmp_path, *records, raw=None):
    with pytest.raises(DataError) as info:
        check_trainable(read_corpus([write(tmp_path, *records, raw=raw)]))
    return str(info.value)


def test_valid_corpus_reads_with_labels_from_data(tmp_path):
    documents = read_corpus([write(tmp_path, *base())])
    assert [d.id for d in documents] == ["d1", "d2", "d3", "d4", "d5"]
    assert {d.topic for d in documents} == {"ceasefire", "other"}


def test_malformed_line_is_named(tmp_path):
    assert "data.jsonl:6: not valid JSON" in error_for(tmp_path, *base(), raw='{"id": "x", ')


def test_missing_field_is_named(tmp_path):
    record = doc(6)
    del record["stance"]
    assert "data.jsonl:6: missing field(s) stance" in error_for(tmp_path, *base(), record)


def test_empty_text_is_named(tmp_path):
    assert "data.jsonl:6: text is empty" in error_for(tmp_path, *base(), {**doc(6), "text": "  \n"})


def test_duplicate_id_names_both_lines(tmp_path):
    message = error_for(tmp_path, *base(), doc(1))
    assert "data.jsonl:6: duplicate id 'd1'" in message and "data.jsonl:1" in message


def test_unknown_label_in_also_is_named(tmp_path):
    assert "data.jsonl:6: unknown label 'diplomasi' in also" in error_for(tmp_path, *base(), doc(6, also=["diplomasi"]))


def test_label_used_once_is_flagged_as_typo(tmp_path):
    message = error_for(tmp_path, *base(), doc(6, stance="pro-palestine"))
    assert "data.jsonl:6" in message and "stance" in message


def test_single_use_label_is_flagged(tmp_path):
    assert "data.jsonl:6: topic 'cesefire' is used by only 1" in error_for(tmp_path, *base(), doc(6, "cesefire"))


def test_evaluation_labels_must_be_known_to_the_model(tmp_path):
    documents = read_corpus([write(tmp_path, *base())])
    with pytest.raises(DataError, match="data.jsonl:3: unknown topic 'other'"):
        check_known_labels(documents, ["ceasefire"], ["neutral", "pro_israel"])


def test_seed_folder_reads_with_labels():
    seeds = {d.id[:3]: d for d in read_corpus([SEEDS])}
    assert (seeds["001"].topic, seeds["001"].also, seeds["001"].stance) == ("ceasefire", ("diplomacy",), "pro_palestine")
    assert seeds["003"].topic == "municipal_boycott"

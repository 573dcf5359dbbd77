"""Behaviour of the committed default model and of the corpus it is trained on.

Leave-seeds-out: a model trained on data/ alone must give the four real seed articles their primary
topic and stance. Invariance: page noise, readers' comments or another city name do not flip labels.
"""
import json

import pytest

from classifier import load_model
from classifier.data import read_corpus
from classifier.train import train

from conftest import ROOT, SEEDS

DEFAULT = ROOT / "models" / "default"
REPORT = ("JAKARTA - Menteri Luar Negeri bertemu duta besar Yordania di Jakarta, Senin, membahas resolusi Majelis "
          "Umum PBB. \"Yang terjadi di Gaza adalah genosida oleh penjajah,\" kata menteri itu kepada wartawan. "
          "Juru bicara kedutaan Israel di Singapura menyatakan pihaknya menolak tuduhan tersebut. Pertemuan "
          "berikutnya dijadwalkan bulan depan di New York.")


@pytest.fixture(scope="module")
def default_model():
    return load_model(DEFAULT)


@pytest.fixture(scope="module")
def seeds():
    return read_corpus([SEEDS])


def labels(model, text):
    record = model.predict([text])[0]
    return record["topic"], record["stance"]


def test_default_model_knows_the_guide_labels(default_model):
    assert default_model.topic_labels == ["ceasefire", "conference", "diplomacy", "municipal_boycott", "other"]
    assert default_model.stance_labels == ["neutral", "pro_israel", "pro_palestine"]
    manifest = json.loads((DEFAULT / "manifest.json").read_text())
    assert manifest["training_data"]["documents"] >= 1000


def test_leave_seeds_out(default_model, seeds):
    """Trained without the seeds, with the default model's own feature set and hyper-parameters."""
    corpus = read_corpus([ROOT / "data" / "train.jsonl"])
    params = {k: v for k, v in default_model.classifier.get_params(deep=False).items() if k != "features"}
    model, _ = train(corpus, feature_set=default_model.manifest["features"], cross_validation=False, params=params)
    got = {seed.id: labels(model, seed.text) for seed in seeds}
    assert got == {seed.id: (seed.topic, seed.stance) for seed in seeds}


def test_readers_comments_do_not_flip_the_article(default_model, seeds):
    article = next(seed for seed in seeds if seed.id.startswith("003"))
    body = article.text.split("\n\n\n")[0]
    hostile = ("\n\n12 Komentar\n"
               "Andi: Hamas teroris, Israel berhak membela diri. Boikot kota2 ini cuma gimmick.\n"
               "Rina: aksi bela Palestina di Monas besok, jangan lupa boikot KFC & Starbucks!\n")
    expected = (article.topic, article.stance)
    assert labels(default_model, article.text) == expected
    assert labels(default_model, body) == expected
    assert labels(default_model, body + hostile) == expected


def test_page_noise_does_not_flip_labels(default_model, seeds):
    noise_top = "Beranda | Nasional | Internasional | Olahraga\nBagikan: Facebook Twitter WhatsApp\n"
    noise_end = "\nBaca juga: Harga cabai naik di pasar induk\nPenulis: Redaksi\nEditor: Tim\nBack to top"
    for seed in seeds:
        assert labels(default_model, noise_top + seed.text + noise_end) == labels(default_model, seed.text), seed.id


def test_city_name_does_not_flip_municipal_boycott(default_model, seeds):
    article = next(seed for seed in seeds if seed.id.startswith("003"))
    renamed = article.text.replace("Liège", "Tromsø").replace("Verviers", "Ghent")
    assert labels(default_model, renamed) == (article.topic, article.stance)


def test_quoted_condemnation_alone_does_not_make_a_report_neutral_one_pro_palestine(default_model):
    assert labels(default_model, REPORT) == ("diplomacy", "neutral")


@pytest.mark.xfail(strict=True, reason="known limit: one loaded sentence in the writer's voice does not outweigh "
                                       "a neutral report; the voice-cue features that would catch it lost in "
                                       "cross-validation (see the feature comparison in models/default/report.md)")
def test_one_sentence_in_the_writers_voice_makes_a_report_pro_palestine(default_model):
    voiced = REPORT.replace('"Yang terjadi di Gaza adalah genosida oleh penjajah," kata menteri itu kepada wartawan.',
                            "Yang terjadi di Gaza jelas genosida oleh penjajah zionis, dan kita wajib bersuara.")
    assert labels(default_model, voiced)[1] == "pro_palestine"

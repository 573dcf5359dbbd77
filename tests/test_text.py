"""Unit tests for cleaning and tokenising, on the real page noise of the seed articles."""
from classifier.text import clean, own_voice_tokens, remove_page_noise, tokenize

from conftest import SEEDS


def seed(name):
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def test_seed_001_credits_share_line_and_read_also_removed():
    kept = remove_page_noise(seed("001"))
    for noise in ("HOME", "SHARE", "Baca juga", "Penulis", "Khalied Malvino", "Editor", "Sofian Faiq"):
        assert noise not in kept
    assert "Foto: Potret kehancuran di Nuseirat" in kept  # captions are the writer's own words
    assert kept.splitlines()[-1].startswith("Israel juga sedang menghadapi gugatan genosida")


def test_seed_002_menu_and_comment_form_removed():
    kept = remove_page_noise(seed("002"))
    for noise in ("NasionalPileg", "Related Articles", "Tinggalkan Balasan", "Alamat email",
                  "Back to top", "How can I help"):
        assert noise not in kept
    assert kept.splitlines()[0].startswith("Indonesia dan Anggota OKI Dorong AS")


def test_seed_003_readers_comments_removed_article_kept():
    kept = remove_page_noise(seed("003"))
    assert "Dewan Kota Liège memutuskan" in kept
    assert "Jayalah Palestina" not in kept
    assert "KFC" not in kept
    assert "Ketimpangan sikap" not in kept


def test_comment_heading_cuts_comment_section():
    article = "Dewan kota memutuskan memutus hubungan kota kembar. " * 10
    text = article + "\n\n3 Komentar\nBudi: Hamas teroris!\nSiti: setuju boikot KFC"
    assert "Hamas" not in remove_page_noise(text)


def test_short_post_starting_with_comment_word_is_kept():
    assert "pedih" in remove_page_noise("Komentar saya: pedih melihat Gaza hari ini.")


def test_clean_normalises_case_unicode_urls_emails_numbers():
    text = "ＧＡＺＡ: 44.600 tewas sejak 7/10/2023. Lihat https://bit.ly/4dpN4O7 atau www.kemlu.go.id, tulis ke humas@kemlu.go.id"
    cleaned = clean(text)
    assert cleaned.startswith("gaza: _num_ tewas sejak _num_.")
    assert "_url_" in cleaned and "_email_" in cleaned
    assert "44" not in cleaned and "http" not in cleaned and "@" not in cleaned


def test_clean_turns_domain_names_into_placeholders():
    assert clean("halopalestina.com – Palestina.").startswith("_url_")


def test_clean_keeps_meaningful_emoji_as_words():
    assert "_benderapalestina_" in clean("Free Palestine 🇵🇸")


def test_tokenize_keeps_hyphenated_words_and_placeholders():
    assert tokenize("anak-anak di kota-kota _num_ orang") == ["anak-anak", "di", "kota-kota", "_num_", "orang"]


ATTRIBUTION = frozenset({"kata", "menurut", "ujarnya"})


def test_own_voice_leaves_out_quotations():
    voice = own_voice_tokens(clean('Menlu berkata, “ini genosida,” lalu pergi.'), ATTRIBUTION)
    assert voice == ["menlu", "berkata", "lalu", "pergi"]


def test_own_voice_leaves_out_attributed_sentences():
    text = clean("Menurut dia, Israel melakukan genosida. Gaza kembali dibom. Itu genosida, ujarnya.")
    assert own_voice_tokens(text, ATTRIBUTION) == ["gaza", "kembali", "dibom"]


def test_unclosed_quote_ends_at_paragraph():
    assert own_voice_tokens('kata dia "tanpa penutup\nparagraf baru', frozenset()) == ["kata", "dia", "paragraf", "baru"]

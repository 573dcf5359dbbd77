"""Text cleaning and tokenising for Indonesian news pages, posts and comments.

Pure functions. `strip_page` keeps what a reader of the article would read and drops what the page
wraps around it (menus, share bars, credit lines, "Baca juga" links, readers' comments), because
the labels describe the article and not the page. `normalise` (lower case, placeholders for URLs,
e-mails and numbers) never looks across white space, so `tokenize` applies it to each distinct
white-space-separated chunk once per process instead of to every document; `clean` is both, for
reading.
"""
import re
import unicodedata
from itertools import chain

from .cache import BoundedCache
from .config import cache_sizes

# Quotation marks and apostrophes that NFKC leaves alone become plain ones, and emoji that carry
# meaning in posts about Palestine become words before symbols are dropped. (Looking for an emoji
# in a text without any character outside the BMP costs nothing: Python knows no such character
# can be in it.)
_REPLACEMENTS = (("“", '"'), ("”", '"'), ("„", '"'), ("‟", '"'), ("«", '"'), ("»", '"'),
                 ("‘", "'"), ("’", "'"), ("‚", "'"), ("‛", "'"), ("`", "'"),
                 ("🇵🇸", " _benderapalestina_ "), ("🍉", " _semangka_ "), ("🇮🇱", " _benderaisrael_ "),
                 ("🇮🇩", " _benderaindonesia_ "))

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|co|id|net|org|info|news|ly|io|tv|me|my)\b(?:/\S*)?", re.I)
_DOMAIN_HINT_RE = re.compile(r"\.(?:com|co|id|net|org|info|news|ly|io|tv|me|my)\b")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER_RE = re.compile(r"[0-9]+(?:[.,:/][0-9]+)*")  # NFKC has already made other digit forms ASCII

_SECTION_WORDS = frozenset("""
beranda home nasional internasional dunia global olahraga sport sports bola sepakbola ekonomi bisnis
finansial keuangan politik hukum kriminal teknologi tekno sains hiburan seleb selebriti lifestyle gaya
hidup otomotif kesehatan health opini kolom editorial video foto indeks terkini terbaru populer
regional daerah metro megapolitan news berita travel wisata kuliner edukasi pendidikan humaniora
pemilu pilpres pileg timur tengah islam khazanah hikmah muslimah jabar jateng jatim nusantara
kanal rubrik infografis trending viral cek fakta tv live streaming podcast
""".split())
_SHARE_WORDS = frozenset("""
facebook twitter whatsapp telegram line linkedin email e-mail instagram tiktok youtube x copy salin
link tautan share bagikan pinterest threads
""".split())
_MENU_SEPARATOR_RE = re.compile(r"[|›»⁄/•·>]")
_CAMEL_JOIN_RE = re.compile(r"[a-z0-9][A-Z]")
_WORD_RE = re.compile(r"\w+", re.U)

_LINK_LIST_HEAD_RE = re.compile(
    r"^(?:baca (?:juga|pula|selengkapnya)|lihat juga|simak juga|berita terkait|artikel terkait"
    r"|related(?: articles?| posts?| news)?|read more|baca artikel lainnya|topik terkait|berita lainnya"
    r"|terpopuler|paling populer|rekomendasi|pilihan redaksi|tags?|tagar)\b", re.I)
_CREDIT_RE = re.compile(
    r"^(?:penulis|editor|reporter|pewarta|redaktur|fotografer|foto|sumber foto|kontributor"
    r"|penyunting|ilustrasi|grafis|author|writer|oleh|by|laporan wartawan|sumber)\b\s*[:：|-]?", re.I)
_BOILERPLATE_PHRASES = (
    "back to top", "kembali ke atas", "alamat email anda tidak akan dipublikasikan", "ruas yang wajib",
    "how can i help you", "advertisement", "scroll to continue", "lanjutkan membaca", "scroll untuk",
    "copyright", "hak cipta", "all rights reserved", "cookie", "berlangganan", "newsletter", "unduh aplikasi",
    "download aplikasi", "google news", "klik di sini", "ikuti kami", "ikuti berita", "ikuti kanal",
    "ikuti akun", "dapatkan update", "dapatkan berita", "dapatkan informasi", "simak berita", "follow us",
    "subscribe", "loading...")
_BOILERPLATE_LINES = frozenset(("iklan", "ads", "x", "×", "advertisement"))
_COMMENTS_HEAD_RE = re.compile(
    r"^(?:\d+\s+)?(?:komentar|comments?|tanggapan|komentar pembaca|tulis komentar|kirim komentar"
    r"|beri komentar|tinggalkan (?:balasan|komentar)|diskusi|balasan)\b[^.!?]{0,40}$", re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·–—>]|\d+[.)])\s+")

_MAX_NOISE_LINE_CHARS = 240
_COMMENTS_MIN_ARTICLE_WORDS = 40
_GAP_MIN_ARTICLE_WORDS = 80


def _ends_sentence(line):
    return line.endswith((".", "!", "?", '."', '?"', '!"'))


def _is_boilerplate(line):
    lowered = line.lower()
    return lowered in _BOILERPLATE_LINES or any(map(lowered.__contains__, _BOILERPLATE_PHRASES))


def _is_menu_line(line, words):
    """Navigation: section names, separators between short items, or menu items glued together."""
    if _ends_sentence(line) or not words or len(words) > 14:
        return False
    sections = sum(map(_SECTION_WORDS.__contains__, map(str.lower, words)))
    if sections >= 0.8 * len(words):
        return True
    return len(_MENU_SEPARATOR_RE.findall(line)) >= 2 or len(_CAMEL_JOIN_RE.findall(line)) >= 2


def _is_share_line(line, words):
    lowered = list(map(str.lower, words))
    hits = sum(map(_SHARE_WORDS.__contains__, lowered))
    return hits >= 2 and hits >= 0.4 * len(words) or (lowered[:1] in (["share"], ["bagikan"]) and len(words) <= 8)


def _is_noise_line(line, words):
    if len(words) > 25:
        return False
    if _is_boilerplate(line):
        return True
    if _CREDIT_RE.match(line) and len(words) <= 8 and not _ends_sentence(line):
        return True
    return _is_share_line(line, words) or _is_menu_line(line, words)


def _cut_comments(lines):
    """Drop a readers' comment section: from its heading, or after a wide blank gap that ends the article."""
    words_so_far = 0
    blank_run = 0
    widest_gap = 0
    for i, line in enumerate(lines):
        if not line.strip():
            blank_run += 1
            continue
        if blank_run >= 3 and widest_gap < 2 and words_so_far >= _GAP_MIN_ARTICLE_WORDS:
            return lines[:i]
        widest_gap = max(widest_gap, blank_run) if words_so_far else widest_gap
        blank_run = 0
        if _COMMENTS_HEAD_RE.match(line.strip()) and words_so_far >= _COMMENTS_MIN_ARTICLE_WORDS:
            return lines[:i]
        if words_so_far < _GAP_MIN_ARTICLE_WORDS:  # past both thresholds the count no longer matters
            words_so_far += line.count(" ") + 1
    return lines


def remove_page_noise(text):
    """Keep the article's own lines: headline, body, captions; drop the page around them."""
    kept = []
    in_link_list = False
    drop_next_name = False
    for raw in _cut_comments(text.split("\n")):
        line = raw.strip()
        if not line:
            in_link_list = False
            continue
        if len(line) > _MAX_NOISE_LINE_CHARS:  # a paragraph: article text, and the common case
            kept.append(line)
            in_link_list = drop_next_name = False
            continue
        words = _WORD_RE.findall(line)
        if drop_next_name:
            drop_next_name = False
            if len(words) <= 5 and not _ends_sentence(line):
                continue
        if _LINK_LIST_HEAD_RE.match(line):
            in_link_list = True
            continue
        if in_link_list and (_BULLET_RE.match(line) or (len(words) <= 16 and not _ends_sentence(line))):
            continue
        in_link_list = False
        if _is_noise_line(line, words):
            drop_next_name = bool(_CREDIT_RE.match(line)) and len(words) <= 2
            continue
        kept.append(line)
    return "\n".join(kept)


def strip_page(text):
    """The article's own text: NFKC, plain quotation marks, meaningful emoji as words, noise lines out."""
    text = unicodedata.normalize("NFKC", text)
    for sign, replacement in _REPLACEMENTS:
        if sign in text:
            text = text.replace(sign, replacement)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return remove_page_noise(text)


def normalise(text):
    """Lower case, with URLs, e-mails and numbers as placeholders; none of them spans white space."""
    text = text.lower()
    if "@" in text:
        text = _EMAIL_RE.sub(" _email_ ", text)
    if "://" in text or "www." in text or _DOMAIN_HINT_RE.search(text):
        text = _URL_RE.sub(" _url_ ", text)
    return _NUMBER_RE.sub("_num_", text)


def clean(text):
    """The article text as the model reads it: `strip_page`, then `normalise`."""
    return normalise(strip_page(text)).strip()


_TOKEN_RE = re.compile(r"_[a-z]+_|[^\W\d_]+(?:['-][^\W\d_]+)*")


def chunk_tokens(chunk):
    """Normalised tokens of one white-space-free chunk of text (uncached: callers cache the result)."""
    return tuple(_TOKEN_RE.findall(normalise(chunk)))


_CHUNKS = BoundedCache(cache_sizes()[1], chunk_tokens)


def tokenize(text):
    """Normalised words of a text (stripped or cleaned), hyphenated words and placeholders kept whole.

    Each distinct white-space-separated chunk is normalised and tokenised once per process: the
    regular expressions cost more than the look-up."""
    return list(chain.from_iterable(_CHUNKS.get_all(text.split())))


_SENTENCE_BREAK_RE = re.compile(r"[.!?;]+(?:\s+|$)")


def own_voice_tokens(cleaned, attribution_words):
    """Tokens in the writer's own voice: outside quotation marks and outside sentences that attribute
    what they say to someone (any of `attribution_words`, e.g. "menurut", "kata"), as the guide asks."""
    voice = []
    for paragraph in cleaned.split("\n"):
        for part in paragraph.split('"')[::2]:
            for sentence in _SENTENCE_BREAK_RE.split(part):
                tokens = _TOKEN_RE.findall(sentence)
                if attribution_words.isdisjoint(tokens):
                    voice.extend(tokens)
    return voice

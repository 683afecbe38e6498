"""Japanese tokenising for BM25: fugashi + unidic-lite, normalised for matching.

Text is NFKC-normalised and lower-cased; particles, auxiliaries and symbols are dropped.
Two bridges let an English query meet Japanese text in keyword search:

- loanwords carry their English origin in UniDic's lemma (コスト → ``cost``);
- place and person names also yield their romanised reading (盛岡 → ``morioka``).

>>> Tokenizer().tokens("盛岡市はコストメリットを出せた")
['盛岡', 'morioka', '市', 'コスト', 'cost', 'メリット', 'merit', '出せ']
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.text import MONTHS, fold, nfkc

FIELDS = ("surface", "lemma")
_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_ASCII_WORD = re.compile(r"^[a-z0-9][a-z0-9\-\.]*$")
_EN_STOP = set(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "did",
        "do",
        "does",
        "how",
        "what",
        "why",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "with",
        "by",
        "from",
        "at",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "them",
        "get",
        "got",
        "has",
        "have",
        "had",
        "can",
        "could",
        "would",
        "should",
        "will",
        "about",
        "into",
        "than",
        "then",
        "so",
        "such",
        "any",
        "all",
        "not",
        "no",
    ]
)


# Participles that work as prepositions ("according to the plan", "regarding the fee"): read
# as verbs they would translate to 合意 (accord) or 関する; the list lacks them
_PREPOSITIONS = frozenset({"according", "regarding", "concerning", "including", "excluding"})


@functools.cache
def english_stop_words() -> frozenset[str]:
    """English words a question is made of rather than about, which the term list never
    translates (:mod:`rag.bilingual`): scikit-learn's English stop list (many, much, how …),
    :data:`_EN_STOP` (the narrower set BM25 drops from the text itself, which keeps words
    like "new" and "first" that a passage may be found by), and single letters ('s of
    Shinagawa's). Kept out of it are the list's content words, which Nothman et al. (2018)
    flag as its known faults (bill → 議案, fire → 消防, system → 制度), and its numbers and
    ordinals ("third regular session", "first supplementary budget")."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    listed = frozenset(ENGLISH_STOP_WORDS) - _STOP_LIST_CONTENT - _NUMBER_WORDS
    listed |= {_stem(w) for w in listed}  # as a query's tokens hold them (themselves: themselve)
    return listed | _EN_STOP | _PREPOSITIONS | frozenset("abcdefghijklmnopqrstuvwxyz")


_STOP_LIST_CONTENT = frozenset(
    [
        "amount",
        "bill",
        "bottom",
        "call",
        "describe",
        "detail",
        "empty",
        "fill",
        "find",
        "fire",
        "found",
        "front",
        "full",
        "interest",
        "mill",
        "move",
        "name",
        "part",
        "serious",
        "show",
        "side",
        "system",
        "thick",
        "thin",
        "top",
    ]
)
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "forty",
        "fifty",
        "sixty",
        "hundred",
        "first",
        "third",
        "last",
        "next",
    ]
)


def _loanwords() -> dict[str, str]:
    """UniDic origin → English word also indexed (``rag/data/loanwords.json``)."""
    path = Path(__file__).with_name("data") / "loanwords.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    return {k.lower(): str(v).lower() for k, v in table.items() if not k.startswith("_")}


_ORIGIN_ALSO = _loanwords()
# A Latin-script word, whole: ChatGPT, Wi-Fi, Morioka (of Morioka's).
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
# Capitalised in English without being names: months, weekdays, and the words English
# writers capitalise when they name a council's bodies, offices and documents.
_NOT_NAMES = set(MONTHS) | set(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "japan",
        "japanese",
        "english",
        "city",
        "cities",
        "ward",
        "wards",
        "town",
        "village",
        "prefecture",
        "prefectural",
        "council",
        "councils",
        "assembly",
        "committee",
        "committees",
        "mayor",
        "governor",
        "office",
        "department",
        "division",
        "bureau",
        "section",
        "government",
        "cloud",
        "plan",
        "plans",
        "strategy",
        "act",
        "law",
        "ordinance",
        "bill",
        "budget",
        "meeting",
        "session",
        "regular",
        "extraordinary",
        "special",
        "member",
        "members",
        "chair",
        "vice",
        "digital",
        "transformation",
        "project",
        "program",
        "programme",
        "policy",
        "report",
        "minutes",
        "question",
        "fiscal",
        "year",
        "first",
        "second",
        "third",
        "fourth",
        "general",
    ]
)
_KANA = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
    "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo",
}  # fmt: skip
_KANA1 = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ",
        [
            "a",
            "i",
            "u",
            "e",
            "o",
            "ka",
            "ki",
            "ku",
            "ke",
            "ko",
            "sa",
            "shi",
            "su",
            "se",
            "so",
            "ta",
            "chi",
            "tsu",
            "te",
            "to",
            "na",
            "ni",
            "nu",
            "ne",
            "no",
            "ha",
            "hi",
            "fu",
            "he",
            "ho",
            "ma",
            "mi",
            "mu",
            "me",
            "mo",
            "ya",
            "yu",
            "yo",
            "ra",
            "ri",
            "ru",
            "re",
            "ro",
            "wa",
            "o",
            "n",
            "ga",
            "gi",
            "gu",
            "ge",
            "go",
            "za",
            "ji",
            "zu",
            "ze",
            "zo",
            "da",
            "ji",
            "zu",
            "de",
            "do",
            "ba",
            "bi",
            "bu",
            "be",
            "bo",
            "pa",
            "pi",
            "pu",
            "pe",
            "po",
        ],
        strict=True,
    )
)


def romanize(kana: str) -> str:
    """Katakana reading to Hepburn romaji (long vowels folded): モリオカ → ``morioka``."""
    out: list[str] = []
    i = 0
    while i < len(kana):
        two, one = kana[i : i + 2], kana[i]
        if two in _KANA:
            out.append(_KANA[two])
            i += 2
            continue
        if one == "ッ" and i + 1 < len(kana):
            nxt = _KANA.get(kana[i + 1 : i + 3]) or _KANA1.get(kana[i + 1], "")
            out.append(nxt[:1])
        elif one in _KANA1:
            out.append(_KANA1[one])
        i += 1
    s = "".join(out)
    return re.sub(r"(ou|oo|uu)", lambda m: m.group(0)[0], s)


_TAGGER: Any = None
_TAGGER_LOCK = threading.Lock()


def mecab_words(text: str) -> list[Any]:
    """MeCab's words for ``text``. One tagger for the process, used under a lock: a tagger
    is not safe to share between threads, and one per thread costs ~200 MB (its dictionary)
    in a server's thread pool."""
    global _TAGGER
    with _TAGGER_LOCK:
        if _TAGGER is None:
            import fugashi

            _TAGGER = fugashi.Tagger()
        return list(_TAGGER(text))


def pos_words(text: str) -> list[tuple[str, str]]:
    """(surface, part of speech) of each word of ``text``: 「移行する」 → (移行, 名詞), (する, 動詞)."""
    return [(w.surface, w.feature.pos1) for w in mecab_words(nfkc(text))]


# UniDic's feature fields that BM25 reads, by name; their places depend on the dictionary
# fugashi found (unidic-lite's 26 fields, or the full unidic's 29), so they are looked up
_NEEDED = ("pos1", "pos2", "pos3", "lemma", "kana")
_LAYOUT: tuple[int, ...] = ()


def _layout() -> tuple[int, ...]:
    """Where :data:`_NEEDED` sit in this dictionary's feature CSV."""
    global _LAYOUT
    if not _LAYOUT:
        names = type(mecab_words("東京")[0].feature)._fields
        _LAYOUT = tuple(names.index(n) for n in _NEEDED)
    return _LAYOUT


def _fields(raw: str, last: int) -> list[str] | None:
    """The feature fields up to ``last`` of a word, split from MeCab's raw CSV: 3x faster
    than fugashi's named tuple per word, which was half of BM25's tokenising. None when one
    of them is quoted (a field holding a comma) or missing (an unknown word has 6), for the
    named tuple to parse."""
    parts = raw.split(",", last + 1)
    if len(parts) <= last + 1 or '"' in raw[: len(raw) - len(parts[-1])]:
        return None
    return parts


# Recorded in an index's manifest: an index tokenised otherwise is rebuilt, since its
# tokens would not meet the queries'. 2: a noun's okurigana variants are one token
# (:func:`same_word_okurigana`).
TOKENIZER_VERSION = 2
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆]")


def same_word_okurigana(surface: str, lemma: str) -> bool:
    """Whether ``surface`` is ``lemma`` written with fewer or more okurigana: the same kanji
    in the same order, only the kana around them differ (申込み, 申込 and 申し込み; 取組,
    取組み and 取り組み; 手続 and 手続き). Japanese officialdom writes all of them for one
    word (送り仮名の付け方 allows each), so a search for one must find the others. A lemma
    in other kanji or in kana (子ども → 子供, 品川 → シナガワ) is another matter, not folded.

    >>> same_word_okurigana("申込み", "申し込み"), same_word_okurigana("手続", "手続き")
    (True, True)
    >>> same_word_okurigana("子ども", "子供"), same_word_okurigana("品川", "シナガワ")
    (False, False)
    """
    if surface == lemma or not lemma or lemma == "*":
        return False
    kanji = _KANJI.findall(surface)
    return bool(kanji) and kanji == _KANJI.findall(lemma)


class Tokenizer:
    """Tokens for BM25; ``field`` is ``surface`` (as written, but for a noun's okurigana
    variants, one term: :func:`same_word_okurigana`) or ``lemma`` (dictionary form)."""

    def __init__(self, field: str = "surface") -> None:
        if field not in FIELDS:
            raise ValueError(f"field must be one of {FIELDS}, not {field!r}")
        self.field = field

    def tokens(self, text: str) -> list[str]:
        text = fold(text)
        out: list[str] = []
        pos1, pos2, pos3, lemma_at, kana_at = at = _layout()
        last = max(at)
        for w in mecab_words(text):
            f = _fields(w.feature_raw, last) or list(w.feature)
            if f[pos1] in _SKIP_POS:
                continue
            surface = w.surface
            if _ASCII_WORD.match(surface):
                if surface not in _EN_STOP:
                    out.append(_stem(surface))
                continue
            lemma = f[lemma_at] or surface
            base, _, origin = lemma.partition("-")
            if self.field == "lemma" and base != "*":
                out.append(base)
            elif f[pos1] == "名詞" and same_word_okurigana(surface, base):
                out.append(base)  # 申込み, 申込 → 申し込み
            else:
                out.append(surface)
            if origin and origin.isascii():
                out.append(origin.lower())
                if origin.lower() in _ORIGIN_ALSO:  # UniDic reads クラウド as crowd only
                    out.append(_ORIGIN_ALSO[origin.lower()])
            elif f[pos2] == "固有名詞" and f[pos3] in ("地名", "人名") and f[kana_at]:
                out.append(romanize(f[kana_at]))
        return out

    __call__ = tokens

    def names(self, text: str) -> list[str]:
        """Proper nouns (places, people, organisations) as written: 大阪, Fukuoka."""
        text = nfkc(text)
        out = [w.surface for w in mecab_words(text) if w.feature.pos2 == "固有名詞"]
        return out + latin_names(text)


_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])  # for the workers' imports
POOL_MIN_TEXTS = 5000  # below this a worker's start (~1 s) costs more than it saves


def tokenize_all(texts: Sequence[str], field: str = "surface", workers: int = 1) -> list[list[str]]:
    """:class:`Tokenizer` tokens of many texts, in order. With ``workers`` ≥ 2 and many
    texts, in that many worker processes (``python -m rag.tokenizing``): fugashi's per-word
    loop holds the GIL, so a thread beside the embedder slowed both (the embedder ran at
    3–18 chunks/s while it did). The workers are plain subprocesses, not multiprocessing's
    spawn, which would re-run the caller's main script. A worker's failure is raised here;
    no worker outlives the call."""
    Tokenizer(field)  # a wrong field fails here, not in a worker
    if workers < 2 or len(texts) < POOL_MIN_TEXTS:
        return _tokenize_part(list(texts), field)
    import pickle
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    size = -(-len(texts) // workers)
    parts = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, *sys.path])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "rag.tokenizing", field],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in parts
    ]
    try:
        with ThreadPoolExecutor(len(procs)) as threads:  # the pipes, waited on together
            done = list(threads.map(_exchange, procs, parts))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    out: list[list[str]] = []
    for proc, (stdout, stderr) in zip(procs, done, strict=True):
        if proc.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(
                f"BM25 tokenising: a worker process ended with code {proc.returncode} "
                f"({tail[0]}); RAG_THREADS=1 tokenises in this process instead"
            )
        out.extend(pickle.loads(stdout))
    return out


def _exchange(proc: Any, texts: list[str]) -> tuple[bytes, bytes]:
    import pickle

    out: tuple[bytes, bytes] = proc.communicate(pickle.dumps(texts, protocol=5))
    return out


def _tokenize_part(texts: list[str], field: str) -> list[list[str]]:
    tokenizer = Tokenizer(field)
    return [tokenizer(t) for t in texts]


def _worker() -> None:
    """``python -m rag.tokenizing FIELD``: a pickled list of texts on stdin, their pickled
    tokens on stdout (what :func:`tokenize_all` starts)."""
    import pickle
    import sys

    texts = pickle.load(sys.stdin.buffer)
    pickle.dump(_tokenize_part(texts, sys.argv[1]), sys.stdout.buffer, protocol=5)


def latin_names(text: str) -> list[str]:
    """English names in ``text``: capitalised words, taken whole, that do not open a sentence
    and are not months, weekdays or ordinary words; acronyms (DX, ICT) are not names.

    >>> latin_names("How did Morioka and Sendai compare? Both cut costs.")
    ['Morioka', 'Sendai']
    >>> latin_names("Is ChatGPT in Morioka's March 2023 plan?")
    ['ChatGPT', 'Morioka']
    """
    text = nfkc(text)
    out = []
    for m in _LATIN_WORD.finditer(text):
        word = m.group()
        before = text[: m.start()].rstrip()
        if (
            len(word) < 3
            or not word[0].isupper()
            or not any(c.islower() for c in word)
            or not before
            or before[-1] in ".?!"
            or word.lower() in _EN_STOP
            or word.lower() in _NOT_NAMES
        ):
            continue
        out.append(word)
    return out


def acronyms(text: str) -> list[str]:
    """Latin words with a capital after their first letter, as an acronym or a product name
    is written wherever it stands in the sentence: DX, AI, SDGs, ChatGPT, iPad (not I, nor
    a capitalised word such as How).

    >>> acronyms("ChatGPT and DX on iPads in Morioka's ICT plan? I ask")
    ['ChatGPT', 'DX', 'iPads', 'ICT']
    """
    words = (m.group() for m in _LATIN_WORD.finditer(nfkc(text)))
    return [w for w in words if any(c.isupper() for c in w[1:])]


_NEGATING = frozenset({"ない", "ず", "ぬ"})  # the lemmas of the auxiliaries that negate
_NOT = re.compile(r"\b(?:not|never|none)\b|n't\b", re.I)
# Negations that assert: an obligation (しなければならない) and "only" (10人しかいない)
_NOT_NEGATING = re.compile(
    r"(?:なければ|なくては|ないと)(?:なら|いけ|だめ)(?:ない|ません)|ざるを得(?:ない|ません)"
    r"|しか[^。]{0,20}?(?:ない|ません)"
)


def negated(text: str) -> bool:
    """Whether a clause is negated: in Japanese by a negating auxiliary (していない,
    答えなかった, 使いません; not the adjective 少ない, nor an obligation or "only":
    しなければならない, 10人しかいない), in English by not, n't, never or none.

    >>> negated("利用していないと回答した325人"), negated("少ない人数で回答した")
    (True, False)
    >>> negated("見直さなければならない"), negated("回答は100人しかいない")
    (False, False)
    """
    if _NOT.search(text):
        return True
    text = _NOT_NEGATING.sub("", nfkc(text))
    return any(
        w.feature.pos1 == "助動詞" and w.feature.lemma in _NEGATING for w in mecab_words(text)
    )


def person_names(text: str) -> list[str]:
    """People named in ``text`` (UniDic's 人名: a surname, with the given name after it):
    「副委員長に田中ゆき君を指名」 → ['田中ゆき'].

    >>> person_names("副委員長に田中ゆき君を、委員に高橋君を指名いたします。")
    ['田中ゆき', '高橋']
    """
    out: list[str] = []
    run = ""
    for w in mecab_words(nfkc(text)):
        f = w.feature
        if f.pos2 == "固有名詞" and f.pos3 == "人名":
            if f.pos4 == "姓" and run:
                out.append(run)
                run = ""
            run += w.surface
        elif run:
            out.append(run)
            run = ""
    return out + ([run] if run else [])


def romanized_reading(word: str) -> str:
    """The Hepburn reading of a Japanese word, from UniDic's kana: 南部 → ``nanbu``; "" when
    a part has no known reading.

    >>> romanized_reading("南部")
    'nanbu'
    """
    kana = []
    for w in mecab_words(nfkc(word)):
        reading = getattr(w.feature, "kana", None)
        if not reading or reading == "*":
            return ""
        kana.append(reading)
    return romanize("".join(kana))


def _stem(word: str) -> str:
    """A light English plural fold, enough for query words like ``savings``."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


if __name__ == "__main__":
    _worker()

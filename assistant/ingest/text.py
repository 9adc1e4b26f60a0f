"""Word-level text processing shared by the lexical index, the answerer and the verifier:
tokenizing, Indonesian stemming (Sastrawi, made fast), stop words and the language of a question
("en" or "id", so messages and LLM answers use it)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

WORD_RE = re.compile(r"\d+(?:[.,:/]\d+)+|[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_POSSESSIVE_RE = re.compile(r"(?<=\w)(?:['’]s|-nya)$")

# Words that carry no topic in either language (Sastrawi's Indonesian list is added lazily).
ENGLISH_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also tell said say says according
    did does whose supposed""".split()
)
INDONESIAN_EXTRA_STOPWORDS = frozenset(
    """yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga oleh sebagai
    atau karena ada bisa telah sudah kata apa siapa kapan mana berapa bagaimana mengapa kenapa
    tersebut para pun hal serta saat nya ia dia mereka kami kita sih dong deh nih tuh kok sebenarnya
    ngomong bilang""".split()
)

_stemmer_lock = threading.Lock()
_stemmer = None


def _fast_stemmer():
    """Sastrawi's stemmer with its root-word dictionary in a set (stock: a list, ~85 ms/word)."""
    global _stemmer
    with _stemmer_lock:
        if _stemmer is None:
            from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
            from Sastrawi.Stemmer.Stemmer import Stemmer
            from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

            words = set(StemmerFactory().get_words())
            dictionary = ArrayDictionary()
            dictionary.words = words
            dictionary.add = words.add  # keep the interface working on the set
            _stemmer = Stemmer(dictionary)
        return _stemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem of one lower-case word ("dihadiri" → "hadir"); numbers and short words stay."""
    if len(word) <= 3 or not word.isalpha():
        return word
    stemmed = _fast_stemmer().stem(word) or word
    if stemmed == word and word.endswith("nya") and len(word) > 6:  # "rakornya": a word the stemmer doesn't know
        return stem(word[:-3])
    return stemmed


def is_common_word(word: str) -> bool:
    """A lower-case Indonesian word of the dictionary, or one derived from it ("penempatan")."""
    return word in _fast_stemmer().dictionary.words or stem(word) != word


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    indonesian = set(StopWordRemoverFactory().get_stop_words())
    return frozenset(indonesian | INDONESIAN_EXTRA_STOPWORDS | ENGLISH_STOPWORDS)


def bare_name(token: str) -> str:
    """A name token without its possessive: "Persib's" → "Persib", "KPUD-nya" → "KPUD"."""
    return _POSSESSIVE_RE.sub("", token.rstrip("'’"))


def words(text: str) -> list[str]:
    """Lower-case word tokens; hyphenated words and numbers like 1.500 or 0503 stay whole, and an
    possessive is its name ("Persib's" → "persib", "KPUD-nya" → "kpud")."""
    return [_POSSESSIVE_RE.sub("", w.lower()) for w in WORD_RE.findall(text)]


def content_terms(text: str) -> list[str]:
    """Stemmed tokens minus stop words: what the lexical index and support checks compare."""
    stop = stopwords()
    out = []
    for w in words(text):
        if w in stop:
            continue
        s = stem(w)
        if s and s not in stop:
            out.append(s)
    return out


_ID_MARKERS = frozenset(
    """yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga oleh apa siapa
    kapan mana dimana berapa bagaimana mengapa kenapa apakah tentang soal mengenai terkait kata
    digelar dia ia tersebut saja sudah belum bagi para menurut gimana kah lalu""".split()
)
_EN_MARKERS = frozenset(
    """the a an is are was were of in on at to for and what who whom whose when where why how which
    did does do has have had said say about it he she they this that with by from many much""".split()
)


def detect_language(text: str) -> str:
    """"id" or "en" by counting function words; English when there is no signal."""
    tokens = words(text)
    id_hits = sum(t in _ID_MARKERS for t in tokens) + sum(t.endswith("nya") for t in tokens)
    en_hits = sum(t in _EN_MARKERS for t in tokens)
    return "id" if id_hits > en_hits else "en"


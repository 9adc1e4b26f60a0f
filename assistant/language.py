"""What a question asks, and which sentences could answer it, in Indonesian and English.

Rules, not models: the language of a question (so answers and abstentions speak it), the kind of
answer it wants (person, date, place, number, quote, reason, manner, thing), who it asks about,
and which kinds of answer a sentence holds. They are small regexes over news conventions
(titles and ranks, speech verbs, dates, "di <Place>") that hold for any Indonesian/English article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.textproc import stopwords, words

# -- language -------------------------------------------------------------------------------

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


# -- question kinds -------------------------------------------------------------------------

PERSON, DATE, PLACE, NUMBER, QUOTE, REASON, MANNER, THING = (
    "person", "date", "place", "number", "quote", "reason", "manner", "thing",
)

_I = re.IGNORECASE
_SPEECH_NOUNS = r"(?:kata|ucapan|pernyataan|pendapat|tanggapan|komentar|penjelasan|pesan|harapan|yang (?:dikatakan|disampaikan|diungkapkan|dijelaskan))"
_TOPIC_CUE = r"(?:about|on|regarding|concerning|tentang|soal|mengenai|terkait|atas|perihal)"
_QUOTE_PATTERNS = [
    re.compile(rf"\bwhat (?:did|does|do|has|have|had|was|is) (?P<speaker>.+?) (?:say|said|says|tell|told|state|stated|think|thought|note|noted|mention|mentioned|warn|warned|add|added)\b", _I),
    re.compile(r"\bhow did (?P<speaker>.+?) (?:describe|respond|react|view|explain)\b", _I),
    re.compile(r"\bwhat (?:was|is) (?P<speaker>.+?)'s (?:view|statement|opinion|position|message|response)\b", _I),
    re.compile(r"\baccording to (?P<speaker>.+?)(?:,|\?|$| (?:what|who|when|where|why|how)\b)", _I),
    re.compile(rf"\bapa (?:saja )?{_SPEECH_NOUNS} (?P<speaker>.+?)(?= {_TOPIC_CUE}\b|\?|$)", _I),
    re.compile(rf"\bbagaimana (?:tanggapan|pendapat|pandangan|penilaian|komentar) (?P<speaker>.+?)(?= {_TOPIC_CUE}\b|\?|$)", _I),
    re.compile(r"\bmenurut (?P<speaker>.+?)(?:,|\?|$| (?:apa|siapa|kapan|mengapa|kenapa|bagaimana)\b)", _I),
]
_KIND_PATTERNS = [
    (PERSON, re.compile(r"\b(?:who|whom|whose|siapa|siapakah)\b", _I)),
    (DATE, re.compile(r"\b(?:when|kapan|kapankah)\b|\bwhat (?:time|date|day|year|month)\b|\b(?:tanggal|hari|pukul|jam|tahun|bulan) (?:berapa|apa)\b", _I)),
    (PLACE, re.compile(r"\b(?:where|dimana|dimanakah)\b|\b(?:di|ke|dari) ?mana(?:kah)?\b|\bin which (?:city|place|town|country)\b", _I)),
    (NUMBER, re.compile(r"\bhow (?:many|much)\b|\bberapa\b|\bnumber of\b|\bjumlah\b", _I)),
    (REASON, re.compile(r"\b(?:why|mengapa|kenapa)\b|\bapa (?:alasan|sebab|penyebab)\w*\b|\bfor what reason\b", _I)),
    (MANNER, re.compile(r"\b(?:how|bagaimana|gimana)\b|\bdengan cara apa\b", _I)),
]

_OFF_TOPIC_PATTERNS = [
    re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instruction|instructions|prompt|rules|above|previous)\b", _I),
    re.compile(r"\b(?:abaikan|lupakan|abaikanlah)\b.{0,40}\b(?:instruksi|perintah|aturan|sebelumnya|di atas)\b", _I),
    re.compile(r"\b(?:you are now|act as|pretend (?:to be|you are)|roleplay|system prompt|jailbreak)\b", _I),
    re.compile(r"\b(?:joke|poem|poetry|song|lyrics|limerick|haiku|story|essay|recipe|lelucon|puisi|pantun|lagu|lirik|dongeng|resep)\b", _I),
    re.compile(r"\b(?:write|generate|compose|create|tulis|tuliskan|buat|buatkan|karang)\b.{0,30}\b(?:code|program|script|function|kode|program)\b", _I),
    re.compile(r"\d\s*(?:[-+*×÷^]|\s/\s|plus|minus|times|divided by|kali|tambah|kurang|dibagi)\s*\d", _I),
]

# Words that are capitalized in English questions but are not names to look for in the sources.
COMMON_CAPITALIZED_WORDS = frozenset(
    """i the a an what who whom whose when where why how which did does do is are was were has have
    according tell and or but in on at of for about mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december
    west east north south central city regency province district office mayor deputy vice governor
    regent police chief head minister president commander chairman chairwoman chair spokesperson
    spokesman secretary director general election elections meeting article news""".split()
)
_QUESTION_WORDS = frozenset(
    """apa apakah siapa siapakah kapan kapankah dimana mana berapa bagaimana mengapa kenapa gimana
    sebutkan jelaskan""".split()
)
_NAME_RE = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|\d+(?:/\w+)?))*")


@dataclass(frozen=True)
class QuestionAnalysis:
    """What one (standalone) question asks: its language, answer kind, speaker, topic and names."""

    text: str
    language: str
    kind: str
    speaker: str | None = None
    topic: str | None = None
    names: tuple[str, ...] = field(default_factory=tuple)
    off_topic: bool = False


def analyze_question(question: str) -> QuestionAnalysis:
    """Classify a question; ``names`` are capitalized words that must occur in the sources."""
    text = " ".join(question.split())
    language = detect_language(text)
    speaker = None
    kind = THING
    for pattern in _QUOTE_PATTERNS:
        match = pattern.search(text)
        if match:
            kind, speaker = QUOTE, _strip_article(match.group("speaker"))
            break
    else:
        for candidate, pattern in _KIND_PATTERNS:
            if pattern.search(text):
                kind = candidate
                break
    topic_match = re.search(rf"\b{_TOPIC_CUE}\s+(?P<topic>[^?]+)", text, _I)
    topic = topic_match.group("topic").strip(" .!") if topic_match else None
    return QuestionAnalysis(
        text=text,
        language=language,
        kind=kind,
        speaker=speaker,
        topic=topic,
        names=_names_to_find(text, language),
        off_topic=any(p.search(text) for p in _OFF_TOPIC_PATTERNS),
    )


def _strip_article(phrase: str) -> str:
    return re.sub(r"^(?:the|a|an|sang|si|pak|bu|bapak|ibu)\s+", "", phrase.strip(" ,"), flags=_I)


def _names_to_find(text: str, language: str) -> tuple[str, ...]:
    """Capitalized words past the first word that are neither question words nor, in English
    questions, common words a translation would not keep."""
    found = []
    for i, token in enumerate(re.finditer(r"[^\W_][\w'’-]*", text)):
        word = token.group()
        lower = word.lower().rstrip("'’s")
        if i == 0 or not word[0].isupper() or lower in _QUESTION_WORDS or lower in stopwords():
            continue
        if language == "en" and lower in COMMON_CAPITALIZED_WORDS:
            continue
        found.append(word.rstrip("'’").removesuffix("'s").removesuffix("’s"))
    return tuple(dict.fromkeys(found))


# -- what a sentence holds ------------------------------------------------------------------

_MONTHS = r"(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|january|february|march|may|june|july|august|october|december|jan|feb|mar|apr|jun|jul|agu|aug|sep|sept|okt|oct|nov|des|dec)"
_DAYS = r"(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
TITLE_WORDS = (
    "Kapolres Kapolda Kapolri Kapolsek Wakapolres Wakapolda Kombes AKBP AKP Kompol Iptu Ipda Aiptu "
    "Brigjen Irjen Komjen Jenderal Kolonel Letkol Mayor Mayjen Letjen Laksamana Marsekal Dandim "
    "Danrem Pangdam Kasat Kasatreskrim Kabag Kabid Kajari Kajati Kapuspen Wakil Wali Walikota "
    "Gubernur Wagub Bupati Wabup Camat Lurah Ketua Wakil Kepala Menteri Wamen Presiden Wapres "
    "Direktur Dirut Sekretaris Sekda Jubir Pj Plt Kadis Kasubag Koordinator Hakim Jaksa "
    "President Minister Governor Mayor Chief Director Chairman Chairwoman Chair Spokesperson "
    "Spokesman Spokeswoman Secretary Commissioner Head Senator Judge Prosecutor"
).split()
_TITLE_RE = re.compile(r"\b(?:%s)\b" % "|".join(sorted(set(TITLE_WORDS), key=len, reverse=True)))
SPEECH_VERB_RE = re.compile(
    r"\b(?:ujar|kata|ungkap|tutur|jelas|imbuh|tambah|lanjut|pungkas|terang|tegas|sebut|papar|ucap)(?:nya)?\b"
    r"|\b(?:mengatakan|menyatakan|menjelaskan|menegaskan|mengungkapkan|menuturkan|menyebut|menyebutkan"
    r"|menilai|meyakini|mencatat|berharap|meminta|mengimbau|menambahkan|memaparkan|menerangkan"
    r"|said|says|told|stated|added|noted|explained|warned|urged|believes|believed|asked)\b",
    _I,
)
_ACTOR_START_RE = re.compile(r"^(?:[\"“]?(?:[A-Z][\w./-]*|\d+)\s+){1,7}(?:me|mem|men|meng|meny|ber)[a-z]+\b")
_NUMBER_RE = re.compile(r"(?<![\w/])(\d+(?:[.,]\d+)*)(?![\w/])")
_COUNT_WORDS_RE = re.compile(
    r"\b(?:ribu|ribuan|juta|jutaan|miliar|triliun|ratusan|puluhan|belasan|seratus|seribu|persen"
    r"|dozens|hundreds|thousands|millions|hundred|thousand|million|billion|percent)\b|%",
    _I,
)
_PLACE_STRONG_RE = re.compile(
    r"\b(?:di|ke|dari|at|in)\s+(?:[A-Z]|(?:kantor|gedung|balai|aula|hotel|lapangan|markas|mapolres"
    r"|mapolda|istana|jalan|jl\.|kawasan|kompleks|stadion|masjid|sekolah|kampus|the [A-Z]))",
    re.UNICODE,
)
_PLACE_WEAK_RE = re.compile(r"\b(?:kantor|gedung|wilayah|daerah|kota|kabupaten|kecamatan|provinsi|venue|office|city)\b", _I)
_REASON_RE = re.compile(
    r"\b(?:karena|sebab|sebabnya|penyebab|akibat|lantaran|agar|supaya|sehingga|alasan|because|due to"
    r"|so that|in order to|as a result|reason)\b",
    _I,
)
_MANNER_RE = re.compile(r"\b(?:dengan|melalui|cara|caranya|upaya|langkah|pendekatan|by|through|using|via|approach)\b", _I)
_QUOTE_MARK_RE = re.compile(r"[\"“”]")


def kind_scores(sentence: str) -> dict[str, float]:
    """How strongly (0..1) a sentence holds each kind of answer."""
    scores: dict[str, float] = {THING: 0.5}
    has_date = bool(
        re.search(rf"\b{_DAYS}\b", sentence, _I)
        or re.search(rf"\b\d{{1,2}}\s+{_MONTHS}\b|\b{_MONTHS}\s+\d{{1,2}}\b", sentence, _I)
        or re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bpukul \d", sentence, _I)
    )
    years = re.findall(r"\b(?:19|20)\d{2}\b", sentence)
    scores[DATE] = 1.0 if has_date else (0.3 if years else 0.0)
    counts = [
        n for n in _NUMBER_RE.findall(sentence)
        if not re.fullmatch(r"(?:19|20)\d{2}", n) and not re.search(rf"\b{re.escape(n)}\s+{_MONTHS}\b", sentence, _I)
    ]
    scores[NUMBER] = 1.0 if counts or _COUNT_WORDS_RE.search(sentence) else 0.0
    scores[PLACE] = 1.0 if _PLACE_STRONG_RE.search(sentence) else (0.4 if _PLACE_WEAK_RE.search(sentence) else 0.0)
    has_speech = bool(SPEECH_VERB_RE.search(sentence))
    scores[QUOTE] = 1.0 if has_speech and _QUOTE_MARK_RE.search(sentence) else (0.7 if has_speech else 0.0)
    person = 0.0
    if _TITLE_RE.search(sentence):
        person = 1.0
    elif _ACTOR_START_RE.search(sentence) or (has_speech and _NAME_RE.search(sentence[1:])):
        person = 0.7
    scores[PERSON] = person
    scores[REASON] = 1.0 if _REASON_RE.search(sentence) else 0.0
    scores[MANNER] = 0.8 if _MANNER_RE.search(sentence) else 0.0
    return scores


def is_anaphoric(sentence: str) -> bool:
    """True when a sentence names its subject only by pronoun ("Dia juga ...", "..., imbuhnya")."""
    start = re.match(r"^[\"“]?\s*(?:(?:sementara itu|selain itu|namun|kemudian|lalu|also|meanwhile),?\s+)?(\w+)", sentence, _I)
    if start and start.group(1).lower() in {"dia", "ia", "beliau", "mereka", "he", "she", "they"}:
        return True
    return bool(re.search(r"\b(?:ujar|kata|ungkap|tutur|jelas|imbuh|tambah|lanjut|pungkas|terang|tegas|sebut|papar|ucap)nya\b|\bkata dia\b|\b(?:he|she) (?:said|added|noted)\b", sentence, _I))


# English office words → their Indonesian forms, so "the deputy mayor" finds "Wakil Wali Kota"
# (the embedder cannot tell offices apart across languages).
OFFICE_GLOSSARY: dict[str, tuple[str, ...]] = {
    "deputy mayor": ("wakil wali kota", "wakil walikota", "wawali"),
    "vice mayor": ("wakil wali kota", "wakil walikota"),
    "mayor": ("wali kota", "walikota"),
    "deputy governor": ("wakil gubernur", "wagub"),
    "governor": ("gubernur",),
    "deputy regent": ("wakil bupati", "wabup"),
    "regent": ("bupati",),
    "deputy police chief": ("wakapolres", "wakapolda", "wakapolri"),
    "police chief": ("kapolres", "kapolda", "kapolri", "kapolsek"),
    "district military commander": ("dandim",),
    "military commander": ("dandim", "danrem", "pangdam"),
    "prosecutor": ("jaksa", "kajari", "kajati"),
    "minister": ("menteri",),
    "president": ("presiden",),
    "vice president": ("wakil presiden", "wapres"),
    "chairman": ("ketua",),
    "chairwoman": ("ketua",),
    "chair": ("ketua",),
    "head": ("kepala", "ketua"),
    "spokesperson": ("juru bicara", "jubir"),
    "spokesman": ("juru bicara", "jubir"),
    "west": ("barat",),
    "east": ("timur",),
    "north": ("utara",),
    "south": ("selatan",),
    "central": ("tengah",),
}


def phrase_match(phrase: str, text: str) -> float:
    """Share (0..1) of a phrase's words, or of its office terms in Indonesian, found in ``text``:
    how well "the deputy mayor of West Jakarta" describes "Wakil Wali Kota Jakarta Barat ..."."""
    have = set(words(text))
    rest = " ".join(words(phrase))
    units = 0
    matched = 0
    for english in sorted(OFFICE_GLOSSARY, key=len, reverse=True):
        if re.search(rf"\b{english}\b", rest):
            units += 1
            matched += any(set(alt.split()) <= have for alt in OFFICE_GLOSSARY[english])
            rest = re.sub(rf"\b{english}\b", " ", rest)
    for word in rest.split():
        if len(word) > 1 and word not in stopwords():
            units += 1
            matched += word in have
    return matched / units if units else 0.0

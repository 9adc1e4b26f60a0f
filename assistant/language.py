"""What a question asks, and which sentences could answer it, in Indonesian and English.

Rules, not models: the language of a question (so answers and abstentions speak it), the kind of
answer it wants (person, date, place, number, quote, reason, manner, thing), who it asks about,
and which kinds of answer a sentence holds. They are small regexes over news conventions
(titles and ranks, speech verbs, dates, "di <Place>") that hold for any Indonesian/English article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.glossary import translations
from assistant.textproc import bare_name, stopwords, words

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
_TOPIC_CUE = r"(?:about|on|regarding|concerning|towards|tentang|soal|mengenai|terkait|atas|perihal|terhadap)"
_QUOTE_PATTERNS = [
    re.compile(rf"\bwhat (?:did|does|do|has|have|had|was|is) (?P<speaker>.+?) (?:say|said|says|tell|told|state|stated|think|thought|note|noted|mention|mentioned|warn|warned|add|added"
               r"|contribute|contributed|propose|proposed|suggest|suggested|emphasi[sz]e|emphasi[sz]ed|stress|stressed"
               r"|convey|conveyed|express|expressed|announce|announced|urge|urged|promise|promised|hope|hoped|believe|believed"
               r"|explain|explained|share|shared|call|called)\b", _I),
    re.compile(r"\bhow (?:did|does|do) (?P<speaker>.+?) (?:describe|respond|react|view|explain|see|assess)\b"
               r"(?:\s+(?:to|on))?\s*(?P<topic>[^?]*)", _I),
    re.compile(r"\bwhat (?:was|is) (?P<speaker>.+?)'s (?:view|statement|opinion|position|message|response)\b", _I),
    re.compile(r"\baccording to (?P<speaker>.+?)(?:,|\?|$| (?:what|who|when|where|why|how)\b)", _I),
    re.compile(rf"\bapa (?:saja )?{_SPEECH_NOUNS} (?P<speaker>.+?)(?= {_TOPIC_CUE}\b|\?|$)", _I),
    re.compile(rf"\bbagaimana (?:tanggapan|pendapat|pandangan|penilaian|komentar) (?P<speaker>.+?)(?= {_TOPIC_CUE}\b|\?|$)", _I),
    re.compile(r"\bbagaimana (?P<speaker>.+?) (?:menggambarkan|menilai|memandang|melihat|menanggapi|menjelaskan|mendeskripsikan|menyebut)\b"
               r"\s*(?P<topic>[^?]*)", _I),
    re.compile(r"\bmenurut (?P<speaker>.+?)(?:,|\?|$| (?:apa|siapa|kapan|mengapa|kenapa|bagaimana)\b)", _I),
    re.compile(r",\s*(?:per|says?) (?P<speaker>[^,?]+?)\s*\??$", _I),
    re.compile(r"\b(?:apa (?:yang )?)?(?P<speaker>(?!siapa\b|yang\b)\S+(?: \S+){0,5}?) (?:ngomong|bilang|berkata|bicara|berbicara|mengatakan|menyampaikan|mengucapkan) (?:apa|soal|tentang|mengenai)\b", _I),
]
_OFFICE_ASK_RE = re.compile(
    r"\bwhat (?:is|was) (?:the )?\S+(?:\s+\S+){0,3}?(?:'s|’s) (?:position|title|job|role|rank|office)\s*\??$"
    r"|\bwhat (?:position|title|job|role|rank|office) (?:does|did|do) .+ (?:hold|have|occupy)\b"
    r"|\b(?:apa|apakah) (?:jabatan|pangkat)\b|\bjabatan(?:nya)? (?:apa|apakah)\b|\bmenjabat sebagai apa\b", _I)
"""Questions for a person's office ("What is Siregar's position?", "Apa jabatan Hendra?"): who-questions
in kind, not requests for a statement ("What was Hendra's position on the operation?" is one)."""
_KIND_PATTERNS = [
    (PLACE, re.compile(r"\b(?:in|at) whose\b|\bwhose (?:office|building|house|home|residence|headquarters)\b"
                       r"|\b(?:di|ke) (?:kantor|rumah|gedung|markas) siapa\b", _I)),
    (PERSON, re.compile(r"\b(?:who|whom|whose|siapa|siapakah)\b", _I)),
    (DATE, re.compile(r"\b(?:when|kapan|kapankah)\b|\bwhat (?:time|date|day|year|month)\b|\b(?:tanggal|hari|pukul|jam|tahun|bulan) (?:berapa|apa)\b", _I)),
    (PLACE, re.compile(r"\b(?:where|dimana|dimanakah)\b|\b(?:di|ke|dari) ?mana(?:kah)?\b"
                       r"|\bin which (?:city|place|town|country)\b", _I)),
    (NUMBER, re.compile(r"\bhow (?:many|much|long|old)\b|\bberapa\b|\bnumber of\b|\bjumlah\b", _I)),
    (REASON, re.compile(r"\b(?:why|mengapa|kenapa)\b|\bapa (?:alasan|sebab|penyebab)\w*\b|\bfor what reason\b", _I)),
    (MANNER, re.compile(r"\b(?:how|bagaimana|gimana)\b|\bdengan cara apa\b|\bseperti apa\b", _I)),
]

_OFF_TOPIC_PATTERNS = [
    re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instruction|instructions|prompt|rules|above|previous)\b", _I),
    re.compile(r"\b(?:abaikan|lupakan|abaikanlah)\b.{0,40}\b(?:instruksi|perintah|aturan|sebelumnya|di atas)\b", _I),
    re.compile(r"\b(?:you are now|act as|pretend (?:to be|you are)|roleplay|system prompt|jailbreak)\b", _I),
    re.compile(r"^(?:please\s+|tolong\s+|coba\s+)?(?:joke|poem|poetry|song|lyrics|limerick|haiku|lelucon|puisi|pantun)\b", _I),
    re.compile(r"\b(?:write|compose|tell|sing|make|create|generate|give me|tulis|tuliskan|buat|buatkan|karang|karangkan"
               r"|ceritakan|nyanyikan|berikan)\b.{0,30}\b(?:joke|poem|poetry|song|lyrics|limerick|haiku|story|essay"
               r"|recipe|lelucon|puisi|pantun|lagu|lirik|dongeng|cerita|cerpen|resep|esai)\b", _I),
    re.compile(r"\b(?:write|generate|compose|create|tulis|tuliskan|buat|buatkan|karang)\b.{0,30}\b(?:code|program|script|function|kode|program)\b", _I),
    # arithmetic ("what is 2+2", "12 x 7"); a hyphen only with spaces, since "15-16 persen" is a range
    re.compile(r"\d\s*(?:[+*×÷^=]|\s[-/x]\s|\s(?:plus|minus|times|divided by|kali|tambah|kurang|dibagi)\s)\s*\d", _I),
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
    asks_existence: bool = False
    """A yes/no question whether something happened or exists ("Apakah ada insiden ...?", "Were there
    any arrests?"): only a sentence naming that thing can answer."""
    named_answer: str | None = None
    """PLACE or "organization" when the answer is a named one ("Wilayah mana ...", "Which parties
    ..."): a sentence can only answer with a name the question does not already give."""
    quoted_kind: str | None = None
    """For a statement asked about with a question word of its own ("Menurut Kapolres, pemilu harus
    berjalan *seperti apa*?", "According to Hendra, *why* ..."): the kind of answer inside the quote."""
    focus_terms: tuple[str, ...] = field(default_factory=tuple)
    """The words of what the question asks about (surface forms, lower-case): its predicate
    ("Who attended X" → "attended", "Siapa yang menghadiri X" → "menghadiri") or, for "what did X
    say about Y", Y's words. Sentence scoring weighs them up; empty when there is no predicate
    ("Who is the Kapolres?")."""


def analyze_question(question: str) -> QuestionAnalysis:
    """Classify a question; ``names`` are capitalized words that must occur in the sources."""
    text = " ".join(question.split())
    language = detect_language(text)
    speaker = None
    kind = _kind_of(text)
    existence = _EXISTENCE_RE.search(text)
    quoted_kind = quoted_topic = None
    asks_office = bool(_OFFICE_ASK_RE.search(text))
    for pattern in [] if asks_office else _QUOTE_PATTERNS:
        match = pattern.search(text)
        if match:
            speaker = _strip_article(match.group("speaker"))
            quoted_topic = match.groupdict().get("topic")
            inner = _kind_of(text[: match.start()] + " " + text[match.end():])
            kind, quoted_kind = QUOTE, inner if inner != THING else None
            break
    if asks_office:
        kind = PERSON
    topic_match = re.search(rf"\b{_TOPIC_CUE}\s+(?P<topic>[^?]+)", text, _I)
    topic = topic_match.group("topic").strip(" .!") if topic_match else None
    if quoted_topic and quoted_topic.strip():  # "Bagaimana Hendra menanggapi *pendekatan humanis*?"
        topic = quoted_topic.strip(" .!")
    if speaker and language == "id":
        speaker, rest = _split_speaker(speaker)
        if rest and not topic:
            topic = rest
    return QuestionAnalysis(
        text=text,
        language=language,
        kind=kind,
        speaker=speaker,
        topic=topic,
        names=_names_to_find(text, language),
        quoted_kind=quoted_kind,
        asks_existence=existence is not None,
        named_answer=_named_answer(answer_nouns(text, language)),
        off_topic=any(p.search(text) for p in _OFF_TOPIC_PATTERNS),
        focus_terms=_existence_focus(text, existence) if existence else focus_terms(text, language, kind, speaker, topic),
    )


def _existence_focus(text: str, existence: re.Match[str]) -> tuple[str, ...]:
    """What an existence question asks about: the first content word after "ada"/"any", or the
    noun that "happened"."""
    if existence.group("noun"):
        return (existence.group("noun").lower(),)
    stop = stopwords()
    return tuple(w for w in words(text[existence.end():]) if w not in stop)[:1]


_EXISTENCE_RE = re.compile(
    r"^\W*(?:apakah|apa) (?:ada|terdapat)\b|^\W*(?:is|are|was|were) there\b|^\W*(?:did|does|do|has|have) any\b"
    r"|^\W*(?:what|which)\s+(?:\w+\s+)?(?P<noun>\w+)\s+(?:(?:have|has|had)\s+)?(?:already\s+)?(?:happened|occurred|took place)\b", _I)
"""Yes/no existence questions, and "What incidents have happened ...?", which asks the same."""
PLACE_CATEGORIES = frozenset(
    """wilayah daerah kota kabupaten kecamatan kelurahan desa provinsi negara pulau kawasan titik lokasi
    lokasinya tempat region regions area areas city cities country countries province provinces
    location locations place places venue venues
    district districts town towns village villages island islands""".split()
)
ORGANIZATION_CATEGORIES = frozenset(
    """partai lembaga instansi organisasi perusahaan klub party parties institution institutions
    organization organizations organisation organisations company companies agency agencies club
    clubs""".split()
)
"""Answer nouns whose instances are names (a place, a party, an institution)."""


def _named_answer(nouns: set[str]) -> str | None:
    if nouns & PLACE_CATEGORIES:
        return PLACE
    return "organization" if nouns & ORGANIZATION_CATEGORIES else None


_EN_ANSWER_PHRASE_RE = re.compile(r"\b(?:which|what)\s+((?:[a-z]+\s+){0,2}[a-z]+)", _I)
_ID_ANSWER_NOUNS_RE = re.compile(r"\b(\w+)\s+\w+\s+(?:mana|manakah)\b", _I)


def answer_nouns(text: str, language: str) -> set[str]:
    """The nouns naming the kind of answer: ``frame_words``, and the words up to three after
    which/what before a verb ("which *political parties* attended", "what were the *results*"),
    or a noun before its adjective ("*titik* strategis mana")."""
    found = frame_words(text, language)
    if language != "en":
        return found | {m.group(1).lower() for m in _ID_ANSWER_NOUNS_RE.finditer(text)}
    for match in _EN_ANSWER_PHRASE_RE.finditer(text):
        nouns: list[str] = []
        for word in match.group(1).lower().split():
            verb = word in _DO_AUX | _HAVE_AUX or word in _IRREGULAR_PARTICIPLES or (word.endswith("ed") and len(word) > 4)
            if verb or (word in _BE_AUX and nouns):  # "what *were* the results" asks for results
                break
            if word not in _BE_AUX and word not in _DETERMINERS:
                nouns.append(word)
        found.update(nouns)
    return found


_LEAD_WH_RE = re.compile(r"^\W*(?:(?:in|at|on|from|to|for|of|by|with|ahead of|before|after|during)\s+)*(what|which|who|whom|whose|how|why)\b", _I)


def _kind_of(text: str) -> str:
    """The first kind whose pattern the question matches; in a question led by another question
    word, a later "when"/"where" opens a clause ("What methods ... *when* handling conflicts?")."""
    lead = _LEAD_WH_RE.match(text)
    if lead:
        text = text[: lead.end()] + re.sub(r"\b(?:when|where)\b", " ", text[lead.end():], flags=_I)
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(text)), THING)


_ID_WH_FRAME_RE = re.compile(r"\b(\w+)\s+(?:mana|manakah|apa|apakah|apa saja|apa sajakah|berapa|berapakah)\b|\b(?:apa|apakah|berapa|berapakah)\s+(?:nama\s+)?(\w+)", _I)
_EN_WH_FRAME_RE = re.compile(r"\b(?:which|what|how many|how much)\s+(?:kind of\s+|type of\s+|name of\s+(?:the\s+)?)?(\w+)", _I)


def frame_words(text: str, language: str) -> set[str]:
    """Lower-case words that name the kind of answer wanted, next to the question word ("Di
    *kota* manakah", "*Badan* apakah", "Apa nama *lembaga*", "Which *institutions*"): they say
    what the answer is, not what it is about, so a sentence need not repeat them."""
    stop = stopwords()
    found = set()
    pattern = _EN_WH_FRAME_RE if language == "en" else _ID_WH_FRAME_RE
    for match in pattern.finditer(text):
        for word in match.groups():
            if word and word.lower() not in stop and word.lower() not in _QUESTION_WORDS and word[:1].islower() | (language != "en"):
                found.add(word.lower())
    return found


def _split_speaker(phrase: str) -> tuple[str, str]:
    """An Indonesian speaker phrase ends where its capitalized name or office ends: "Syahduddi
    dengan adanya sinergitas" → ("Syahduddi", "dengan adanya sinergitas"); a phrase in lower case
    ("wakil wali kota") is kept whole."""
    tokens = phrase.split()
    if not tokens or not tokens[0][:1].isupper():
        return phrase, ""
    end = 0
    while end < len(tokens) and (tokens[end][:1].isupper() or tokens[end][:1].isdigit()
                                 or tokens[end].lower() in _TITLE_WORDS_LOWER):
        end += 1
    return " ".join(tokens[:end]), " ".join(tokens[end:])


_WH_EN = frozenset("who whom whose what which when where why how".split())
_DO_AUX = frozenset("did does do will would can could should must may might".split())
_BE_AUX = frozenset("is are was were be been being".split())
_HAVE_AUX = frozenset("has have had".split())
_DETERMINERS = frozenset("the a an this that these those his her their its our my your some any".split())
_PRONOUNS_EN = frozenset("he she they it i we you everyone everybody people someone anyone".split())
_IRREGULAR_PARTICIPLES = frozenset(
    """held led born built made done seen given taken found won chosen shot hit sent kept brought
    told said known shown begun run set put paid sold bought caught taught thought met left lost
    spent struck fought""".split()
)
_LINKING_VERBS = frozenset("stay stays remain remains become became get got keep kept seem seems look looks".split())
EN_FUNCTION_WORDS = _DO_AUX | _BE_AUX | _HAVE_AUX | _PRONOUNS_EN | _LINKING_VERBS
"""English words that carry no topic although the stop word list lacks some of them."""
_ID_VERB_RE = re.compile(r"^(?:me|mem|men|meng|meny|di|ber|ter|memper|diper)[a-z]{3,}$")
_ID_WH = _QUESTION_WORDS | frozenset("yang saja kah".split())


def focus_terms(text: str, language: str, kind: str, speaker: str | None, topic: str | None) -> tuple[str, ...]:
    """The predicate words of a question (see ``QuestionAnalysis.focus_terms``)."""
    stop = stopwords()
    if kind == QUOTE and topic:
        return tuple(dict.fromkeys(w for w in words(topic) if w not in stop))
    tokens = re.findall(r"[^\W_][\w'’-]*", text)
    lower = [t.lower() for t in tokens]
    if language == "en":
        found = _english_predicate(tokens, lower)
    else:  # capitalized words are names or offices, not the predicate
        found = _indonesian_predicate([t.lower() if not t[:1].isupper() or i == 0 else "" for i, t in enumerate(tokens)])
    speaker_words = set(words(speaker or ""))
    return tuple(dict.fromkeys(w for w in found if w not in speaker_words))


def _english_predicate(tokens: list[str], lower: list[str]) -> list[str]:
    wh = next((i for i, t in enumerate(lower) if t in _WH_EN), None)
    if wh is None:
        return []
    i = wh + 1
    auxiliaries = _DO_AUX | _BE_AUX | _HAVE_AUX
    if lower[wh] in {"which", "what", "whose", "how"} and i < len(lower) and lower[i] not in auxiliaries:
        # "which institutions did ...", "how many police officers were ...": skip the asked-for noun
        aux = next((k for k in range(i, min(i + 5, len(lower))) if lower[k] in auxiliaries), None)
        i = aux if aux is not None else i + 1
    if i >= len(lower):
        return []
    pred: int | None = None
    if lower[i] in _DO_AUX:
        j = i + 1
        if j < len(lower) and (tokens[j][:1].isupper() or lower[j] in _PRONOUNS_EN):
            while j < len(lower) and (tokens[j][:1].isupper() or lower[j] in _PRONOUNS_EN):
                j += 1
        elif j < len(lower) and lower[j] in _DETERMINERS:
            j += 2  # "the rakor take place": the subject is taken to be one noun
        pred = next((k for k in range(j, len(lower)) if lower[k] not in stopwords() and tokens[k][:1].islower()), None)
    elif lower[i] in _BE_AUX | _HAVE_AUX:
        pred = next((k for k in range(i + 1, len(lower))
                     if tokens[k][:1].islower() and lower[k] not in stopwords() and (lower[k] in _IRREGULAR_PARTICIPLES or
                                                     (lower[k].endswith("ed") and len(lower[k]) > 4))), None)
    elif lower[i] not in stopwords() and tokens[i][:1].islower():
        pred = i
    if pred is None:
        return []
    if lower[pred] in _LINKING_VERBS and pred + 1 < len(lower) and lower[pred + 1] not in stopwords():
        pred += 1  # "stay alert", "remain calm": the adjective is what is asked about
    out = [lower[pred]]
    if pred + 1 < len(lower) and translations(f"{lower[pred]} {lower[pred + 1]}") and \
            translations(f"{lower[pred]} {lower[pred + 1]}")[0][0] == f"{lower[pred]} {lower[pred + 1]}":
        out.append(lower[pred + 1])  # "take place"
    return out


def _indonesian_predicate(lower: list[str]) -> list[str]:
    stop = stopwords()
    lower = [w[:-3] if w.endswith("kah") and w[:-3] in _QUESTION_WORDS else w for w in lower]
    after_yang = [lower[k + 1] for k in range(len(lower) - 1) if lower[k] == "yang"]
    for word in after_yang:
        if word and word not in stop and word not in _ID_WH:
            return [word]
    for k, word in enumerate(lower):
        if not word or word in _ID_WH or word in stop:
            continue
        if _ID_VERB_RE.match(word):
            return [word]
    if after_yang:  # "yang dia catat": the first content word after "yang"
        k = lower.index("yang")
        rest = [w for w in lower[k + 1:] if w and w not in stop and w not in _ID_WH]
        return rest[:1]
    return []


def _strip_article(phrase: str) -> str:
    """A speaker phrase without its article or address, and without words about the statement
    before a name ("pernyataan penutup Hendra", "the closing remarks of Hendra" → "Hendra")."""
    phrase = re.sub(r"^(?:the|a|an|sang|si|pak|bu|bapak|ibu)\s+", "", phrase.strip(" ,"), flags=_I)
    tokens = phrase.split()
    first_name = next((i for i, t in enumerate(tokens) if t[:1].isupper()), 0)
    if first_name and not any(t.lower() in OFFICE_WORDS for t in tokens[:first_name]):
        return " ".join(tokens[first_name:])
    return phrase


def _names_to_find(text: str, language: str) -> tuple[str, ...]:
    """Capitalized words past the first word that are neither question words nor, in English
    questions, common words a translation would not keep."""
    found = []
    for i, token in enumerate(re.finditer(r"[^\W_][\w'’-]*", text)):
        word = token.group()
        lower = bare_name(word).lower()
        if i == 0 or not word[0].isupper() or lower in _QUESTION_WORDS or lower in stopwords():
            continue
        if language == "en" and lower in COMMON_CAPITALIZED_WORDS:
            continue
        if re.fullmatch(rf"{_MONTHS}|{_DAYS}", lower):
            continue  # "15 Agustus", "Jumat": dates are checked as dates, not as names
        found.append(bare_name(word))
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
    r"|merespons|merespon|menanggapi|menyambut|mengapresiasi|menyampaikan|mengingatkan"
    r"|said|says|told|stated|added|noted|explained|warned|urged|believes|believed|asked)\b",
    _I,
)
_ACTOR_START_RE = re.compile(r"^(?:[\"“]?(?:[A-Z][\w./-]*|\d+)\s+){1,7}(?:me|mem|men|meng|meny|ber)[a-z]+\b")
_NUMBER_RE = re.compile(r"(?<![\w/])(\d+(?:[.,]\d+)*)(?![\w/])")
_CODE_NUMBER_RE = re.compile(r"(?<![\w/])\d+/[^\W\d_]")
"""A number inside a code ("Dandim 0503/Jakarta Barat"): it answers "which number", not "how many"."""
ASKS_CODE_RE = re.compile(r"\b(?:nomor|no\.|kode|number|code)\b(?! of\b)", _I)
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
_PLACE_WEAK_RE = re.compile(r"\b(?:kantor|gedung|wilayah|daerah|kota|kabupaten|kecamatan|provinsi|venue|office|city)\b")
"""Lower case only: a capitalized "Kota" or "Metro" is part of a name ("Forum Komunikasi Pimpinan
Kota", "Polres Metro Jakarta Barat"), which says who, not where."""
_REASON_RE = re.compile(
    r"\b(?:karena|sebab|sebabnya|penyebab|akibat|lantaran|agar|supaya|sehingga|alasan|because|due to"
    r"|so that|in order to|as a result|reason)\b",
    _I,
)
_PURPOSE_RE = re.compile(r"\b(?:untuk|demi|guna|bertujuan|tujuan(?:nya)?|dalam rangka|dalam memastikan|to ensure|aims? to)\b", _I)
"""A purpose ("... untuk menjaga kelancaran") answers "why" less surely than a stated cause."""
_MANNER_RE = re.compile(r"\b(?:dengan|melalui|cara|caranya|upaya|langkah|pendekatan|by|through|using|via|approach)\b", _I)
_QUOTE_MARK_RE = re.compile(r"[\"“”]")
_YEAR_CUE_RE = re.compile(r"\b(?:tahun|pada|sejak|hingga|sampai|awal|akhir|pertengahan|medio|in|since|until|by|early|late|mid)\s+$", _I)
CLOCK = "clock"
"""Not a question kind: how strongly a sentence holds a time of day (for "what time", "pukul berapa")."""
_CLOCK_RE = re.compile(r"\b(?:pukul|jam)\s+\d|\b\d{1,2}[.:]\d{2}\s*(?:WIB|WITA|WIT|a\.?m\.?|p\.?m\.?)?\b|\b\d{1,2}\s*(?:a\.?m|p\.?m)\b|\b(?:pagi|siang|sore|malam) hari\b|\b(?:morning|afternoon|evening|noon|midnight)\b", _I)
ASKS_CLOCK_RE = re.compile(r"\bwhat time\b|\bat what hour\b|\b(?:pukul|jam) (?:berapa|brp)\b|\bberapa (?:pukul|jam)\b(?! (?:lama|lamanya))", _I)
DURATION = "duration"
"""Not a question kind: whether a sentence holds a span of time or length (for "how long",
"berapa lama"): another number or date in it is the answer to a different question."""
ASKS_DURATION_RE = re.compile(
    r"\bhow long\b|\bfor how many (?:days|hours|weeks|months|years)\b|\b(?:berapa|brp) (?:lama|lamanya)\b"
    r"|\blamanya\b|\b(?:duration|durasi)\b|\bberlangsung selama berapa\b", _I)
_SPAN_UNITS = (r"(?:detik|menit|jam|hari|pekan|minggu|bulan|tahun|abad|dekade|kilometer|km|meter|m|cm"
               r"|seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies)|miles?|feet|metres?|meters?)")
_DURATION_RE = re.compile(
    rf"\b(?:\d+(?:[.,]\d+)?|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus"
    rf"|belasan|puluhan|ratusan|beberapa|several|a few|one|two|three|four|five|six|seven|eight|nine|ten)"
    rf"(?:\s+(?:\w+\s+)?(?:belas|puluh|ratus|ribu))?\s*-?\s*{_SPAN_UNITS}\b"
    r"|\b(?:sehari|seharian|semalam|sepekan|seminggu|sebulan|setahun|sejam|berhari-hari|berbulan-bulan|bertahun-tahun)\b",
    _I,
)
_PLACE_BEFORE_RE = re.compile(r"\b(?:kantor|gedung|balai|aula|rumah dinas|rumah jabatan|office of|residence of)\s+(?:[A-Z][\w.-]*\s+){0,2}$", _I)


def kind_scores(sentence: str) -> dict[str, float]:
    """How strongly (0..1) a sentence holds each kind of answer."""
    scores: dict[str, float] = {THING: 0.5}
    has_date = bool(
        re.search(rf"\b{_DAYS}\b", sentence, _I)
        or re.search(rf"\b\d{{1,2}}\s+{_MONTHS}\b|\b{_MONTHS}\s+\d{{1,2}}\b", sentence, _I)
        or re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bpukul \d", sentence, _I)
    )
    # a year alone is weak evidence of a date, and none when it is part of a name ("Pemilu 2024")
    years = [m for m in re.finditer(r"\b(?:1\d|20)\d{2}\b", sentence)
             if not re.search(r"\b[A-Z][\w/-]*\s+$", sentence[: m.start()])
             and (m.group()[:2] in ("19", "20") or _YEAR_CUE_RE.search(sentence[: m.start()]))]
    # "pada tahun 1989", "sejak 2005", "in 1990": a year said as the time of something answers "when"
    timed_year = any(_YEAR_CUE_RE.search(sentence[: m.start()]) for m in years)
    scores[DATE] = 1.0 if has_date else (0.8 if timed_year else (0.3 if years else 0.0))
    scores[CLOCK] = 1.0 if _CLOCK_RE.search(sentence) else 0.0
    scores[DURATION] = 1.0 if _DURATION_RE.search(sentence) else 0.0
    counts = [
        n for n in _NUMBER_RE.findall(sentence)
        if not re.fullmatch(r"(?:19|20)\d{2}", n) and not re.search(rf"\b{re.escape(n)}\s+{_MONTHS}\b", sentence, _I)
    ]
    scores[NUMBER] = 1.0 if counts or _COUNT_WORDS_RE.search(sentence) else (0.5 if _CODE_NUMBER_RE.search(sentence) else 0.0)
    scores[PLACE] = 1.0 if _PLACE_STRONG_RE.search(sentence) else (0.4 if _PLACE_WEAK_RE.search(sentence) else 0.0)
    has_speech = bool(SPEECH_VERB_RE.search(sentence))
    scores[QUOTE] = 1.0 if has_speech and _QUOTE_MARK_RE.search(sentence) else (0.7 if has_speech else 0.0)
    person = 0.0
    titles = list(_TITLE_RE.finditer(sentence))
    if _ACTOR_START_RE.search(sentence) or any(not _PLACE_BEFORE_RE.search(sentence[: t.start()]) for t in titles):
        person = 1.0
    elif titles:
        person = 0.5  # an office only as part of a place: "di kantor Wali Kota Jakarta Barat"
    elif has_speech and _NAME_RE.search(sentence[1:]):
        person = 0.7
    scores[PERSON] = person
    scores[REASON] = 1.0 if _REASON_RE.search(sentence) else (0.7 if _PURPOSE_RE.search(sentence) else 0.0)
    scores[MANNER] = 0.8 if _MANNER_RE.search(sentence) else 0.0
    return scores


def is_anaphoric(sentence: str) -> bool:
    """True when a sentence names its subject only by pronoun ("Dia juga ...", "..., imbuhnya")."""
    start = re.match(r"^[\"“]?\s*(?:(?:sementara itu|selain itu|namun|kemudian|lalu|also|meanwhile),?\s+)?(\w+)", sentence, _I)
    if start and start.group(1).lower() in {"dia", "ia", "beliau", "mereka", "he", "she", "they"}:
        return True
    return bool(re.search(r"\b(?:ujar|kata|ungkap|tutur|jelas|imbuh|tambah|lanjut|pungkas|terang|tegas|sebut|papar|ucap)nya\b|\bkata dia\b|\b(?:he|she) (?:said|added|noted)\b", sentence, _I))


PRONOUNS = frozenset("dia ia beliau mereka kami kita saya he she they we it this that".split())
"""Words that refer to a person or thing without naming it: never a name."""
_TITLE_WORDS_LOWER = frozenset(w.lower() for w in TITLE_WORDS)
OFFICE_WORDS = _TITLE_WORDS_LOWER | frozenset(
    "mayor deputy governor regent chief head commander chairman chairwoman chair prosecutor judge police "
    "spokesperson minister president wawali".split()
)
"""Lower-case words that make a phrase name an office ("the deputy mayor", "ketua KPUD")."""
OFFICE_WEIGHT = 2
"""An office or title in a speaker phrase counts double: "the Governor of Jakarta" is not the
deputy mayor of West Jakarta just because both mention Jakarta."""


def phrase_match(phrase: str, text: str) -> float:
    """Share (0..1) of a phrase's words, or of its office terms in Indonesian (through the one
    glossary, ``assistant.glossary``), found in ``text``: how well "the deputy mayor of West
    Jakarta" describes "Wakil Wali Kota Jakarta Barat ..."; offices and titles weigh double, and
    a phrase naming an office describes no one holding another office."""
    have = set(words(text))
    rest = " ".join(words(phrase))
    units = matched = offices = offices_matched = 0.0
    for english, targets in translations(rest):
        if not re.search(rf"\b{re.escape(english)}\b", rest):
            continue
        weight = OFFICE_WEIGHT if any(t.split()[0] in _TITLE_WORDS_LOWER or len(t.split()) > 1 for t in targets) else 1
        found = any(set(alt.split()) <= have for alt in targets)
        units, matched = units + weight, matched + weight * found
        if weight == OFFICE_WEIGHT:
            offices, offices_matched = offices + 1, offices_matched + found
        rest = re.sub(rf"\b{re.escape(english)}\b", " ", rest)
    for word in rest.split():
        if len(word) > 1 and word not in stopwords():
            weight = OFFICE_WEIGHT if word in _TITLE_WORDS_LOWER else 1
            units, matched = units + weight, matched + weight * (word in have)
            if weight == OFFICE_WEIGHT:
                offices, offices_matched = offices + 1, offices_matched + (word in have)
    if offices and not offices_matched:
        return 0.0  # "Dandim Jakarta Barat" is not the Kapolres Metro Jakarta Barat
    return matched / units if units else 0.0

"""Question focus, answer-type frames, speaker phrases and the abstention rules added for them."""

import pytest

from assistant.evidence import query_units
from assistant.language import analyze_question, frame_words, phrase_match
from tests.answer_helpers import ask, assert_contract, make_chain, seed_article

ARTICLE = seed_article()


@pytest.mark.parametrize("question, focus", [
    ("Who attended the coordination meeting?", ("attended",)),
    ("Siapa yang menghadiri rakor?", ("menghadiri",)),
    ("What did the Wakil Wali Kota say about conflict risk?", ("conflict", "risk")),
    ("Apa kata Wakil Wali Kota tentang potensi konflik?", ("potensi", "konflik")),
    ("When did the rakor take place?", ("take", "place")),
    ("What did Syahduddi ask his members to do?", ("ask",)),
    ("How many police officers were deployed?", ("deployed",)),
    ("Kapan rakor digelar?", ("digelar",)),
    ("Apa tantangan yang Wakil Wali Kota catat?", ("catat",)),
    ("What must everyone stay alert to?", ("alert",)),
    ("Who is the Kapolres Metro Jakarta Barat?", ()),
])
def test_focus_terms(question, focus):
    assert analyze_question(question).focus_terms == focus


def test_english_focus_units_carry_indonesian_translations():
    units = {u.label: u for u in query_units(analyze_question("Who attended the coordination meeting?"))}
    assert units["attended"].focus and frozenset({"hadir"}) in units["attended"].alternatives
    assert not units["coordination meeting"].focus


def test_indonesian_speaker_phrase_stops_at_the_name():
    analysis = analyze_question("Apa harapan Syahduddi dengan adanya sinergitas?")
    assert (analysis.speaker, analysis.topic) == ("Syahduddi", "dengan adanya sinergitas")
    analysis = analyze_question("Bagaimana tanggapan Hendra terhadap pendekatan humanis?")
    assert (analysis.speaker, analysis.topic) == ("Hendra", "pendekatan humanis")


def test_answer_type_words_next_to_the_question_word():
    assert frame_words("Di kota manakah lokasi Bandara Supadio?", "id") == {"kota"}
    assert frame_words("Siapa pemenang Pilkada?", "id") == set()
    assert frame_words("Which institutions did Hendra praise?", "en") == {"institutions"}


def test_offices_must_match_for_a_speaker():
    label = "Hendra Hidayat (Wakil Wali Kota Jakarta Barat)"
    assert phrase_match("Governor of Jakarta", label) < 0.5
    assert phrase_match("the deputy mayor", label) == 1.0


@pytest.mark.parametrize("text", [
    "Kapan tarif tol naik sebesar 15-16 persen?", "Apa judul buku kumpulan puisi karya Radovan Karadzic?",
    "Badan apa yang mencatat 361 spesies baru dalam 10 tahun (1994-2004)?",
])
def test_news_questions_with_ranges_or_poetry_words_are_not_off_topic(text):
    assert not analyze_question(text).off_topic


@pytest.fixture(scope="module")
def chain():
    return make_chain(ARTICLE)


def test_who_led_quotes_who_held_the_meeting(chain):
    answer = ask(chain, "Siapa yang memimpin rakor?")
    assert "Polres Metro Jakarta Barat menggelar rapat koordinasi" in answer.citations[0].quote
    assert_contract(answer, ARTICLE)


def test_who_attended_quotes_the_attendee_sentence(chain):
    answer = ask(chain, "Siapa yang menghadiri rakor?")
    assert answer.citations[0].quote.startswith("Rakor dihadiri")
    assert_contract(answer, ARTICLE)


@pytest.mark.parametrize("question", [
    "Pukul berapa rakor dimulai?", "Kapan hari pemungutan suara Pilkada DKI Jakarta?", "Siapa pemenang Pilkada DKI Jakarta?",
])
def test_abstains_when_the_article_names_the_event_but_not_the_asked_fact(chain, question):
    answer = ask(chain, question)
    assert answer.abstained, answer.text
    assert_contract(answer, ARTICLE)


def test_warm_up_runs_without_and_with_an_embedder():
    from assistant.chain import warm_up
    from tests.answer_helpers import HashingEmbedder

    warm_up()
    warm_up(HashingEmbedder())


def test_single_sentence_chunks_reuse_the_retrieval_cosine():
    import dataclasses

    from assistant.evidence import VectorCache, reading_order, score_candidates
    from tests.answer_helpers import hits_for

    class CountingEmbedder:
        def __init__(self):
            self.documents = 0

        def embed_documents(self, texts):
            self.documents += len(texts)
            return [[1.0, 0.0] for _ in texts]

        def embed_query(self, text):
            return [1.0, 0.0]

    hit = hits_for(ARTICLE)[0]
    start, end, _ = hit.sentence_texts()[0]
    single = dataclasses.replace(hit, text=hit.text[: end - hit.start], end=end, sentences=[(start, end)],
                                 dense_score=0.91)
    embedder = CountingEmbedder()
    ranked = score_candidates(reading_order([single]), analyze_question("Siapa yang menggelar rakor?"),
                              VectorCache(embedder), None)
    assert embedder.documents == 0 and ranked[0].parts["cosine"] == 0.91


def test_a_word_naming_the_kind_of_answer_helps_the_sentence_holding_it():
    units = {u.label: u for u in query_units(analyze_question("Which challenge did Hendra Hidayat mention?"))}
    assert units["challenge"].optional and frozenset({"tantang"}) in units["challenge"].alternatives
    answer = ask(make_chain(), "Which challenge did Hendra Hidayat mention?")
    assert_contract(answer, ARTICLE)
    assert not answer.abstained and "konflik horizontal" in answer.text

"""Every claim must be backed by its quotes, whatever wrote it (fake chat models stand in for LLMs)."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answering import Claim, Quote
from assistant.verify import SUPPORT_MIN, check_claims, missing_names, numbers_of, support
from tests.answer_helpers import assert_contract, ask, hits_for, make_chain, seed_article

ARTICLE = seed_article()
DATE_SENTENCE = "Rakor digelar di kantor Wali Kota Jakarta Barat, Kembangan, Jakarta Barat, pada Selasa, 30 Juli 2024."


def llm_answer(reply: str, question: str = "Kapan rakor digelar?", top_k: int = 3):
    model = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    return ask(make_chain(ARTICLE, chat_model=model), question, backend="openai", top_k=top_k)


def test_numbers_and_names_must_be_quoted():
    assert numbers_of("5,000 orang dan 5.000 orang pada 2024") == {"5000", "2024"}
    assert support("Rakor dihadiri 5.000 orang.", [DATE_SENTENCE]) == 0.0
    assert missing_names("The meeting was opened by Anies Baswedan.", DATE_SENTENCE) == ["Anies", "Baswedan"]
    assert missing_names("The meeting in West Jakarta was held on Tuesday.", DATE_SENTENCE) == []
    assert support("Rakor digelar di Kembangan pada Selasa, 30 Juli 2024.", [DATE_SENTENCE]) >= SUPPORT_MIN


def test_a_claim_without_quotes_is_unsupported_and_verbatim_quotes_support_themselves():
    hit = hits_for(ARTICLE)[0]
    s, e = hit.sentences[0]
    claims = [Claim("Anything at all.", []), Claim(hit.text[s - hit.start:e - hit.start], [Quote(hit, s, e)], verbatim=True)]
    check_claims(claims, None)
    assert [c.supported for c in claims] == [False, True]


def test_faithful_llm_answer_passes():
    answer = llm_answer("Rakor digelar di kantor Wali Kota Jakarta Barat, Kembangan, pada Selasa, 30 Juli 2024 [1].")
    assert not answer.abstained and answer.backend == "openai"
    assert answer.markers() == [1] and DATE_SENTENCE == answer.citations[0].quote
    assert answer.sentences[0].supported and answer.sentences[0].support >= SUPPORT_MIN
    assert_contract(answer, ARTICLE)


def test_marker_for_a_source_that_was_not_given_never_reaches_the_user():
    answer = llm_answer("Rakor digelar di kantor Wali Kota Jakarta Barat pada Selasa, 30 Juli 2024 [7].")
    assert answer.abstained and answer.citations == [] and answer.markers() == []
    assert answer.sentences and not answer.sentences[0].supported and answer.sentences[0].citations == []
    assert answer.related


def test_invented_fact_is_removed_and_the_faithful_rest_kept():
    answer = llm_answer(
        "Rakor digelar pada Selasa, 30 Juli 2024 [1]. The meeting was attended by 5,000 people [1]. "
        "Rakor itu dibuka oleh Anies Baswedan [2]."
    )
    assert not answer.abstained
    assert "5,000" not in answer.text and "Anies" not in answer.text
    assert [s.supported for s in answer.sentences] == [True, False, False]
    assert answer.markers() == [1] and len(answer.citations) == 1
    assert_contract(answer, ARTICLE)


def test_model_abstention_phrase_becomes_an_abstention():
    answer = llm_answer("NOT_IN_SOURCES", question="Siapa yang memimpin rapat?")
    assert answer.abstained and answer.text.startswith("Sumber tidak menyebutkan")


def test_unsupported_only_answer_abstains_in_english():
    model = FakeListChatModel(responses=["The meeting was attended by 5,000 people [1]."])
    answer = ask(make_chain(ARTICLE, chat_model=model), "Who attended the rakor in Kembangan?",
                 backend="ollama", top_k=3)
    assert answer.abstained and answer.text.startswith("The sources don't say")


OPENING = ("Polres Metro Jakarta Barat menggelar rapat koordinasi (rakor) bersama Forum Komunikasi Pimpinan Kota "
           "(Forkopimko).")
ATTENDEES = "Rakor dihadiri Kapolres Metro Jakarta Barat Kombes M Syahduddi, Wakil Wali Kota Jakarta Barat Hendra Hidayat."


def test_shared_names_do_not_support_what_the_claim_says_they_did():
    assert support("Hendra Hidayat memimpin rapat.", [ATTENDEES]) == 0.0
    assert support("The election was cancelled.", ["Dia meyakini upaya ini untuk menjaga kelancaran proses Pilkada."]) == 0.0
    assert support("Hendra Hidayat menghadiri rakor.", [ATTENDEES]) >= SUPPORT_MIN


def test_english_claims_are_checked_through_the_glossary():
    assert support("Polres Metro Jakarta Barat held a coordination meeting with Forkopimko.", [OPENING]) >= SUPPORT_MIN
    assert support("Hendra Hidayat attended the meeting.", [ATTENDEES]) >= SUPPORT_MIN
    assert support("Hendra Hidayat opened the meeting.", [ATTENDEES]) < SUPPORT_MIN

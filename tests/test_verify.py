"""Every claim must be backed by its quotes, whatever wrote it (fake chat models stand in for LLMs)."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer.draft import Claim, Quote
from assistant.answer.verify import SUPPORT_MIN, check_claims, missing_names, numbers_of, support
from tests.news import SPORTS, ask, assert_contract, hits_for, make_chain, news_articles

ARTICLES = news_articles()
MATCH = [ARTICLES[SPORTS]]
RESULT = ("Persib Bandung mengalahkan Persija Jakarta dengan skor 2-1 di Stadion Si Jalak Harupat, Bandung, "
          "pada Minggu, 10 Maret 2024.")
WINNER = "Gol kemenangan Persib dicetak oleh Ciro Alves pada menit ke-81."


def llm_answer(reply: str, question: str = "Kapan Persib mengalahkan Persija?", top_k: int = 3):
    model = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    return ask(make_chain(MATCH, chat_model=model), question, backend="openai", top_k=top_k)


def test_numbers_and_names_must_be_quoted():
    assert numbers_of("5,000 orang dan 5.000 orang pada 2024") == {"5000", "2024"}
    assert support("Persib menang dengan skor 3-1.", [RESULT]) == 0.0
    assert missing_names("The goal was scored by Marko Simic.", WINNER) == ["Marko", "Simic"]
    assert missing_names("On Sunday the goal was scored in March.", WINNER) == []
    assert support("Persib mengalahkan Persija dengan skor 2-1 pada Minggu, 10 Maret 2024.", [RESULT]) >= SUPPORT_MIN


def test_a_claim_without_quotes_is_unsupported_and_verbatim_quotes_support_themselves():
    hit = hits_for(MATCH)[0]
    s, e = hit.sentences[0]
    claims = [Claim("Anything at all.", []), Claim(hit.text[s - hit.start:e - hit.start], [Quote(hit, s, e)], verbatim=True)]
    check_claims(claims, None)
    assert [c.supported for c in claims] == [False, True]


def test_faithful_llm_answer_passes():
    answer = llm_answer("Persib mengalahkan Persija dengan skor 2-1 pada Minggu, 10 Maret 2024 [1].")
    assert not answer.abstained and answer.backend == "openai"
    assert answer.markers() == [1] and answer.citations[0].quote == RESULT
    assert answer.sentences[0].supported and answer.sentences[0].support >= SUPPORT_MIN
    assert_contract(answer, ARTICLES)


def test_marker_for_a_source_that_was_not_given_never_reaches_the_user():
    answer = llm_answer("Persib mengalahkan Persija dengan skor 2-1 pada Minggu, 10 Maret 2024 [7].")
    assert answer.abstained and answer.citations == [] and answer.markers() == []
    assert answer.sentences and not answer.sentences[0].supported and answer.sentences[0].citations == []
    assert answer.related


def test_invented_fact_is_removed_and_the_faithful_rest_kept():
    answer = llm_answer(
        "Persib mengalahkan Persija dengan skor 2-1 pada Minggu, 10 Maret 2024 [1]. "
        "The match was watched by 30,000 people [1]. Gol kemenangan dicetak oleh Marko Simic [2]."
    )
    assert not answer.abstained
    assert "30,000" not in answer.text and "Simic" not in answer.text
    assert [s.supported for s in answer.sentences] == [True, False, False]
    assert answer.markers() == [1] and len(answer.citations) == 1
    assert_contract(answer, ARTICLES)


def test_model_abstention_phrase_becomes_an_abstention():
    answer = llm_answer("NOT_IN_SOURCES", question="Berapa harga tiket pertandingan itu?")
    assert answer.abstained and answer.text.startswith("Sumber tidak menyebutkan")


def test_unsupported_only_answer_abstains_in_english():
    model = FakeListChatModel(responses=["The match was watched by 30,000 people [1]."])
    answer = ask(make_chain(MATCH, chat_model=model), "How many people watched the match?", backend="ollama", top_k=3)
    assert answer.abstained and answer.text.startswith("The sources don't say")


ATTENDANCE = "Pelatih Persib Bojan Hodak memuji mental para pemainnya setelah pertandingan."


def test_shared_names_do_not_support_what_the_claim_says_they_did():
    assert support("Bojan Hodak mencetak gol kemenangan.", [ATTENDANCE]) == 0.0
    assert support("The match was cancelled.", [RESULT]) == 0.0
    assert support("Bojan Hodak memuji mental pemainnya.", [ATTENDANCE]) >= SUPPORT_MIN

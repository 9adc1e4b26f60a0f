"""Follow-up questions become standalone before retrieval and reading (model-free rules, or a
chat model when one is configured)."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel

import pytest

from assistant.followup import condense, condense_by_rules, needs_context
from assistant.llm import LLMFailed

COACH_TURN = ("Who is Persib's coach?", "Bojan Hodak [1]")
GOAL_TURN = ("Siapa pencetak gol kemenangan Persib?", "Ciro Alves [1]")


def test_standalone_questions_pass_unchanged():
    assert condense("Siapa pelatih Persib?", []) == "Siapa pelatih Persib?"
    assert condense("Siapa pelatih Persija?", [COACH_TURN]) == "Siapa pelatih Persija?"


def test_person_pronoun_becomes_the_person_the_last_answer_named():
    assert condense("and what did he say about the players?", [COACH_TURN]) == \
        "what did Bojan Hodak say about the players?"
    assert condense("Menit ke berapa dia mencetak gol?", [GOAL_TURN]) == "Menit ke berapa Ciro Alves mencetak gol?"


def test_without_a_name_in_the_answer_the_question_names_the_person():
    assert condense("what did he say?", [("What did Perry Warjiyo announce?", "BI-Rate tetap 6 persen [1]")]) == \
        "what did Perry Warjiyo say?"


def test_thing_anaphor_borrows_the_previous_subject():
    standalone = condense("di mana itu?", [("Kapan Persib mengalahkan Persija?", "Minggu, 10 Maret 2024 [1]")])
    assert standalone.startswith("di mana") and "Persib" in standalone and "Persija" in standalone


def test_a_possessive_nya_borrows_the_previous_subject():
    standalone = condense("judul lagunya apa?", [("Who did Post Malone team up with?", "Ozzy Osbourne [1]")])
    assert standalone.startswith("judul lagunya apa") and "Post Malone" in standalone


def test_short_question_and_what_about():
    assert "Persija" in condense("why?", [("Who beat Persija?", "Persib Bandung [1]")])
    assert condense("what about Persija?", [COACH_TURN]) == "Who is Persija's coach?"
    assert condense("kalau Persija?", [("Siapa pelatih Persib Bandung?", "Bojan Hodak [1]")]) == "Siapa pelatih Persija?"


def test_needs_context():
    assert needs_context("what did she say?") and needs_context("kapan itu?") and needs_context("why?")
    assert needs_context("kalau Persija?") and needs_context("and the score?")
    assert needs_context("pelatihnya siapa?") and not needs_context("Siapa pelatih Persija?")
    assert not needs_context("Siapa pelatih Persib?")


def test_model_condenses_when_configured_and_rules_cover_failures():
    model = FakeListChatModel(responses=["Apa kata Bojan Hodak tentang pemainnya?"])
    assert condense("apa kata dia tentang pemainnya?", [COACH_TURN], model) == "Apa kata Bojan Hodak tentang pemainnya?"

    class Broken(FakeListChatModel):
        def invoke(self, *args, **kwargs):
            raise ConnectionError("server down")

    with pytest.raises(LLMFailed):  # the chain then knows the model is down and uses the rules
        condense("what did he say?", [COACH_TURN], Broken(responses=["x"]))
    assert condense_by_rules("what did he say?", [COACH_TURN]) == "what did Bojan Hodak say?"

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.followup import condense, condense_by_rules, needs_context

CONFLICT_TURN = (
    "What did the Wakil Wali Kota say about conflict risk?",
    "Hendra Hidayat (Wakil Wali Kota Jakarta Barat) [1]: Dia juga mencatat adanya tantangan, seperti potensi "
    "konflik horizontal di daerah. [2]",
)


def test_standalone_questions_pass_unchanged():
    history = [CONFLICT_TURN]
    assert condense("Kapan rakor digelar?", history) == "Kapan rakor digelar?"
    assert condense("di mana itu?", []) == "di mana itu?"


def test_person_pronoun_becomes_the_previous_speaker():
    standalone = condense("and what did he say about the election?", [CONFLICT_TURN])
    assert "Hendra Hidayat" in standalone and "Wakil Wali Kota" in standalone
    assert "election" in standalone and " he " not in f" {standalone} "


def test_thing_anaphor_borrows_the_previous_subject():
    history = [("Kapan rakor digelar?", "Rakor digelar ... pada Selasa, 30 Juli 2024. [1]")]
    assert condense("di mana itu?", history) == "di mana rakor digelar?"
    assert condense("Where was it held?", [("When was the rakor held?", "...")]) == "Where was rakor held?"


def test_short_question_and_what_about():
    assert condense_by_rules("kenapa?", [("Apa kata Hendra tentang konflik?", "...")]).startswith("kenapa")
    assert "konflik" in condense_by_rules("kenapa?", [("Apa kata Hendra tentang konflik?", "...")])
    swapped = condense("what about the election?", [("What did Hendra say about conflict?", "...")])
    assert swapped == "What did Hendra say about the election?"


def test_needs_context():
    assert needs_context("dan dia?") and needs_context("Kapan itu?") and needs_context("why?")
    assert not needs_context("Who attended the coordination meeting in Kembangan?")


def test_model_condenses_when_configured_and_rules_cover_failures():
    model = FakeListChatModel(responses=["What did Hendra Hidayat say about the election?"])
    assert condense("and him on the election?", [CONFLICT_TURN], model) == "What did Hendra Hidayat say about the election?"

    class Broken(FakeListChatModel):
        def _call(self, *args, **kwargs):
            raise RuntimeError("server down")

    fallback = condense("di mana itu?", [("Kapan rakor digelar?", "...")], Broken(responses=["x"]))
    assert fallback == "di mana rakor digelar?"

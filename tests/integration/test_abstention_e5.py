"""Abstention rules that depend on the real e5 similarity (the fake embedder's is no guide)."""

import pytest

from assistant import answering

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("question", ["When will the Pilkada vote be held?",
                                      "When will the regional election take place?"])
def test_a_date_for_another_event_does_not_answer_when(e5_service, monkeypatch, question):
    """The article dates the meeting, not the vote: a date sentence without the question's
    predicate ("vote", "election") abstains unless it is very close in meaning."""
    monkeypatch.setattr(answering, "MIN_COSINE_WITHOUT_FOCUS", 0.0)
    unguarded = e5_service.ask(question)
    monkeypatch.undo()
    guarded = e5_service.ask(question)
    assert guarded.abstained and guarded.citations == []
    assert not unguarded.abstained and "30 Juli 2024" in unguarded.citations[0].quote  # what the rule stops


def test_the_meeting_date_is_still_answered(e5_service):
    answer = e5_service.ask("When was the coordination meeting held?")
    assert not answer.abstained and "30 Juli 2024" in answer.citations[0].quote

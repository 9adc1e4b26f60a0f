"""The chat in a real browser, over the real service and the bundled articles."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
QUESTION_BOX = "#warta-question textarea"

ANSWER_TIMEOUT_MS = 120_000
MARKER_RE = re.compile(r"\[\d+\]")
SCREENSHOT = REPO / "docs" / "screenshot-answer.png"
UNANSWERABLE = "How many voters are registered in West Jakarta?"
UPLOADED_ARTICLE = (
    "Festival Kopi Nusantara Digelar di Bandung\n\n"
    "Festival Kopi Nusantara digelar di Gedung Sate, Bandung, pada Sabtu, 12 Oktober 2024. "
    "Panitia mencatat 12.000 pengunjung datang selama dua hari festival. "
    "Ketua panitia Rina Wulandari mengatakan festival berikutnya akan digelar di Medan.\n"
)


def collapse(text: str) -> str:
    return " ".join(text.split())


def seed_article_text() -> str:
    """The body of data/articles/seed.md, without its YAML front matter."""
    raw = (REPO / "data" / "articles" / "seed.md").read_text(encoding="utf-8")
    body = raw.split("\n---\n", 1)[1] if raw.startswith("---\n") else raw
    return collapse(body)


def submit(page, question: str) -> int:
    """Sends a question; returns the turn whose sources panel marks the answer complete."""
    turn = page.locator('#warta-chat [data-testid="user"]').count() + 1
    page.fill(QUESTION_BOX, question)
    page.press(QUESTION_BOX, "Enter")
    return turn


def wait_for_answer(page, turn: int) -> str:
    page.wait_for_selector(f'#warta-sources [data-turn="{turn}"]', timeout=ANSWER_TIMEOUT_MS)
    return page.locator('#warta-chat [data-testid="bot"]').last.inner_text()


def ask(page, question: str) -> str:
    return wait_for_answer(page, submit(page, question))


def highlighted_quotes(page) -> list[str]:
    return [collapse(text) for text in page.locator("#warta-sources mark").all_inner_texts()]


CHAIR_QUESTION = "Siapa yang memimpin rapat koordinasi tersebut?"
"""The question an upload tries to change the answer of (the reader's own answer to it among 300
other articles is a known gap: README, Known limits)."""
SEED_QUESTION = "Siapa Wakil Wali Kota Jakarta Barat?"
"""Answered from the seed article among 300 others."""


def bundled_examples() -> list[str]:
    return [e["question"] for e in json.loads((REPO / "data" / "articles" / "examples.json").read_text())["examples"]]


def example_button(page, example: str):
    """Gradio shortens a long example on its button ("Who will announce ... September ..."), so
    the button is found by the question's beginning."""
    return page.get_by_role("button", name=re.compile("^" + re.escape(example[:40]))).first


def test_first_screen_offers_examples_that_fit_the_index(open_chat):
    page = open_chat()
    examples = bundled_examples()
    assert len(examples) >= 4
    for example in examples:
        expect(example_button(page, example)).to_be_visible()
    expect(page.locator("#warta-status")).to_contain_text(re.compile(r"30\d articles"))


def test_an_example_question_gets_a_cited_answer(open_chat):
    page = open_chat()
    example = bundled_examples()[2]
    turn = page.locator('#warta-chat [data-testid="user"]').count() + 1
    example_button(page, example).click()
    expect(page.locator(QUESTION_BOX)).to_have_value(example)
    page.press(QUESTION_BOX, "Enter")
    reply = wait_for_answer(page, turn)
    assert MARKER_RE.search(reply), reply
    assert highlighted_quotes(page)


def test_cited_answer_shows_highlighted_quote_then_follow_up(open_chat):
    page = open_chat()
    reply = ask(page, SEED_QUESTION)
    assert MARKER_RE.search(reply), reply
    quotes = highlighted_quotes(page)
    seed = seed_article_text()
    assert quotes and all(quote in seed for quote in quotes), quotes
    expect(page.locator("#warta-sources .warta-source").first).to_contain_text("Polres Metro Jakarta Barat")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    follow_up = ask(page, "When was it held?")
    assert MARKER_RE.search(follow_up), follow_up
    assert page.locator('#warta-chat [data-testid="bot"]').count() == 2
    assert "30 Juli 2024" in follow_up + " ".join(highlighted_quotes(page))


def test_unanswerable_question_abstains_visibly(open_chat):
    page = open_chat()
    ask(page, UNANSWERABLE)
    expect(page.locator("#warta-sources .warta-abstained")).to_be_visible()
    expect(page.locator('#warta-chat [data-testid="bot"] .warta-badge-abstained').last).to_be_visible()


def test_uploaded_article_is_searchable_right_away(open_chat, app, tmp_path):
    article = tmp_path / "festival kopi.txt"
    article.write_text(UPLOADED_ARTICLE, encoding="utf-8")
    page = open_chat()
    page.locator("#warta-upload input[type=file]").set_input_files(str(article))
    expect(page.locator("#warta-upload-result textarea")).to_have_value(
        re.compile(r"festival_kopi\.txt: 1 article\(s\) added"), timeout=ANSWER_TIMEOUT_MS)
    assert (app.data_dir / "uploads" / "festival_kopi.txt").exists()

    reply = ask(page, "Berapa pengunjung Festival Kopi Nusantara?")
    assert MARKER_RE.search(reply), reply
    expect(page.locator("#warta-sources")).to_contain_text("Festival Kopi Nusantara")
    assert any("12.000" in quote for quote in highlighted_quotes(page)), highlighted_quotes(page)


def test_rejected_upload_gets_a_clear_message(open_chat, tmp_path):
    unsupported = tmp_path / "notes.exe"
    unsupported.write_bytes(b"MZ not an article")
    page = open_chat()
    page.locator("#warta-upload input[type=file]").set_input_files(str(unsupported))
    expect(page.locator("#warta-upload-result textarea")).to_have_value(
        re.compile(r"notes\.exe: not a supported format"), timeout=60_000)


def test_two_visitors_get_their_own_conversations(open_chat):
    first, second = open_chat(), open_chat()
    first_turn = submit(first, SEED_QUESTION)
    second_turn = submit(second, "Kapan rakor digelar?")
    first_reply = wait_for_answer(first, first_turn)
    second_reply = wait_for_answer(second, second_turn)

    assert first.locator('#warta-chat [data-testid="user"]').all_inner_texts() == [SEED_QUESTION]
    assert second.locator('#warta-chat [data-testid="user"]').all_inner_texts() == ["Kapan rakor digelar?"]
    assert MARKER_RE.search(first_reply) and MARKER_RE.search(second_reply)
    assert "30 Juli 2024" in second_reply + " ".join(highlighted_quotes(second))


def log_in(page, user: str, password: str) -> None:
    page.locator("input[type=text]").first.fill(user)  # a failed login empties the form
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Login").click()


def test_login_required_when_auth_is_set(browser, app_with_login):
    user, password = app_with_login.auth.split(":", 1)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(app_with_login.url, wait_until="domcontentloaded")
        expect(page.locator("input[type=password]")).to_be_visible(timeout=60_000)
        assert page.locator(QUESTION_BOX).count() == 0

        log_in(page, user, "wrong-" + password)
        expect(page.get_by_text("Incorrect Credentials")).to_be_visible(timeout=30_000)
        assert page.locator(QUESTION_BOX).count() == 0

        log_in(page, user, password)
        page.wait_for_selector(QUESTION_BOX, timeout=60_000)
    finally:
        context.close()


OVERWRITE = ("---\nid: seed-polres-jakbar-rakor-pilkada\ntitle: Rakor\n---\n"
             "Rapat koordinasi itu dipimpin oleh Budi Santoso.\n")


def test_an_upload_cannot_rewrite_an_article(open_chat, app, tmp_path):
    question = CHAIR_QUESTION
    page = open_chat()
    before = ask(page, question)
    quotes_before = highlighted_quotes(page)
    attack = tmp_path / "rakor.md"
    attack.write_text(OVERWRITE, encoding="utf-8")
    page.locator("#warta-upload input[type=file]").set_input_files(str(attack))
    expect(page.locator("#warta-upload-result textarea")).to_have_value(
        re.compile(r"an article with id 'seed-polres-jakbar-rakor-pilkada' is already in the index"),
        timeout=ANSWER_TIMEOUT_MS)
    assert not list((app.data_dir / "uploads").glob("rakor*"))  # nothing of it kept

    fresh = open_chat()
    after = ask(fresh, question)
    assert after == before and highlighted_quotes(fresh) == quotes_before
    assert "Budi Santoso" not in after


def test_an_llm_answer_streams_in_then_gets_its_sources(open_chat, app_with_llm):
    page = open_chat(app_with_llm)
    turn = submit(page, "Kapan rakor digelar?")
    bubble = page.locator('#warta-chat [data-testid="bot"]').last
    seen = []
    deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
    while time.monotonic() < deadline and not page.locator(f'#warta-sources [data-turn="{turn}"]').count():
        if bubble.count():
            text = bubble.inner_text()
            if text and (not seen or text != seen[-1]):
                seen.append(text)
        time.sleep(0.05)
    partial = [t for t in seen if t.endswith("…") and len(t) > 1]
    assert len(partial) >= 3, seen  # the model's words arrived in several steps, before the sources
    assert all(len(a) <= len(b) for a, b in zip(partial, partial[1:])), partial
    final = bubble.inner_text()
    assert MARKER_RE.search(final) and not final.endswith("…"), final
    expect(page.locator("#warta-sources .warta-source").first).to_be_visible()


def test_a_picked_date_range_narrows_the_search_and_shows_in_the_sources(open_chat):
    page = open_chat()
    page.locator("#warta-date-from input").first.fill("2019-09-01")
    page.locator("#warta-date-to input").first.fill("2019-09-30")
    reply = ask(page, "Apa berita tentang Persib?")
    assert reply
    expect(page.locator("#warta-sources")).to_contain_text(
        "Searched dates 2019-09-01 to 2019-09-30 (set in the retrieval panel).")
    dates = page.locator("#warta-sources .warta-meta").all_inner_texts()
    found = [d for text in dates for d in re.findall(r"\d{4}-\d{2}-\d{2}", text)]
    assert found and all("2019-09-01" <= d <= "2019-09-30" for d in found), dates

"""The chat UI's own logic, without a browser or a model: rendering, uploads, handlers."""

from __future__ import annotations

import dataclasses
import json

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.answer.contract import Answer, Citation
from assistant.errors import InvalidQuestion, WartaError
from assistant.records import Article, Filters
from assistant.settings import Settings
from assistant.clients.render import chat_reply, escape_chat_text, highlighted_paragraph, render_sources, render_status
from assistant.clients.ui import ChatHandlers, build_app, configured_backends, filters_from_panel
from assistant.clients.uploads import safe_upload_name, store_upload, upload_rejection

HOSTILE_TITLE = '<script>alert("title")</script>'
HOSTILE_TEXT = (
    "Paragraf pertama.\n"
    'Rakor digelar <img src=x onerror="alert(1)"> pada Selasa, 30 Juli 2024. Lalu <b>selesai</b>.\n'
    "Paragraf ketiga."
)
QUOTE = "pada Selasa, 30 Juli 2024."


def hostile_article() -> Article:
    return Article(doc_id="evil", title=HOSTILE_TITLE, text=HOSTILE_TEXT, date="2024-07-30",
                   source="<i>src</i>", url="javascript:alert(2)")


def citation_for(article: Article, quote: str, n: int = 1) -> Citation:
    start = article.text.index(quote)
    return Citation(n=n, doc_id=article.doc_id, title=article.title, source=article.source, date=article.date,
                    url=article.url, chunk_id=f"{article.doc_id}:0", quote=quote, start=start, end=start + len(quote))


@dataclass
class FakeReport:
    articles_added: int = 1
    articles_replaced: int = 0
    articles_unchanged: int = 0
    duplicates: int = 0
    chunks_added: int = 2
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class FakeService:
    """The service methods the UI calls, with canned answers and a record of what it was asked."""

    def __init__(self, answer: Answer | Exception | None = None):
        self.articles = {"evil": hostile_article()}
        self.answer = answer
        self.asked: list[dict] = []
        self.ingested: list[list[Path]] = []

    def stats(self) -> dict:
        return {"articles": len(self.articles), "chunks": 3, "lexical_chunks": 3, "embedding_model": "fake",
                "index_dir": "index", "sources": ["detik.com"], "date_min": "2024-07-30", "date_max": "2024-07-30"}

    def article(self, doc_id: str) -> Article | None:
        return self.articles.get(doc_id)

    def ask_stream(self, question, history=None, top_k=None, backend=None, filters=None):
        self.asked.append({"question": question, "history": history, "top_k": top_k, "backend": backend,
                           "filters": filters})
        if isinstance(self.answer, Exception):
            raise self.answer
        answer = self.answer or cited_answer(question)
        if backend != "extractive":  # an LLM: its words first, then the verified answer
            yield from ("Rakor ", "digelar ", "pada ", "Selasa [1]. ", "Dihadiri 900 orang [1].")
        yield answer

    def articles_present(self, doc_ids):
        return {d for d in doc_ids if d in self.articles}

    def add(self, path) -> FakeReport:  # stands in for the handlers' Uploads too
        self.ingested.append([path])
        return FakeReport()

    def retrieve(self, query, k=10, filters=None):
        return []

    def ensure_index(self):
        return None


def cited_answer(question: str = "Kapan rakor digelar?") -> Answer:
    article = hostile_article()
    return Answer(question=question, text="Rakor digelar pada Selasa, 30 Juli 2024 [1].",
                  citations=[citation_for(article, QUOTE)], language="id")


def abstained_answer() -> Answer:
    article = hostile_article()
    return Answer(question="How many voters?", text="The sources do not say how many voters are registered.",
                  abstained=True, language="en", related=[citation_for(article, "Paragraf ketiga.")])


def run_respond(handlers: ChatHandlers, question: str, conversation=None, **panel) -> list[tuple]:
    values = {"top_k": 5, "date_from": "", "date_to": "", "sources": [], "backend": "extractive", **panel}
    return list(handlers.respond(question, [], conversation or [], values["top_k"], values["date_from"],
                                 values["date_to"], values["sources"], values["backend"]))


# ---------------------------------------------------------------- rendering

def test_sources_panel_escapes_hostile_article_and_highlights_exact_quote():
    article = hostile_article()
    panel = render_sources(cited_answer(), {"evil": article}.get, turn=1)
    assert "<script>" not in panel and "<img" not in panel and "<b>" not in panel and "<i>" not in panel
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in panel
    assert '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;' in panel  # the paragraph, escaped
    assert f"<mark>{QUOTE}</mark>" in panel
    assert "Paragraf pertama" not in panel and "Paragraf ketiga" not in panel  # only the quote's paragraph
    assert 'href="javascript' not in panel
    assert 'data-turn="1"' in panel and "2024-07-30" in panel


def test_sources_panel_links_http_urls_safely():
    article = Article(doc_id="a", title="Judul", text="Satu kalimat.", url='https://x.test/a?b="c"')
    panel = render_sources(Answer(question="q", text="t [1]", citations=[citation_for(article, "Satu kalimat.")]),
                           {"a": article}.get, turn=2)
    assert 'href="https://x.test/a?b=&quot;c&quot;"' in panel and 'rel="noopener noreferrer"' in panel


def test_highlight_falls_back_to_quote_when_article_changed_or_missing():
    article = hostile_article()
    citation = citation_for(article, QUOTE)
    changed = Article(doc_id="evil", title="t", text="Teks yang lain sama sekali, tidak ada kutipan di sini.")
    assert highlighted_paragraph(citation, None) == f"<mark>{QUOTE}</mark>"
    assert highlighted_paragraph(citation, changed) == f"<mark>{QUOTE}</mark>"


def test_long_paragraph_is_trimmed_around_the_quote():
    text = "kata " * 500 + "KUTIPAN PENTING." + " lagi" * 500
    article = Article(doc_id="long", title="t", text=text)
    rendered = highlighted_paragraph(citation_for(article, "KUTIPAN PENTING."), article)
    assert "<mark>KUTIPAN PENTING.</mark>" in rendered
    assert rendered.startswith("…") and rendered.endswith("…") and len(rendered) < 1000


def test_abstention_is_styled_apart_and_lists_related_passages():
    panel = render_sources(abstained_answer(), {"evil": hostile_article()}.get, turn=1)
    assert "warta-abstained" in panel and "Not in the sources" in panel and "not an answer" in panel
    assert "<mark>Paragraf ketiga.</mark>" in panel


def test_chat_text_is_shown_literally():
    escaped = escape_chat_text('<script>x</script> *bold* [1] $x$')
    assert "<script>" not in escaped and "&lt;script&gt;" in escaped
    assert r"\*bold\*" in escaped and r"\[1\]" in escaped and r"\$x\$" in escaped


def test_status_panel_shows_counts_and_model_escaped():
    status = render_status({"articles": 3, "chunks": 12, "embedding_model": "<e5>", "date_min": None})
    assert "<strong>3</strong> articles" in status and "<strong>12</strong> chunks" in status
    assert "&lt;e5&gt;" in status


def test_reply_lists_the_cited_articles_with_their_dates():
    article = hostile_article()
    answer = cited_answer()
    answer.citations[0] = dataclasses.replace(answer.citations[0], date="2024-07-30", source="detik.com")
    reply = chat_reply(answer, answer.text)
    assert "warta-cited" in reply and "2024\\-07\\-30" in reply and "detik\\.com" in reply
    assert escape_chat_text(article.title) in reply  # the title, escaped like all article text


def test_notice_is_shown_above_the_answer():
    answer = dataclasses.replace(cited_answer(), notice="The language model did not answer in time.")
    reply = chat_reply(answer, answer.text)
    assert reply.startswith('<span class="warta-notice">The language model did not answer in time\\.</span>')


def test_sources_panel_says_which_filters_were_used_and_who_chose_them():
    answer = dataclasses.replace(cited_answer(), filters=Filters("2024-07-01", "2024-07-31"), filters_from_question=True)
    panel = render_sources(answer, {"evil": hostile_article()}.get, turn=1)
    assert "Searched dates 2024-07-01 to 2024-07-31 (named in the question)." in panel
    answer = dataclasses.replace(answer, filters=Filters(sources=("detik.com",)), filters_from_question=False)
    assert "sources detik.com (set in the retrieval panel)" in render_sources(answer, {}.get, turn=1)
    assert "warta-filters" not in render_sources(cited_answer(), {}.get, turn=1)


def test_examples_come_from_the_file_beside_the_articles_and_fit_the_index(tmp_path):
    (tmp_path / "examples.json").write_text(json.dumps({"examples": [
        {"question": "Kapan rakor digelar?", "doc_id": "evil"},
        {"question": "Siapa juara?", "doc_id": "not-in-this-index"},
    ]}), encoding="utf-8")
    handlers = ChatHandlers(FakeService(), Settings(data_dir=tmp_path))
    assert handlers.examples() == ["Kapan rakor digelar?"]
    assert ChatHandlers(FakeService(), Settings(data_dir=tmp_path / "none")).examples() == []  # a user's own index


def test_the_date_picker_value_becomes_a_filter():
    assert filters_from_panel("2019-09-01 00:00:00", "2019-09-30", []) == Filters("2019-09-01", "2019-09-30")
    with pytest.raises(WartaError):
        filters_from_panel("2019-09-01x", "", [])


# ---------------------------------------------------------------- uploads

@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/cron.d/evil.txt", "evil.txt"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\x\\berita.md", "berita.md"),
        (".env", "env"),
        ("...hidden.txt", "hidden.txt"),
        ("ber\x00ita.txt", "berita.txt"),
        ("berita utama (1).TXT", "berita_utama_1.txt"),
        ("..", "article"),
        ("", "article"),
        ("a..b.txt", "a.b.txt"),
    ],
)
def test_safe_upload_name(name, expected):
    assert safe_upload_name(name) == expected


def test_safe_upload_name_is_bounded():
    assert len(safe_upload_name("x" * 1000 + ".txt")) <= 120
    assert safe_upload_name("x" * 1000 + ".txt").endswith(".txt")


def test_store_upload_stays_inside_uploads_and_never_overwrites(tmp_path):
    source = tmp_path / "incoming.txt"
    source.write_text("Isi berita.", encoding="utf-8")
    uploads = tmp_path / "data" / "uploads"
    first = store_upload(source, "../../escape.txt", uploads)
    second = store_upload(source, "../../escape.txt", uploads)
    assert first == uploads / "escape.txt" and second == uploads / "escape-2.txt"
    assert not (tmp_path / "escape.txt").exists()
    assert second.read_text(encoding="utf-8") == "Isi berita."


def test_upload_rejection_messages():
    assert upload_rejection("berita.md", 100, 10) is None
    assert upload_rejection("BERITA.HTM", 100, 10) is None
    assert "not a supported format" in upload_rejection("malware.exe", 100, 10)
    assert ".txt" in upload_rejection("report.pdf", 100, 10)
    too_big = upload_rejection("big.txt", 11 * 1024 * 1024, 10)
    assert "11.0 MB" in too_big and "10 MB limit" in too_big
    assert "empty" in upload_rejection("empty.txt", 0, 10)


def test_add_articles_stores_safely_ingests_and_reports(tmp_path):
    service = FakeService()
    handlers = ChatHandlers(service, Settings(data_dir=tmp_path / "data"))
    handlers.uploads = service
    good = tmp_path / "gradio" / "berita baru.txt"
    bad = tmp_path / "gradio" / "virus.exe"
    good.parent.mkdir()
    good.write_text("Judul\n\nIsi.", encoding="utf-8")
    bad.write_bytes(b"MZ")
    result, status, sources_update, cleared = handlers.add_articles([str(good), str(bad)], progress=NoProgress())
    assert service.ingested == [[tmp_path / "data" / "uploads" / "berita_baru.txt"]]
    assert "berita_baru.txt: 1 article(s) added" in result and "virus.exe: not a supported format" in result
    assert "articles" in status and sources_update["choices"] == ["detik.com"] and cleared is None


class NoProgress:
    def tqdm(self, iterable, desc=None):
        return iterable


# ---------------------------------------------------------------- chat handler

def test_extractive_answer_appears_at_once_with_its_sources():
    service = FakeService()
    steps = run_respond(ChatHandlers(service, Settings()), "Kapan rakor digelar?", top_k=4)
    chat, panel, conversation, box = steps[-1]
    assert steps[0][3] == "" and len(steps) == 2  # box emptied at once, then the whole answer
    assert chat[0] == {"role": "user", "content": "Kapan rakor digelar?"}
    assert r"\[1\]" in chat[1]["content"]
    assert "<mark>" in panel and 'data-turn="1"' in panel
    assert conversation == [("Kapan rakor digelar?", "Rakor digelar pada Selasa, 30 Juli 2024 [1].")]
    assert service.asked[0]["top_k"] == 4 and service.asked[0]["filters"] is None


def test_llm_words_stream_in_then_the_verified_answer_replaces_them():
    service = FakeService()
    steps = run_respond(ChatHandlers(service, Settings()), "Kapan rakor digelar?", backend="openai")
    shown = [step[0][-1]["content"] for step in steps[1:-1]]
    assert len(shown) == 5 and shown[0].startswith("Rakor") and "900 orang" in shown[-1]
    assert all("Checking every claim" in step[1] for step in steps[1:-1])  # no sources before verification
    chat, panel, conversation, _ = steps[-1]
    assert "900" not in chat[-1]["content"] and "<mark>" in panel  # the verified answer, then the sources
    assert conversation[-1][1] == "Rakor digelar pada Selasa, 30 Juli 2024 [1]."


def test_follow_up_passes_the_conversation_and_filters():
    service = FakeService()
    history = [("Kapan rakor digelar?", "Rakor digelar pada Selasa [1].")]
    run_respond(ChatHandlers(service, Settings()), "Siapa yang hadir?", conversation=history,
                date_from="2024-07-01", sources=["detik.com"])
    assert service.asked[0]["history"] == history
    assert service.asked[0]["filters"] == Filters("2024-07-01", None, ("detik.com",))


def test_abstained_reply_carries_the_badge():
    chat, panel, _, _ = run_respond(ChatHandlers(FakeService(abstained_answer()), Settings()), "How many voters?")[-1]
    assert "warta-badge-abstained" in chat[1]["content"] and "warta-abstained" in panel


def test_warta_error_is_a_friendly_chat_message():
    service = FakeService(InvalidQuestion("The question is empty or too long."))
    chat, panel, conversation, _ = run_respond(ChatHandlers(service, Settings()), "x" * 5)[-1]
    assert chat[-1]["content"].startswith("⚠️ The question is empty or too long\\.")
    assert "Traceback" not in chat[-1]["content"] and conversation == []


def test_unexpected_error_hides_the_traceback():
    chat, _, _, _ = run_respond(ChatHandlers(FakeService(RuntimeError("boom")), Settings()), "q")[-1]
    assert "boom" not in chat[-1]["content"] and "server log" in chat[-1]["content"]


def test_bad_date_filter_is_reported_not_raised():
    service = FakeService()
    chat, _, _, _ = run_respond(ChatHandlers(service, Settings()), "q", date_to="30/07/2024")[-1]
    assert r"2024\-07\-30" in chat[-1]["content"] and service.asked == []


def test_filters_from_panel_empty_is_none():
    assert filters_from_panel("", " ", []) is None


def test_backend_choices_list_only_configured_ones():
    assert configured_backends(Settings()) == ["extractive"]
    assert configured_backends(Settings(backend="ollama", llm_model="qwen")) == ["extractive", "ollama"]
    assert configured_backends(Settings(llamacpp_model_path="/m.gguf")) == ["extractive", "llamacpp"]


def test_build_app_takes_any_service():
    app = build_app(FakeService(), Settings())
    assert app.title.startswith("Warta")


def test_citations_of_one_article_share_one_entry():
    article = hostile_article()
    answer = Answer(question="q", text="a [1]. b [2].", citations=[citation_for(article, QUOTE, 1),
                                                                    citation_for(article, "Paragraf ketiga.", 2)])
    panel = render_sources(answer, {"evil": article}.get, turn=1)
    assert panel.count('class="warta-source"') == 1 and panel.count("<mark>") == 2
    assert '<blockquote data-n="1">' in panel and '<blockquote data-n="2">' in panel


def test_reply_shows_the_answers_confidence_in_its_language():
    answer = dataclasses.replace(cited_answer(), confidence=0.83, language="id")
    assert '<span class="warta-confidence">keyakinan 83%</span>' in chat_reply(answer, answer.text)
    assert "warta-confidence" not in chat_reply(cited_answer(), cited_answer().text)

"""English questions reach the trained reader half translated through the news glossary;
Indonesian ones unchanged (no model needed)."""

from assistant.answer.reader.model import reader_question
from assistant.index.glossary import in_indonesian


def test_glossary_phrases_become_indonesian_longest_first():
    assert in_indonesian("Who is the Vice President's spokesperson?") == "Who is the wakil presiden's juru bicara?"
    assert in_indonesian("Which team won the match in West Java?") == "Which tim menang the pertandingan in barat Java?"


def test_text_without_glossary_words_is_unchanged():
    assert in_indonesian("Who sang Panah Asmara?") == "Who sang Panah Asmara?"


def test_only_english_questions_are_half_translated():
    assert reader_question("Who is the mayor of Bandung?") == "Who is the wali kota of Bandung?"
    indonesian = "Siapa wali kota Bandung yang menghadiri rapat itu?"
    assert reader_question(indonesian) == indonesian

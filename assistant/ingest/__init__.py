"""Ingest: articles in, normalized and cut into sentence-aware chunks with exact offsets.

Owns reading files of every supported format (``loaders``), the one canonical text form every
offset refers to (``normalize``), sentence splitting and chunking (``chunking``) and word-level
text tools shared downstream: tokens, Indonesian stems, stop words, language (``text``).
May import: ``assistant.records``, ``assistant.errors``, ``assistant.settings``.
"""

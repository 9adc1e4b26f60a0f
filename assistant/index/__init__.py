"""Index: chunks made searchable and kept consistent.

Owns the embedders (``embeddings``, the e5 rebuild in ``e5model``), the persisted index (``store``:
a SQLite ``catalog`` beside Chroma ``vectors`` and the BM25 ``lexical`` index, behind one
``Index`` facade), the English→Indonesian news glossary used to search across languages
(``glossary``) and the consistency check and repair (``doctor``).
May import: ``assistant.ingest`` and the shared records, errors and settings.
"""

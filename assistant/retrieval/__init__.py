"""Retrieval: the chunks a question should be answered from.

Owns hybrid search (``hybrid``: e5 cosine fused with BM25 by how much of the question the corpus
knows), the date range a question names (``timeframe``) and Warta's retrieval as a LangChain
``BaseRetriever`` returning ``Document``s (``retriever``).
May import: ``assistant.index``, ``assistant.ingest`` and the shared records, errors and settings.
"""

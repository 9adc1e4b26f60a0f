"""Evaluation: the whole pipeline measured on question sets, as users get it.

Owns the question-set formats and public-set adapters (``sets``), how answers are scored
(``metrics``), running a set through ``Warta.ask()`` and comparing runs (``runner``), the written
report (``report``), the plain LangChain RAG it is compared with (``baseline``) and the reader's
abstention calibration through the pipeline (``calibrate_reader``).
May import: ``assistant.service`` and everything below it.
"""

"""Clients: the ways people use the one service — the ``warta`` command line (``cli``) and the
Gradio chat (``ui``, its pure HTML rendering in ``render``).
May import: ``assistant.service``, ``assistant.evaluation`` and everything below them.
"""

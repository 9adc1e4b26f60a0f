"""Errors a user can act on. The CLI and UI show their message; nothing else leaks a traceback."""

from __future__ import annotations


class WartaError(Exception):
    """Base of every error Warta raises on purpose."""

    exit_code = 1


class InvalidQuestion(WartaError):
    """Empty, too long or otherwise unusable question."""

    exit_code = 2


class IndexMissing(WartaError):
    """No index at the configured place yet: ingest articles first."""

    exit_code = 3


class IndexMismatch(WartaError):
    """The index was built with another embedding model, or the folder is not a Warta index."""

    exit_code = 4


class UploadRejected(WartaError):
    """An uploaded file that cannot be added as a whole; nothing of it was kept."""

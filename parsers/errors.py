"""The one error a backend raises for a file it cannot read."""
from __future__ import annotations


class ParseFailed(Exception):
    """A file could not be read; `str()` is the reason shown in `warnings`."""

"""Files go to staff only as downloads: never rendered by the browser, whatever they hold."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi.responses import Response

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_filename(name: str, fallback: str = "tep-dinh-kem") -> str:
    """A name for Content-Disposition: NFC, no path, quotes or control characters."""
    name = unicodedata.normalize("NFC", name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")[:150]
    return name or fallback


def attachment_response(data: bytes, filename: str) -> Response:
    name = safe_filename(filename)
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    })

"""Content-addressed file store on disk (raw mail, attachments, campaign documents).

Files are named by their SHA-256, never by a name someone gave them, and are
written atomically (temp file, fsync, rename) so a crash leaves either the whole
file or nothing. Folders and files are owner-only.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path, area: str = "blobs") -> None:
        self.root = Path(root)
        self.area = area

    def relpath(self, digest: str) -> str:
        """Path of a blob relative to the storage root (what the database records)."""
        return f"{self.area}/{digest[:2]}/{digest}"

    def path(self, digest: str) -> Path:
        return self.root / self.relpath(digest)

    def put(self, data: bytes) -> tuple[str, str]:
        """Store bytes; returns (sha256, relative path). Idempotent: known bytes are not written again."""
        digest = sha256_hex(data)
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest, self.relpath(digest)
        return self.put_stream((data,))[:2]

    def put_stream(self, chunks: Iterable[bytes]) -> tuple[str, str, int]:
        """Store bytes arriving in pieces (a message too large to hold at once), hashing as they
        come, atomically (temp file, fsync, rename); returns (sha256, relative path, size)."""
        self.root.joinpath(self.area).mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.root / self.area, prefix=".tmp-")
        h, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
                    h.update(chunk)
                    size += len(chunk)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            digest = h.hexdigest()
            target = self.path(digest)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest, self.relpath(digest), size

    def get(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def read_rel(self, relpath: str) -> bytes:
        return (self.root / relpath).read_bytes()

    def read_head(self, relpath: str, limit: int) -> bytes:
        """The first `limit` bytes of a stored file (the headers of a message too large to read)."""
        with open(self.root / relpath, "rb") as f:
            return f.read(limit)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

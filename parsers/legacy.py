"""Legacy word-processor files (.doc, .rtf, .odt, Word 2003 XML) to DOCX.

Conversion runs LibreOffice headless in a throw-away sandbox per call: a
fresh private temp dir, a fresh user profile (so parallel calls never share
one), the input stored under its hash (never the sender's file name), memory
and file-size rlimits, and a wall-clock timeout that kills the whole process
group. The kind of a file comes from `parsers.detect.detect_kind`.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import olefile

from parsers.detect import OLE_MAGIC, ole_encrypted
from parsers.limits import MB, Limits

# LibreOffice fails to write its output below ~400 MB of address space.
_SOFFICE_MIN_AS_MB = 1024
_CONVERTIBLE = {"doc": "doc", "rtf": "rtf", "odt": "odt", "wordml": "xml", "fodt": "fodt",
                "docx": "docx", "html": "html"}
# The import filter is forced: left to guess, LibreOffice reads garbage as plain text.
_INFILTER = {"doc": "MS Word 97", "rtf": "Rich Text Format", "odt": "writer8",
             "wordml": "MS Word 2003 XML", "fodt": "OpenDocument Text Flat XML",
             "docx": "MS Word 2007 XML", "html": "HTML (StarWriter)"}


class ConversionFailed(Exception):
    """LibreOffice could not produce a DOCX; `reason` says why, in English."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- conversion ------------------------------------------------------------------
def _limited(cmd: list[str], memory_mb: int, max_output: int) -> list[str]:
    """Prefix cmd with prlimit (util-linux): rlimits without a preexec_fn,
    which is unsafe when the caller runs threads."""
    prlimit = shutil.which("prlimit")
    if not prlimit:
        return cmd
    mem = max(memory_mb, _SOFFICE_MIN_AS_MB) * MB
    return [prlimit, f"--as={mem}", "--core=0", f"--fsize={max_output}", "--"] + cmd


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise ConversionFailed("LibreOffice (soffice) is not installed on this server")
    return exe


def _infilter(data: bytes, kind: str) -> str:
    if kind == "doc" and data.startswith(OLE_MAGIC):
        try:
            with olefile.OleFileIO(data) as ole:
                if ole.openstream("WordDocument").read(2) == b"\xdc\xa5":  # Word 6.0/95 FIB
                    return "MS Word 95"
        except (OSError, ValueError, IndexError, TypeError):
            pass
    return _INFILTER[kind]


def _run_soffice(workdir: Path, src: Path, infilter: str, limits: Limits) -> Path:
    outdir = workdir / "out"
    profile = (workdir / "profile").as_uri()
    cmd = [_soffice(), f"-env:UserInstallation={profile}", "--headless", "--invisible",
           "--nologo", "--nodefault", "--norestore", "--nolockcheck", f"--infilter={infilter}",
           "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(src)]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
           "TMPDIR": str(workdir), "LANG": "C.UTF-8", "SAL_USE_VCLPLUGIN": "svp"}
    cmd = _limited(cmd, limits.memory_mb, limits.max_uncompressed_bytes)
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ConversionFailed(f"LibreOffice did not finish within {limits.timeout_s:.0f} s") from None
    finally:
        _kill_group(proc.pid)
    result = outdir / (src.stem + ".docx")
    if proc.returncode != 0 or not result.exists() or result.stat().st_size == 0:
        tail = out.decode("utf-8", "replace").strip().splitlines()[-1:] if out else []
        detail = f": {tail[0][:200]}" if tail else ""
        raise ConversionFailed(f"LibreOffice could not convert the file (exit {proc.returncode}){detail}")
    return result


def _kill_group(pgid: int) -> None:
    """Reap any helper LibreOffice left behind in its process group."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def convert_to_docx(data: bytes, kind: str, limits: Limits = Limits()) -> bytes:
    """Convert a .doc/.rtf/.odt/Word-XML/HTML (or a legacy file named .docx) to DOCX bytes.

    Raises ConversionFailed with a clear reason (encrypted, timeout, crash).
    """
    if len(data) > limits.max_file_bytes:
        raise ConversionFailed(f"file is over the {limits.max_file_bytes / MB:.0f} MB limit")
    if ole_encrypted(data):
        raise ConversionFailed("the document is encrypted (password-protected); ask the sender for an unprotected copy")
    ext = _CONVERTIBLE.get(kind)
    if ext is None:
        raise ConversionFailed(f"LibreOffice conversion does not handle {kind!r} files")
    with tempfile.TemporaryDirectory(prefix="reportbot-lo-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o700)
        src = workdir / f"{hashlib.sha256(data).hexdigest()[:32]}.{ext}"
        src.write_bytes(data)
        result = _run_soffice(workdir, src, _infilter(data, kind), limits)
        return result.read_bytes()

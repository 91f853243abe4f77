"""DOCX → PDF / legacy .doc through LibreOffice, when `soffice` is installed (optional).

Batch conversion: one soffice run per target format for all files, with a throw-away
profile and a time limit, so a demo pays LibreOffice's start-up once or twice.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120


def available() -> bool:
    return shutil.which("soffice") is not None


def convert_many(docs: dict[str, bytes], target: str) -> dict[str, bytes]:
    """{name: DOCX bytes} → {name: converted bytes} for `target` ("pdf" or "doc");
    names that failed are missing from the result (the caller falls back)."""
    if not docs or not available():
        return {}
    with tempfile.TemporaryDirectory(prefix="reportbot-demo-lo-") as tmp:
        folder = Path(tmp)
        inputs = []
        for name, data in docs.items():
            p = folder / f"{name}.docx"
            p.write_bytes(data)
            inputs.append(str(p))
        out = folder / "out"
        cmd = ["soffice", f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
               "--convert-to", "doc:MS Word 97" if target == "doc" else target, "--outdir", str(out), *inputs]
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return {}
        return {name: (out / f"{name}.{target}").read_bytes() for name in docs
                if (out / f"{name}.{target}").exists()}

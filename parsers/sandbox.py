"""Run one parse in a child process with memory, CPU and wall-clock limits.

`run_parse` never raises for bad input: a child that hangs, runs out of
memory or crashes yields the contract JSON with `found: false` everywhere and
the reason in `warnings`. The child is `python -m parsers.sandbox REQUEST`;
it sets its own rlimits first (no preexec_fn: the caller may be threaded),
reads the input from a private temp dir where it is stored under its hash,
and writes the result as JSON next to it (stdout is left to chatty libraries).
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from parsers.limits import MB, Limits
from parsers.model import Outline, OutlineNode

DEFAULT_ENTRY = "parsers:parse_bytes"
_GRACE_S = 3.0  # start-up of the child interpreter, on top of the parse's own time


# --- outline and limits over JSON -----------------------------------------------
def outline_to_json(outline: Outline | dict) -> dict:
    if isinstance(outline, dict):
        return outline
    return {"code": outline.code, "nodes": [dataclasses.asdict(n) for n in outline.nodes]}


def outline_from_json(data: dict) -> Outline:
    nodes = []
    for n in data.get("nodes", []):
        fields = dict(n)
        for key in ("aliases", "metrics"):
            fields[key] = tuple(fields.get(key) or ())
        nodes.append(OutlineNode(**fields))
    return Outline(code=data["code"], nodes=tuple(nodes))


# --- parent side --------------------------------------------------------------------
def failed_result(filename: str, outline: Outline | dict, reason: str, fmt: str | None = None) -> dict:
    """The contract JSON for a file that could not be parsed: found=false everywhere."""
    from parsers.report import empty_report  # noqa: PLC0415 - keeps the child start-up light

    shape = outline if isinstance(outline, Outline) else outline_from_json(outline)
    return empty_report(filename, fmt or "unknown", shape, [f"{filename}: {reason}"]).to_json()


def _child_env(workdir: Path) -> dict[str, str]:
    """A minimal environment: no mail passwords or tokens reach the parser."""
    paths = [p for p in sys.path if p] + [str(Path(__file__).resolve().parents[1])]
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "TMPDIR": str(workdir),
            "LANG": "C.UTF-8", "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)),
            "PYTHONDONTWRITEBYTECODE": "1", "OMP_THREAD_LIMIT": "1"}


def _failure_reason(proc: subprocess.CompletedProcess, limits: Limits) -> str:
    err = (proc.stderr or b"").decode("utf-8", "replace")
    if "MemoryError" in err or "std::bad_alloc" in err or "Cannot allocate memory" in err:
        return f"parsing ran out of memory (limit {limits.memory_mb} MB)"
    if proc.returncode == -signal.SIGXCPU:
        return f"parsing used more than {limits.timeout_s:.0f} s of CPU time (stopped)"
    if proc.returncode < 0:
        name = signal.Signals(-proc.returncode).name
        return f"the parser crashed ({name}); the file may be malformed or hostile"
    last = [line for line in err.strip().splitlines() if line.strip()][-1:] or ["no result"]
    return f"the parser failed (exit {proc.returncode}): {last[0][:200]}"


def run_parse(data: bytes, filename: str, outline_json: dict | Outline, limits: Limits = Limits(),
              *, entry: str = DEFAULT_ENTRY) -> dict:
    """Parse `data` in a limited child process; returns the contract JSON dict.

    `entry` ("module:function", called as f(data, filename, outline, limits=...))
    is what the child runs; tests point it at a misbehaving function.
    """
    from parsers import report_format  # noqa: PLC0415
    from parsers.detect import detect_kind  # noqa: PLC0415

    fmt = report_format(detect_kind(data))
    outline = outline_to_json(outline_json)
    with tempfile.TemporaryDirectory(prefix="reportbot-parse-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o700)
        src = workdir / hashlib.sha256(data).hexdigest()
        src.write_bytes(data)
        request = {"input": str(src), "filename": filename, "outline": outline,
                   "limits": dataclasses.asdict(limits), "entry": entry, "result": str(workdir / "result.json")}
        (workdir / "request.json").write_text(json.dumps(request), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "parsers.sandbox", str(workdir / "request.json")],
                                cwd=workdir, env=_child_env(workdir), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=limits.timeout_s + _GRACE_S)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.communicate()
            return failed_result(filename, outline, f"parsing did not finish within {limits.timeout_s:.0f} s "
                                 "(stopped)", fmt)
        finally:
            _kill_group(proc.pid)  # LibreOffice or Tesseract left behind by the child
        result = workdir / "result.json"
        if proc.returncode == 0 and result.exists():
            return json.loads(result.read_text(encoding="utf-8"))
        done = subprocess.CompletedProcess(proc.args, proc.returncode, None, err)
        return failed_result(filename, outline, _failure_reason(done, limits), fmt)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --- child side ------------------------------------------------------------------------
def _limit_self(limits: Limits) -> None:
    memory = limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = math.ceil(limits.timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_uncompressed_bytes, limits.max_uncompressed_bytes))


def _child(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    limits = Limits(**request["limits"])
    _limit_self(limits)
    module_name, func_name = request["entry"].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    data = Path(request["input"]).read_bytes()
    report = func(data, request["filename"], outline_from_json(request["outline"]), limits=limits)
    result = report.to_json() if hasattr(report, "to_json") else report
    Path(request["result"]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))

"""Run one parse in a child process with memory, CPU and wall-clock limits.

`run_parse` never raises for bad input: a child that hangs, runs out of
memory or crashes yields the contract JSON with `found: false` everywhere and
the reason in `warnings`. The input is stored under its hash in a private temp
dir; the child sets its own rlimits first, runs the parse in its own process
group (so LibreOffice and Tesseract die with it) and writes the result as JSON
next to the input (stdout goes to /dev/null, stderr to a file we read a reason from).

Each child is forked by multiprocessing's "forkserver" (one per process, ours:
nothing else here uses it), which has already imported the parsers: a parse
starts in milliseconds instead of the ~0.3 s of a new interpreter, and shares no
state with the previous one (every child is a copy of the untouched server). The
caller never forks, so its threads (IMAP) are no hazard. multiprocessing starts
the server with the caller's environment; the server re-executes itself with the
minimal one on importing this module (`_forkserver_hook`), so no mail or
database secret is in its memory, its /proc environ or its children's, and a
child checks that before touching the input. If the server cannot start or gives
no such child, each parse runs in a fresh `python -m parsers.sandbox REQUEST`
instead (the old way), and the log says so once.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import json
import logging
import math
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from multiprocessing import spawn
from pathlib import Path

from parsers.detect import detect_kind, report_format
from parsers.limits import MB, Limits
from parsers.model import Outline, OutlineNode
from parsers.report import empty_report

log = logging.getLogger(__name__)

DEFAULT_ENTRY = "parsers.dispatch:parse_bytes"
_GRACE_S = 3.0  # start-up of the child, on top of the parse's own time
_REPO = Path(__file__).resolve().parents[1]
# What the forkserver imports once for all children; this module first, as its import
# there is what gives the server the minimal environment (see _forkserver_hook).
_PRELOAD = ("parsers.sandbox", "parsers.dispatch", "json", "traceback")
_SERVER_CMD = "from multiprocessing.forkserver import main"  # how multiprocessing runs the server
_CLEAN_MARK = "REPORTBOT_PARSE_SERVER"  # in the re-executed server's environment: its own pid


# --- outline and limits over JSON -----------------------------------------------
def outline_to_json(outline: Outline | dict) -> dict:
    if isinstance(outline, dict):
        return outline
    return {"code": outline.code, "nodes": [dataclasses.asdict(n) for n in outline.nodes], "year": outline.year}


def outline_from_json(data: dict) -> Outline:
    nodes = []
    for n in data.get("nodes", []):
        fields = dict(n)
        for key in ("aliases", "metrics"):
            fields[key] = tuple(fields.get(key) or ())
        nodes.append(OutlineNode(**fields))
    return Outline(code=data["code"], nodes=tuple(nodes), year=data.get("year"))


# --- parent side --------------------------------------------------------------------
def failed_result(filename: str, outline: Outline | dict, reason: str, fmt: str | None = None) -> dict:
    """The contract JSON for a file that could not be parsed: found=false everywhere."""
    shape = outline if isinstance(outline, Outline) else outline_from_json(outline)
    return empty_report(filename, fmt or "unknown", shape, [f"{filename}: {reason}"]).to_json()


def _minimal_env(home: str, paths: list[str]) -> dict[str, str]:
    """The whole environment a parser sees: no mail passwords or tokens reach it."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "TMPDIR": home,
            "LANG": "C.UTF-8", "PYTHONPATH": os.pathsep.join(dict.fromkeys(p for p in paths if p)),
            "PYTHONDONTWRITEBYTECODE": "1", "OMP_THREAD_LIMIT": "1"}


def _failure_reason(returncode: int, err: str, limits: Limits) -> str:
    if "MemoryError" in err or "std::bad_alloc" in err or "Cannot allocate memory" in err:
        return f"parsing ran out of memory (limit {limits.memory_mb} MB)"
    if returncode == -signal.SIGXCPU:
        return f"parsing used more than {limits.timeout_s:.0f} s of CPU time (stopped)"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return f"the parser crashed ({name}); the file may be malformed or hostile"
    last = [line for line in err.strip().splitlines() if line.strip()][-1:] or ["no result"]
    return f"the parser failed (exit {returncode}): {last[0][:200]}"


def run_parse(data: bytes, filename: str, outline_json: dict | Outline, limits: Limits = Limits(),
              *, entry: str = DEFAULT_ENTRY) -> dict:
    """Parse `data` in a limited child process; returns the contract JSON dict.

    `entry` ("module:function", called as f(data, filename, outline, limits=...))
    is what the child runs; tests point it at a misbehaving function.
    """
    fmt = report_format(detect_kind(data))
    outline = outline_to_json(outline_json)
    _sweep_once()
    with tempfile.TemporaryDirectory(prefix=f"{_WORKDIR_PREFIX}{os.getpid()}-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o700)
        src = workdir / hashlib.sha256(data).hexdigest()
        src.write_bytes(data)
        request = {"input": str(src), "filename": filename, "outline": outline,
                   "limits": dataclasses.asdict(limits), "entry": entry, "result": str(workdir / "result.json")}
        (workdir / "request.json").write_text(json.dumps(request), encoding="utf-8")
        returncode = _run_child(workdir, limits)
        if returncode is None:
            return failed_result(filename, outline, f"parsing did not finish within {limits.timeout_s:.0f} s "
                                 "(stopped)", fmt)
        result = workdir / "result.json"
        if returncode == 0 and result.exists():
            return json.loads(result.read_text(encoding="utf-8"))
        return failed_result(filename, outline, _failure_reason(returncode, _tail(workdir / "stderr"), limits), fmt)


_WORKDIR_PREFIX = "reportbot-parse-"
_swept = threading.Event()


def _sweep_once() -> None:
    """Remove the work folders (copies of agencies' files) of parses whose process was killed
    mid-parse: named after their process, they are left only by one that is gone."""
    if _swept.is_set():
        return
    _swept.set()
    for path in Path(tempfile.gettempdir()).glob(f"{_WORKDIR_PREFIX}*-*"):
        pid = path.name[len(_WORKDIR_PREFIX):].partition("-")[0]
        try:
            mine = path.is_dir() and path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            log.info("parse sandbox: removed %s, left by a killed process", path.name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path: Path, size: int = 64 * 1024) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - size))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _run_child(workdir: Path, limits: Limits) -> int | None:
    """Run the request in `workdir`; its exit code, None when stopped at the wall clock."""
    failure = None
    for _ in range(2):  # the second try starts a new server if the first one had died
        context = _SERVER.context()
        if context is None:
            break
        try:
            return _run_forked(context, workdir, limits)
        except _ServerUnavailable as e:
            failure = f"{e} ({type(e.__cause__).__name__}: {e.__cause__})" if e.__cause__ else str(e)
    if failure:
        _SERVER.give_up(failure)
    return _run_subprocess(workdir, limits)


class _ServerUnavailable(Exception):
    pass


def _run_forked(context, workdir: Path, limits: Limits) -> int | None:
    """One forked child; _ServerUnavailable when none could run the parse."""
    proc = context.Process(target=_forked_child, args=(str(workdir), limits.timeout_s + _GRACE_S),
                           name="reportbot-parse", daemon=True)
    try:
        proc.start()
    except (OSError, EOFError) as e:  # the server did not start, or died
        raise _ServerUnavailable("the parse forkserver is unavailable") from e
    try:
        proc.join(limits.timeout_s + _GRACE_S)
        timed_out = proc.exitcode is None
    finally:
        # the child's group, LibreOffice or Tesseract it left behind included
        if not _kill_group(proc.pid) and proc.exitcode is None:
            proc.kill()  # stopped before it made its own group
        proc.join()
        returncode = proc.exitcode
        proc.close()
    if timed_out:
        return None
    if not (workdir / "stderr").exists():  # made first thing by the child: it never began
        raise _ServerUnavailable(f"a forked parse child ended before starting (exit {returncode}); "
                                 "the forkserver may hold the caller's environment")
    return returncode


def _run_subprocess(workdir: Path, limits: Limits) -> int | None:
    """The fallback: a fresh interpreter per parse (`python -m parsers.sandbox REQUEST`)."""
    with open(workdir / "stderr", "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "parsers.sandbox", str(workdir / "request.json")],
                                cwd=workdir, env=_minimal_env(str(workdir), sys.path + [str(_REPO)]),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
    try:
        return proc.wait(timeout=limits.timeout_s + _GRACE_S)
    except subprocess.TimeoutExpired:
        return None
    finally:
        _kill_group(proc.pid)  # LibreOffice or Tesseract left behind by the child, or the child itself
        proc.wait()


def _kill_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, signal.SIGKILL)
        return True
    except (ProcessLookupError, PermissionError):
        return False


# --- the forkserver -------------------------------------------------------------------
class _Server:
    """The multiprocessing forkserver context, started on first use; None once it failed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._context = None
        self.unavailable: str | None = None  # why parses use the subprocess fallback

    def context(self):
        if multiprocessing.current_process().daemon:  # multiprocessing would refuse to start a child
            self.give_up("a daemonic multiprocessing process cannot use the parse forkserver")
        with self.lock:
            if self.unavailable is None and self._context is None:
                self._context = multiprocessing.get_context("forkserver")
                self._context.set_forkserver_preload(list(_PRELOAD))
            return None if self.unavailable else self._context

    def give_up(self, reason: str) -> None:
        with self.lock:
            if self.unavailable is None:
                log.warning("parse sandbox: %s; each parse now starts a fresh interpreter (slower)", reason)
                self.unavailable = reason


_SERVER = _Server()


def _forkserver_hook() -> None:
    """Inside the forkserver only (it imports this module first): make it fit for parsing.

    multiprocessing launches the server with the caller's environment (passwords
    included), and the server's children inherit its memory: the same command line runs
    again with `_minimal_env` (the passed descriptors survive exec, the pid stays).
    Then the server's children stop re-running the caller's main script, which spawn
    does so that objects pickled from `__main__` resolve: a parse child needs none (its
    target lives here), and Python 3.11 cannot preload `__main__` (CPython gh-126631),
    so the re-run would import the caller's whole program, `reportbot` CLI and all, per
    parse, and run code of the caller's inside the sandbox.
    """
    argv = getattr(sys, "orig_argv", [])
    if len(argv) < 2 or not argv[-1].startswith(_SERVER_CMD):
        return
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        return  # a child being unpickled: the server could not import this module (see _forked_child)
    if os.environ.get(_CLEAN_MARK) != str(os.getpid()):  # not yet this very process re-executed
        env = _minimal_env(tempfile.gettempdir(), sys.path + [str(_REPO)])
        env[_CLEAN_MARK] = str(os.getpid())  # exec keeps the pid: a mark that cannot be inherited
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, argv, env)
    spawn.prepare = functools.partial(_prepare_without_main, spawn.prepare)


def _prepare_without_main(prepare, data: dict) -> None:
    prepare({k: v for k, v in data.items() if k not in ("init_main_from_path", "init_main_from_name")})


# --- child side ------------------------------------------------------------------------
def _limit_self(limits: Limits) -> None:
    memory = limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = math.ceil(limits.timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_uncompressed_bytes, limits.max_uncompressed_bytes))


def _forked_child(workdir: str, wall_s: float) -> None:
    """A forked child: its own group and stdio, the work folder as home, then the parse."""
    if os.environ.get(_CLEAN_MARK) != str(os.getppid()):
        os._exit(1)  # the server kept the caller's environment (this module failed to import there)
    os.setsid()
    signal.alarm(math.ceil(wall_s) + 5)  # dies on its own should the parent die first
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # no way back to the server or the resource tracker
    null = os.open(os.devnull, os.O_RDWR)
    err = os.open(os.path.join(workdir, "stderr"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, target in ((0, null), (1, null), (2, err)):
        os.dup2(target, fd)
    os.close(null)
    os.close(err)
    os.chdir(workdir)
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    tempfile.tempdir = workdir
    try:
        code = _child(os.path.join(workdir, "request.json"))
    except MemoryError:  # said without allocating: the hoard may still be referenced
        os.write(2, b"\nMemoryError\n")
        os._exit(1)
    sys.exit(code)


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


_forkserver_hook()

if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))

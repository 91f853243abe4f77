"""Bounces: sisimai's test mails (../shared/corpus/sisimai/, with its expected.tsv) through
`reportbot inspect`'s code path, and the corpus's other bounces beside them.

    python bench/bounces.py [--corpus ../shared/corpus] [-v]

Prints, for the sisimai set: bounces detected/total, recipient right/total, permanent-vs-
temporary agreement/total, returned Message-ID found among bounces, feedback and auto-replies
classified right, false positives (a non-bounce read as one), exceptions, and the seconds per mail.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.intake.inspection import inspect_mail  # noqa: E402

OWN = {"baocao@example.gov.vn"}


def run(corpus: Path, verbose: bool) -> dict:
    folder = corpus / "sisimai"
    rows = defaultdict(list)
    with open(folder / "expected.tsv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows[r["file"]].append(r)
    n = dict(bounces=0, detected=0, rcpt_total=0, rcpt_right=0, perm_total=0, perm_right=0, with_ids=0,
             feedback=0, feedback_right=0, auto=0, auto_right=0, false_pos=0, exceptions=0)
    t0 = time.monotonic()
    for name, expected in sorted(rows.items()):
        try:
            got = inspect_mail((folder / name).read_bytes(), source=name, own_addresses=OWN,
                               own_message_id_domain="example.gov.vn")
        except Exception as exc:  # noqa: BLE001 - counted, never stops the bench
            n["exceptions"] += 1
            print(f"! {name}: {type(exc).__name__}: {exc}")
            continue
        kind = expected[0]["kind"]
        if kind == "bounce":
            n["bounces"] += 1
            n["detected"] += got["kind"] == "bounce"
            found = {r["address"].lower(): r for r in (got["bounce"] or {}).get("recipients", [])}
            n["with_ids"] += bool((got["bounce"] or {}).get("returned_message_ids"))
            for e in expected:
                n["rcpt_total"] += 1
                hit = found.get(e["recipient"].lower())
                n["rcpt_right"] += hit is not None
                if e["permanent"] in ("true", "false"):
                    n["perm_total"] += 1
                    ok = hit is not None and hit["permanent"] == (e["permanent"] == "true")
                    n["perm_right"] += ok
                    if verbose and not ok:
                        print(f"  {name}: {e['recipient']} expected permanent={e['permanent']}, got "
                              f"{hit['permanent'] if hit else 'no recipient'}")
            if verbose and got["kind"] != "bounce":
                print(f"  {name}: not detected ({got['kind']}: {got['reason']})")
        elif kind == "feedback":
            n["feedback"] += 1
            n["feedback_right"] += got["kind"] == "feedback"
        elif kind == "auto_reply":
            n["auto"] += 1
            n["auto_right"] += got["kind"] == "auto_reply"
        else:
            n["false_pos"] += got["kind"] == "bounce"
    n["seconds_per_mail"] = (time.monotonic() - t0) / max(1, len(rows))
    return n


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    p.add_argument("-v", action="store_true", help="list every miss")
    a = p.parse_args(argv)
    if not (a.corpus / "sisimai" / "expected.tsv").exists():
        print(f"no sisimai corpus under {a.corpus}")
        return 1
    n = run(a.corpus, a.v)

    def pct(x, y):
        return f"{x}/{y} ({100 * x / y:.1f} %)" if y else "-"
    print(f"bounces detected            {pct(n['detected'], n['bounces'])}")
    print(f"recipient right             {pct(n['rcpt_right'], n['rcpt_total'])}")
    print(f"permanent vs temporary      {pct(n['perm_right'], n['perm_total'])}")
    print(f"returned Message-ID found   {pct(n['with_ids'], n['bounces'])} of the bounces (any quoted id)")
    print(f"feedback reports right      {pct(n['feedback_right'], n['feedback'])}")
    print(f"auto-replies right          {pct(n['auto_right'], n['auto'])}")
    print(f"false positives             {n['false_pos']}")
    print(f"exceptions                  {n['exceptions']}")
    print(f"time per mail               {n['seconds_per_mail'] * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

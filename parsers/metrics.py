"""Metrics the contract names, read from what agencies write in I.5–I.7.

Every figure with a unit (%, đồng, lượt, điểm; see figures.py) is classified by
the words around it: a keyword right after it ("45 triệu lượt xem") or else the
nearest keyword before it in its clause, so one sentence stating views and
interactions yields both. Brackets between a keyword and its figure ("lượt
tương tác (thích, bình luận, chia sẻ) đạt …") are read past. Tables are read
row by row (metric_tables.py). Each statement is emitted with its evidence, so
a report covering several press agencies yields several values.
"""
from __future__ import annotations

import re

from parsers.figures import Mention, clean_value, mentions, parse_number
from parsers.metric_tables import split_tables, table_statements
from parsers.model import Outline
from parsers.report import Metric, Section
from parsers.vietnamese import fold

__all__ = ["extract_metrics", "metrics_in", "classify", "sentences", "mentions", "parse_number", "LEVELS"]

LEVELS = {"yếu": 1, "kém": 1, "trung bình": 2, "khá": 3, "tốt": 4, "xuất sắc": 5}
_LEVEL = re.compile(
    r"(?:mức độ|mức|xếp loại|loại|cấp độ|đạt)\s*(?:trưởng thành\s*)?(?:chuyển đổi số\s*)?(?:báo chí\s*)?"
    r"(?:đạt\s*)?(?:mức\s*)?(?:[:\-–]\s*)?(?:\"|“)?(xuất sắc|trung bình|khá|tốt|yếu|kém|\d\b(?![.,]\d))"
)
# Keywords that name what a count of "lượt" is; the nearest one before a figure wins.
_COUNT_WORDS = {
    "views": ("lượt xem", "lượt truy cập", "lượt đọc", "lượt view", "lượt nghe", "lượt tiếp cận", "pageview",
              "lượt hiển thị", "lượng truy cập", "lượng view", "lượt người xem", "lượng xem", "lượng người xem",
              "lượng người đọc", "truy cập", "lượt xem video"),
    "interactions": ("tương tác", "engagement"),
    "other": ("lượt học viên", "lượt người", "lượt phóng viên", "lượt cán bộ", "học viên", "tập huấn"),
}
_VIEW_AFTER = re.compile(r"^\s*(\([^)]*\)\s*)?(xem|truy cập|đọc|view|nghe|tiếp cận|hiển thị|người xem|pageview)")
_INTERACTION_AFTER = re.compile(r"^\s*(\([^)]*\)\s*)?(tương tác|engagement)")
_OTHER_AFTER = re.compile(r"^\s*(học viên|người|phóng viên|cán bộ|đại biểu|thí sinh|tập huấn)")
_MONEY_WORDS = {
    "revenue": ("doanh thu", "nguồn thu", "doanh số"),
    "total": ("tổng doanh thu", "tổng nguồn thu"),
    "cost": ("chi phí", "kinh phí", "đầu tư", "vốn", "ngân sách", "mua sắm", "chi "),
}
_READER_WORDS = ("độc giả", "bạn đọc", "người đọc", "khán giả", "thính giả", "người dùng", "người theo dõi",
                 "lượt truy cập", "lượng truy cập", "lượt xem", "lượt đọc", "view", "lượng người", "follow",
                 "lượt nghe", "truy cập")
_PER_PERIOD = re.compile(r"^\s*(/\s*(ngày|tháng|tuần)|mỗi ngày|một ngày|mỗi tháng|mỗi tuần|/ ?day)")
_DIGITAL = ("báo chí số", "nền tảng số", "điện tử", "trực tuyến", "kỹ thuật số", "nội dung số", "sản phẩm số",
            "digital", "online", "mạng xã hội", "số hóa", "doanh thu số", "hoạt động số")
_CLAUSE = re.compile(r"[;]|, trong đó|\btrong đó\b")
_BRACKETS = re.compile(r"\([^()]*\)")


def nearest(before: str, words: dict[str, tuple[str, ...]]) -> str | None:
    """The kind whose keyword ends closest to the end of `before` (the longer one on a tie)."""
    best, best_key = None, (-1, 0)
    for kind, ws in words.items():
        for w in ws:
            p = before.rfind(w)
            if p >= 0 and (p + len(w), len(w)) > best_key:
                best, best_key = kind, (p + len(w), len(w))
    return best


def _masked(f: str, m: Mention) -> str:
    """`f` with bracketed asides blanked (positions kept), except the one holding the figure."""
    return _BRACKETS.sub(lambda b: b.group(0) if b.start() <= m.start < b.end() else " " * len(b.group(0)), f)


def classify(f: str, m: Mention, default: tuple[str, ...], prev_end: int = 0) -> str | None:
    """Which contract metric a mention states, from the folded sentence `f` around it.

    prev_end: where the previous figure of the sentence ended; a keyword before it
    belongs to that figure unless nothing nearer names this one.
    """
    g = _masked(f, m)
    before, after = g[max(0, m.start - 160):m.start], f[m.end:m.end + 40]
    clause = _CLAUSE.split(before)[-1]
    own = g[max(prev_end, m.start - 160):m.start]
    own = _CLAUSE.split(own)[-1] if len(own) < len(clause) else clause
    if m.unit == "lượt":
        return _classify_count(clause, own, after, before)
    if m.unit == "VND":
        if "doanh thu" not in f and "nguồn thu" not in f and "doanh số" not in f:
            return None
        kind = nearest(own, _MONEY_WORDS) or nearest(clause, _MONEY_WORDS)
        if kind == "total" and not any(d in clause[clause.rfind("tổng"):] for d in _DIGITAL):
            return None
        if kind == "revenue" and _whole_before_its_part(own, f[m.end:]):
            return None
        return "digital_revenue_vnd" if kind in ("revenue", "total") else None
    if m.unit == "%":
        return _classify_pct(f, before, after, clause, default)
    if m.unit.startswith("điểm") and ("trưởng thành" in f or "maturity_score" in default):
        return "maturity_score"
    return None


def _whole_before_its_part(own: str, rest: str) -> bool:
    """"Doanh thu năm 2024 đạt 45 tỷ đồng, trong đó doanh thu số đạt 15 tỷ đồng": the first
    figure is the whole revenue, the digital part follows."""
    m = re.match(r"[^;.]{0,30}?\btrong đó\b([^;.]*)", rest)
    return bool(m) and any(d in m.group(1) for d in _DIGITAL) and not any(d in own for d in _DIGITAL)


def _implied_unit(f: str, m: Mention, prev_end: int) -> str:
    """The unit of a figure written without one, from the keyword just before it:
    "lượt tương tác … đạt hơn 15 triệu" counts lượt, "doanh thu … đạt 18,7 tỷ" is money."""
    own = _CLAUSE.split(_masked(f, m)[max(prev_end, m.start - 80):m.start])[-1]
    if nearest(own, _COUNT_WORDS) in ("views", "interactions"):
        return "lượt"
    if m.scaled and nearest(own, _MONEY_WORDS) in ("revenue", "total"):
        return "VND"
    return ""


def _classify_count(clause: str, own: str, after: str, before: str) -> str | None:
    if _PER_PERIOD.search(after) or re.search(r"(trung bình|bình quân)[^,;]*$", clause):
        return None  # a daily/monthly average, not the period total
    if _INTERACTION_AFTER.search(after):
        return "interactions"
    if _VIEW_AFTER.search(after):
        return "views"
    if _OTHER_AFTER.search(after):
        return None
    # "…; trên TikTok đạt 120 triệu lượt": a clause naming no count takes the sentence's last one
    kind = nearest(own, _COUNT_WORDS) or nearest(clause[-120:], _COUNT_WORDS) or nearest(before, _COUNT_WORDS)
    return kind if kind in ("views", "interactions") else None


def _classify_pct(f: str, before: str, after: str, clause: str, default: tuple[str, ...]) -> str | None:
    near = clause[-60:]
    revenue_subject = _last_subject(before)
    if "tổng doanh thu" in after[:30] or "/tổng" in near or "chiếm" in near[-25:] or "tỷ trọng" in near:
        return "digital_revenue_share_pct" if "doanh thu" in f else None
    growing = re.search(r"(tăng|tăng trưởng|giảm)[^,;]{0,40}$", near)
    if not growing:
        if re.match(r"\s*(so với )?(kế hoạch|chỉ tiêu)", after):
            return None  # "đạt 105% kế hoạch": plan completion
        # "bằng 110% so với năm 2023" is a ratio to last year, no growth figure
        ratio = re.search(r"(bằng|đạt)\s*(khoảng|gần|hơn|trên)?\s*$", near) and "so với" in after[:20]
        if ratio or "so với" not in after[:20]:
            return "digital_revenue_share_pct" if "tỷ lệ" in near and "doanh thu" in f and not ratio else None
    if revenue_subject == "revenue":
        total = clause.rfind("tổng doanh thu")
        if total >= 0 and not any(d in clause[total:] for d in _DIGITAL):
            return None  # the whole revenue grew, not the digital part
        return "digital_revenue_growth_pct"
    if revenue_subject == "readers":
        return "reader_growth_pct"
    if "digital_revenue_growth_pct" in default:
        return "digital_revenue_growth_pct"
    if "reader_growth_pct" in default:
        return "reader_growth_pct"
    return None


def _last_subject(before: str) -> str | None:
    rev = max(before.rfind("doanh thu"), before.rfind("nguồn thu"))
    rd = max(before.rfind(w) for w in _READER_WORDS)
    if rev < 0 and rd < 0:
        return None
    return "revenue" if rev > rd else "readers"


# A colon ends a sentence only before a line break or a list ("mức độ trưởng thành: Khá" is one).
_SENT = re.compile(r"(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ\-–+•\d])|(?<=:)\s+(?=[\-–+•])|(?<=[.!?;:])\n+")


def sentences(text: str) -> list[str]:
    """Sentences; a line break without punctuation before it (a broken paragraph) does not end one."""
    return [" ".join(s.split()) for s in _SENT.split(text) if s.strip()]


def _sign(f: str, m: Mention) -> float:
    return -1.0 if re.search(r"giảm[^,;]{0,25}$", f[max(0, m.start - 30):m.start]) else 1.0


def _statement_metrics(sent: str, evidence: str, section: str | None, default: tuple[str, ...],
                       wanted: set[str] | None) -> list[Metric]:
    out: list[Metric] = []
    f = fold(sent)
    prev_end = 0
    for m in mentions(f, bare=True):
        if not m.unit:
            m.unit = _implied_unit(f, m, prev_end)
            if not m.unit:
                prev_end = m.end
                continue
        name = classify(f, m, default, prev_end)
        prev_end = m.end
        if name is None or (wanted is not None and name not in wanted):
            continue
        v = m.value * (_sign(f, m) if m.unit == "%" else 1)
        out.append(Metric(name, clean_value(v), m.unit, section, evidence))
    if ("trưởng thành" in f or "maturity_level" in default) and (wanted is None or "maturity_level" in wanted):
        for lm in _LEVEL.finditer(f):
            word = lm.group(1)
            rank = int(word) if word.isdigit() else LEVELS[word]
            if 1 <= rank <= 5:
                out.append(Metric("maturity_level", rank, "level", section, evidence))
    return out


def metrics_in(text: str, section: str | None, default: tuple[str, ...], wanted: set[str] | None = None,
               year: int | None = None) -> list[Metric]:
    """Every metric stated in a section's text: its sentences, then its tables row by row."""
    out: list[Metric] = []
    for part in split_tables(text):
        if part.rows is None:
            for sent in sentences(part.text):
                out += _statement_metrics(sent, sent, section, default, wanted)
            continue
        for cell in part.prose_cells():
            for sent in sentences(cell):
                out += _statement_metrics(sent, sent, section, default, wanted)
        for st in table_statements(part, year):
            out += _statement_metrics(st.text, st.evidence, section, default, wanted)
    return out


def extract_metrics(sections: list[Section], outline: Outline, appendices: list[str] = ()) -> list[Metric]:
    """Metrics from the sections that ask for them (and their parents), then elsewhere for the rest,
    then from appendices (section None: their figures belong to no section)."""
    by_id = {s.id: s for s in sections}
    year = outline.year
    home: dict[str, tuple[str, ...]] = {}
    for n in outline.nodes:
        if n.metrics:
            home[n.id] = tuple(n.metrics)
            parent = n.parent_id
            while parent:
                home[parent] = home.get(parent, ()) + tuple(n.metrics)
                parent = parent.rsplit(".", 1)[0] if "." in parent else None
    out: list[Metric] = []
    for sid, default in home.items():
        s = by_id.get(sid)
        if s is not None and s.found and s.text:
            own = default if outline.node(sid).metrics else ()
            out.extend(metrics_in(s.text, sid, own, year=year))
    wanted = {m for d in home.values() for m in d} - {m.name for m in out}
    if wanted:
        for s in sections:
            if s.found and s.text and s.id not in home:
                out.extend(metrics_in(s.text, s.id, (), wanted, year=year))
    for text in appendices:
        out.extend(metrics_in(text, None, (), year=year))
    return _dedupe(out)


def _dedupe(ms: list[Metric]) -> list[Metric]:
    seen, out = set(), []
    for m in ms:
        key = (m.name, m.value, m.evidence)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out

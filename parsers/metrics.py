"""Metrics the contract names, read from what agencies write in I.5–I.7.

Vietnamese numbers use "." for thousands and "," for decimals ("1.234.567",
"45,6 tỷ đồng", "1,2 tỷ lượt", "12,5%"). Every number with a unit (%, đồng,
lượt, điểm) is classified by the words around it; each statement is emitted
with its sentence as evidence, so a report covering several press agencies
yields several values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.blocks import fold
from parsers.model import Outline
from parsers.report import Metric, Section

_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_MULT = r"(nghìn tỷ|ngàn tỷ|tỷ|tỉ|triệu|nghìn|ngàn|trăm nghìn)"
_MENTION = re.compile(rf"(?<![\d/.,])({_NUM})(?:\s*{_MULT})?\s*(%|phần trăm|đồng|vnđ|vnd|đ\b|lượt|điểm|/\s*100\b|/\s*1000\b)?")
_MULTS = {"nghìn tỷ": 1e12, "ngàn tỷ": 1e12, "tỷ": 1e9, "tỉ": 1e9, "triệu": 1e6, "nghìn": 1e3, "ngàn": 1e3,
          "trăm nghìn": 1e5}
LEVELS = {"yếu": 1, "kém": 1, "trung bình": 2, "khá": 3, "tốt": 4, "xuất sắc": 5}
_LEVEL = re.compile(
    r"(?:mức độ|mức|xếp loại|loại|cấp độ|đạt)\s*(?:trưởng thành\s*)?(?:chuyển đổi số\s*)?(?:báo chí\s*)?"
    r"(?:đạt\s*)?(?:mức\s*)?(?:[:\-–]\s*)?(?:\"|“)?(xuất sắc|trung bình|khá|tốt|yếu|kém|\d\b)"
)
_VIEW_WORDS = ("lượt xem", "lượt truy cập", "lượt đọc", "lượt view", "lượt nghe", "lượt tiếp cận", "pageview",
               "lượt hiển thị", "lượng truy cập", "lượng view", "lượt người xem")
_READER_WORDS = ("độc giả", "bạn đọc", "người đọc", "khán giả", "thính giả", "người dùng", "người theo dõi",
                 "lượt truy cập", "lượng truy cập", "lượt xem", "lượt đọc", "view", "lượng người", "follow")
_PER_PERIOD = re.compile(r"^\s*(/\s*(ngày|tháng|tuần)|mỗi ngày|một ngày|mỗi tháng|mỗi tuần|/ ?day)")
_DIGITAL = ("báo chí số", "nền tảng số", "điện tử", "trực tuyến", "kỹ thuật số", "nội dung số", "sản phẩm số",
            "digital", "online", "mạng xã hội", "số hóa")


@dataclass
class Mention:
    value: float
    unit: str  # % | VND | lượt | điểm
    start: int
    end: int


def parse_number(s: str) -> float:
    """Vietnamese (and stray English) number text → float: "1.234.567" → 1234567, "45,6" → 45.6."""
    s = s.strip()
    dots, commas = s.count("."), s.count(",")
    if dots and commas:  # the later separator is the decimal one
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        th = "." if dec == "," else ","
        return float(s.replace(th, "").replace(dec, "."))
    sep = "." if dots else ("," if commas else "")
    if not sep:
        return float(s)
    groups = s.split(sep)
    if len(groups) > 2 or (sep == "." and len(groups[1]) == 3):
        return float(s.replace(sep, ""))  # thousands separators
    return float(s.replace(sep, "."))


def mentions(sentence: str) -> list[Mention]:
    out = []
    for m in _MENTION.finditer(sentence):
        num, mult, unit = m.group(1), m.group(2), m.group(3)
        if not unit:
            continue
        try:
            v = parse_number(num) * (_MULTS[mult] if mult else 1)
        except ValueError:
            continue
        if unit in ("%", "phần trăm"):
            u = "%"
        elif unit in ("đồng", "vnđ", "vnd", "đ"):
            u = "VND"
        elif unit == "lượt":
            u = "lượt"
        else:
            u = "điểm"
            if unit.startswith("/"):
                u = "điểm/" + unit.replace("/", "").strip()
        out.append(Mention(v, u, m.start(), m.end()))
    return out


def _clean_value(v: float) -> float | int:
    return int(round(v)) if abs(v - round(v)) < 1e-6 else round(v, 4)


def classify(f: str, m: Mention, default: tuple[str, ...]) -> str | None:
    """Which contract metric a mention states, from the folded sentence `f` around it."""
    before, after = f[max(0, m.start - 120):m.start], f[m.end:m.end + 40]
    clause = re.split(r"[;]|, trong đó|\btrong đó\b", before)[-1]
    if m.unit == "lượt":
        if _PER_PERIOD.search(after) or re.search(r"(trung bình|bình quân)[^,;]*$", clause):
            return None  # a daily/monthly average, not the period total
        word = after[:25]
        if "tương tác" in word or ("tương tác" in clause[-40:] and not any(w in word for w in _VIEW_WORDS)):
            return "interactions"
        if any(w.split()[-1] in word for w in _VIEW_WORDS) or any(w in clause[-60:] for w in _VIEW_WORDS):
            return "views"
        return None
    if m.unit == "VND":
        if "doanh thu" not in f and "nguồn thu" not in f:
            return None
        near = clause[-80:]
        if "tổng doanh thu" in near and not any(d in near for d in _DIGITAL):
            return None
        if "chi phí" in near or "đầu tư" in near[-40:] or "kinh phí" in near:
            return None
        return "digital_revenue_vnd"
    if m.unit == "%":
        return _classify_pct(f, before, after, clause, default)
    if m.unit.startswith("điểm") and ("trưởng thành" in f or "maturity_score" in default):
        return "maturity_score"
    return None


def _classify_pct(f: str, before: str, after: str, clause: str, default: tuple[str, ...]) -> str | None:
    near = clause[-60:]
    revenue_subject = _last_subject(before)
    if "tổng doanh thu" in after[:30] or "/tổng" in near or "chiếm" in near[-25:] or "tỷ trọng" in near:
        return "digital_revenue_share_pct" if "doanh thu" in f else None
    growing = re.search(r"(tăng|tăng trưởng|giảm)[^,;]{0,40}$", near)
    if not growing and "so với" not in after[:20]:
        if "tỷ lệ" in near and "doanh thu" in f:
            return "digital_revenue_share_pct"
        return None
    if revenue_subject == "revenue":
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


_SENT = re.compile(r"(?<=[.!?;:])\s+(?=[A-ZĐÀ-Ỹ\-–+•\d])|(?<=[.!?;:])\n+")


def sentences(text: str) -> list[str]:
    """Sentences; a line break without punctuation before it (a broken paragraph) does not end one."""
    return [" ".join(s.split()) for s in _SENT.split(text) if s.strip()]


def _sign(f: str, m: Mention) -> float:
    return -1.0 if re.search(r"giảm[^,;]{0,25}$", f[max(0, m.start - 30):m.start]) else 1.0


def metrics_in(text: str, section: str, default: tuple[str, ...], wanted: set[str] | None = None) -> list[Metric]:
    out: list[Metric] = []
    for sent in sentences(text):
        f = fold(sent)
        for m in mentions(f):
            name = classify(f, m, default)
            if name is None or (wanted is not None and name not in wanted):
                continue
            v = m.value * (_sign(f, m) if m.unit == "%" else 1)
            unit = {"%": "%", "VND": "VND", "lượt": "lượt"}.get(m.unit, m.unit)
            out.append(Metric(name, _clean_value(v), unit, section, sent))
        for lm in _LEVEL.finditer(f):
            if "trưởng thành" not in f and "maturity_level" not in default:
                continue
            if wanted is not None and "maturity_level" not in wanted:
                continue
            word = lm.group(1)
            rank = int(word) if word.isdigit() else LEVELS[word]
            if 1 <= rank <= 5:
                out.append(Metric("maturity_level", rank, "level", section, sent))
                break
    return out


def extract_metrics(sections: list[Section], outline: Outline) -> list[Metric]:
    """Metrics from the sections that ask for them (and their parents), then elsewhere for the rest."""
    by_id = {s.id: s for s in sections}
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
            out.extend(metrics_in(s.text, sid, own))
    wanted = {m for d in home.values() for m in d} - {m.name for m in out}
    if wanted:
        for s in sections:
            if s.found and s.text and s.id not in home:
                out.extend(metrics_in(s.text, s.id, (), wanted))
    return _dedupe(out)


def _dedupe(ms: list[Metric]) -> list[Metric]:
    seen, out = set(), []
    for m in ms:
        key = (m.name, m.value, m.evidence)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out

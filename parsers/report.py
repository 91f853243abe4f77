"""ParsedReport: what a parse returns, and its `reportbot parse` JSON/text forms."""
from __future__ import annotations

from dataclasses import dataclass, field

from parsers.document import DocumentFacts
from parsers.model import Outline


@dataclass
class Section:
    id: str
    found: bool = False
    heading: str | None = None
    text: str = ""
    confidence: float = 0.0

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "found": self.found,
            "heading": self.heading,
            "text": self.text,
            "confidence": round(self.confidence, 2),
        }


@dataclass
class Metric:
    name: str
    value: float | int | None
    unit: str
    section: str | None
    evidence: str

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "section": self.section,
            "evidence": self.evidence,
        }


@dataclass
class ParsedReport:
    source: str
    format: str
    outline: str
    sections: list[Section]
    ocr: bool = False
    encoding_fixed: str | None = None
    metrics: list[Metric] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    required: tuple[str, ...] = ()  # ids of required outline nodes, in order
    pages: int | None = None
    conversion: str | None = None  # e.g. "doc→docx (LibreOffice)" when a legacy file was converted
    document: DocumentFacts = field(default_factory=DocumentFacts)

    def section(self, node_id: str) -> Section:
        for s in self.sections:
            if s.id == node_id:
                return s
        raise KeyError(node_id)

    @property
    def missing(self) -> list[str]:
        """Required nodes not found; a parent counts found when all its children were."""
        found = {s.id for s in self.sections if s.found}
        ids = [s.id for s in self.sections]
        out = []
        for node_id in self.required:
            if node_id in found:
                continue
            kids = [i for i in ids if i.rsplit(".", 1)[0] == node_id and "." in i]
            if kids and all(k in found for k in kids):
                continue
            out.append(node_id)
        return out

    @property
    def completeness(self) -> float:
        if not self.required:
            return 1.0 if any(s.found for s in self.sections) else 0.0
        return round(1 - len(self.missing) / len(self.required), 2)

    def to_json(self) -> dict:
        """Exactly the `reportbot parse --format json` contract (plus pages, conversion)."""
        return {
            "source": self.source,
            "format": self.format,
            "ocr": self.ocr,
            "encoding_fixed": self.encoding_fixed,
            "outline": self.outline,
            "sections": [s.to_json() for s in self.sections],
            "missing": self.missing,
            "completeness": self.completeness,
            "metrics": [m.to_json() for m in self.metrics],
            "warnings": list(self.warnings),
            "document": self.document.to_json(),
            "pages": self.pages,
            "conversion": self.conversion,
        }


def empty_report(source: str, fmt: str, outline: Outline, warnings: list[str]) -> ParsedReport:
    """The result for a file that could not be read: found=false everywhere."""
    return ParsedReport(
        source=source,
        format=fmt,
        outline=outline.code,
        sections=[Section(id=n.id) for n in outline.nodes],
        warnings=list(warnings),
        required=tuple(n.id for n in outline.nodes if n.required),
    )


def _preview(text: str, width: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1] + "…"


def format_text(report: dict, width: int = 100) -> str:
    """Human-readable summary of a parse result (the contract dict) for `--format text`."""
    lines = [
        f"{report['source']}  [{report['format']}{', OCR' if report['ocr'] else ''}"
        f"{', ' + report['encoding_fixed'] if report['encoding_fixed'] else ''}]  "
        f"outline {report['outline']}  completeness {report['completeness']:.0%}",
    ]
    for s in report["sections"]:
        mark = "✓" if s["found"] else "✗"
        depth = s["id"].count(".")
        head = _preview(s["heading"] or "—", width - 12 - 2 * depth)
        lines.append(f"{'  ' * depth}{mark} {s['id']:<6} {head}")
        if s["found"] and s["text"]:
            lines.append(f"{'  ' * depth}         {_preview(s['text'], width - 9 - 2 * depth)}")
    if report["missing"]:
        lines.append("Thiếu: " + ", ".join(report["missing"]))
    for m in report["metrics"]:
        lines.append(f"  {m['name']} = {m['value']} {m['unit']} ({m['section']}): {_preview(m['evidence'], 60)}")
    lines += _document_lines(report.get("document") or {})
    for w in report["warnings"]:
        lines.append(f"! {w}")
    return "\n".join(lines)


def _document_lines(doc: dict) -> list[str]:
    """The document's own facts, in Vietnamese, for `--format text`."""
    said = [f"{label}: {doc[key]}" for key, label in (("type", "Loại"), ("number", "Số"), ("date", "Ngày"),
                                                        ("place", "Nơi ban hành"), ("issuer", "Cơ quan"),
                                                        ("subject", "Trích yếu")) if doc.get(key)]
    signer = doc.get("signer") or {}
    if any(signer.values()):
        said.append("Người ký: " + ", ".join(v for v in (signer.get("authority"), signer.get("position"),
                                                          signer.get("name")) if v))
    if doc.get("cites"):
        said.append("Văn bản dẫn chiếu: " + ", ".join(doc["cites"]))
    for sig in doc.get("signatures") or ():
        state = "còn nguyên vẹn" if sig.get("intact") else "đã bị thay đổi"
        said.append(f"Chữ ký số {sig.get('field')}: {sig.get('signer') or '?'}, {state}"
                    + ("" if sig.get("covers_whole_file") else ", có nội dung thêm sau khi ký")
                    + (", tin cậy" if sig.get("trusted") else ", chưa xác thực được nguồn"))
    return ["Văn bản: " + "; ".join(said)] if said else []

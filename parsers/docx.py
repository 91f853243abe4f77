"""DOCX → blocks, straight from the package XML.

python-docx misses text in content controls, text boxes, tracked insertions and
fields, and refuses Strict OOXML and non-standard part names, all of which
agencies send. So we read word/document.xml (located through the package
relationships) with a hardened lxml parser, compute Word auto-numbering labels,
and keep the layout clues outline matching needs (style level, bold, size).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from parsers.blocks import PARAGRAPH, TABLE, Block, clean, decode_legacy
from parsers.docx_numbering import Numbering, W

STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
TRANSITIONAL_W = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT_R = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
_TRANS_R = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIP = {W + "del", W + "moveFrom", W + "delText", W + "instrText", MC + "Fallback",
         W + "rPr", W + "pPr", W + "footnoteReference", W + "commentReference"}
_LEGACY_FONT = re.compile(r"^\.?vn|^vni[-_ ]", re.I)
_HEADING_STYLE = re.compile(r"(heading|tiêu đề|titre|überschrift|berschrift)\s*(\d)", re.I)


class DocxError(ValueError):
    """The file is not a readable Word document; the message says why."""


class Limits:  # minimal view of parsers.Limits used here
    max_unzipped = 200 * 1024 * 1024
    max_ratio = 200


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False, remove_comments=True, remove_pis=True)


def _xml(data: bytes):
    data = data.replace(STRICT_W, TRANSITIONAL_W).replace(_STRICT_R, _TRANS_R)
    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data[:5000]:
        raise DocxError("DOCX part declares a DTD/entities (XXE or entity bomb) — refused")
    try:
        return etree.fromstring(data.lstrip(b"\xef\xbb\xbf \r\n\t"), _PARSER)
    except etree.XMLSyntaxError as e:
        raise DocxError(f"DOCX XML is malformed: {e}") from None


@dataclass
class Style:
    name: str = ""
    level: int | None = None
    bold: bool | None = None
    size: float | None = None
    font: str = ""
    num: tuple[str, int] | None = None
    based_on: str = ""


@dataclass
class Package:
    zf: zipfile.ZipFile
    main: str
    styles: dict[str, Style] = field(default_factory=dict)
    numbering: Numbering = field(default_factory=Numbering)
    default_font: str = ""
    legacy_used: set[str] = field(default_factory=set)
    encoding: str | None = None

    def read(self, name: str, limit: int) -> bytes | None:
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            return None
        if info.file_size > limit:
            raise DocxError(f"DOCX part {name} is {info.file_size} bytes unpacked — over the limit")
        if info.compress_size and info.file_size / max(info.compress_size, 1) > Limits.max_ratio:
            raise DocxError(f"DOCX part {name} has compression ratio over {Limits.max_ratio} (zip bomb) — refused")
        return self.zf.read(name)


def _rels(pkg_zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """rId → (type suffix, target path) for a part."""
    d, base = posixpath.split(part)
    rel_name = posixpath.join(d, "_rels", base + ".rels")
    try:
        data = pkg_zf.read(rel_name)
    except KeyError:
        return {}
    out = {}
    for r in _xml(data):
        target = r.get("Target", "")
        if r.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        out[r.get("Id", "")] = (r.get("Type", "").rsplit("/", 1)[-1], path)
    return out


def open_package(data_io, max_unzipped: int) -> Package:
    try:
        zf = zipfile.ZipFile(data_io)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise DocxError(f"not a readable ZIP/DOCX package ({e})") from None
    if sum(i.file_size for i in infos) > max_unzipped:
        raise DocxError("DOCX unpacks to more than the size limit (zip bomb) — refused")
    main = next((p for t, p in _rels(zf, "").values() if t == "officeDocument"), None)
    names = set(zf.namelist())
    if main is None or main not in names:
        main = "word/document.xml" if "word/document.xml" in names else None
    if main is None:
        raise DocxError("no main document part in the package (not a Word document)")
    pkg = Package(zf, main)
    rels = _rels(zf, main)
    for typ, path in rels.values():
        if typ == "styles":
            data = pkg.read(path, max_unzipped)
            if data:
                _load_styles(pkg, _xml(data))
        elif typ == "numbering":
            data = pkg.read(path, max_unzipped)
            if data:
                pkg.numbering = Numbering.from_xml(_xml(data))
    return pkg


def _on(el) -> bool:
    return el is not None and el.get(W + "val", "true") not in ("0", "false", "off", "none")


def _load_styles(pkg: Package, root) -> None:
    rf = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    if rf is not None:
        pkg.default_font = rf.get(W + "ascii") or rf.get(W + "hAnsi") or ""
    for st in root.iter(W + "style"):
        sid = st.get(W + "styleId", "")
        name = st.find(W + "name")
        s = Style(name=(name.get(W + "val", "") if name is not None else sid))
        m = _HEADING_STYLE.search(s.name) or _HEADING_STYLE.search(sid)
        if m:
            s.level = int(m.group(2))
        elif s.name.lower() == "title":
            s.level = 0
        ppr, rpr = st.find(W + "pPr"), st.find(W + "rPr")
        if ppr is not None:
            ol = ppr.find(W + "outlineLvl")
            if ol is not None and s.level is None and ol.get(W + "val", "9").isdigit() and int(ol.get(W + "val")) < 9:
                s.level = int(ol.get(W + "val")) + 1
            np_ = ppr.find(W + "numPr")
            if np_ is not None:
                nid = np_.find(W + "numId")
                il = np_.find(W + "ilvl")
                if nid is not None:
                    s.num = (nid.get(W + "val", ""), _int(il.get(W + "val") if il is not None else "0"))
        if rpr is not None:
            if rpr.find(W + "b") is not None:
                s.bold = _on(rpr.find(W + "b"))
            sz = rpr.find(W + "sz")
            if sz is not None:
                s.size = _int(sz.get(W + "val")) / 2 or None
            f = rpr.find(W + "rFonts")
            if f is not None:
                s.font = f.get(W + "ascii") or f.get(W + "hAnsi") or ""
        bo = st.find(W + "basedOn")
        s.based_on = bo.get(W + "val", "") if bo is not None else ""
        pkg.styles[sid] = s


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def style_chain(pkg: Package, sid: str):
    seen = set()
    while sid and sid in pkg.styles and sid not in seen:
        seen.add(sid)
        yield pkg.styles[sid]
        sid = pkg.styles[sid].based_on


def read_docx(data_io, max_unzipped: int = Limits.max_unzipped) -> tuple[list[Block], str | None, int | None]:
    """Blocks of a DOCX, the legacy encoding decoded (if any), and its page count."""
    from parsers.docx_body import body_blocks  # noqa: PLC0415

    pkg = open_package(data_io, max_unzipped)
    data = pkg.read(pkg.main, max_unzipped)
    if not data:
        raise DocxError("the main document part is empty")
    root = _xml(data)
    body = root.find(W + "body")
    if body is None:
        body = root
    blocks = body_blocks(pkg, body)
    return blocks, pkg.encoding, _page_count(pkg)


def _page_count(pkg: Package) -> int | None:
    try:
        data = pkg.zf.read("docProps/app.xml")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    m = re.search(rb"<(?:\w+:)?Pages>(\d+)<", data)
    return int(m.group(1)) if m else None


__all__ = ["read_docx", "DocxError", "Package", "style_chain", "PARAGRAPH", "TABLE", "clean",
           "decode_legacy", "_LEGACY_FONT", "_SKIP", "MC"]

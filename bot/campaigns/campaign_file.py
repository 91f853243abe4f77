"""The campaign file (TOML): parsed and validated into a typed object. Pure, no database."""
from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.campaigns.workdays import parse_days
from bot.core.errors import UserError
from parsers.model import Outline, OutlineNode

# The schedule a campaign file may leave out: the one place these defaults are written.
DEFAULT_REMIND_BEFORE = ("5d", "2d", "0d")
DEFAULT_OVERDUE_EVERY = "3d"
DEFAULT_OVERDUE_MAX = 3

METRIC_NAMES = frozenset({
    "views", "interactions", "reader_growth_pct", "digital_revenue_vnd", "digital_revenue_growth_pct",
    "digital_revenue_share_pct", "maturity_score", "maturity_level",
})
_NODE_ID = re.compile(r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _aware(v: datetime) -> datetime:
    if v.tzinfo is None:
        raise ValueError("expected a date-time with an offset, e.g. 2024-12-30T17:00:00+07:00")
    return v


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CampaignSection(_Model):
    code: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1)
    issued: date
    deadline: datetime
    timezone: str = "Asia/Ho_Chi_Minh"
    letter: str = ""
    attachments: list[str] = []
    reply_to: str

    _aware_deadline = field_validator("deadline")(_aware)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @field_validator("reply_to")
    @classmethod
    def _email(cls, v: str) -> str:
        if not _EMAIL.match(v):
            raise ValueError(f"{v!r} is not an e-mail address")
        return v


class ScheduleSection(_Model):
    dispatch_at: datetime
    remind_before: list[str] = list(DEFAULT_REMIND_BEFORE)
    overdue_every: str = DEFAULT_OVERDUE_EVERY
    overdue_max: int = Field(DEFAULT_OVERDUE_MAX, ge=0, le=20)
    escalate_on_overdue: int = Field(2, ge=0)
    # From this overdue reminder on, attach a "công văn đôn đốc" DOCX for the department to sign (0: never).
    formal_letter_on_overdue: int = Field(0, ge=0, le=20)
    digest_at: time = time(7, 30)
    reminder_at: time = time(8, 0)

    _aware_dispatch = field_validator("dispatch_at")(_aware)

    @field_validator("remind_before")
    @classmethod
    def _offsets(cls, v: list[str]) -> list[str]:
        for item in v:
            parse_days(item)
        return v

    @field_validator("overdue_every")
    @classmethod
    def _every(cls, v: str) -> str:
        if parse_days(v) < 1:
            raise ValueError("expected at least '1d'")
        return v

    @field_validator("digest_at", "reminder_at", mode="before")
    @classmethod
    def _hhmm(cls, v: Any) -> Any:
        if isinstance(v, str) and not re.match(r"^\d{1,2}:\d{2}$", v):
            raise ValueError(f"expected a time like '07:30', got {v!r}")
        return v


class OutlineItem(_Model):
    id: str
    title: str = Field(min_length=1)
    required: bool = True
    aliases: list[str] = []
    metrics: list[str] = []
    description: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _NODE_ID.match(v):
            raise ValueError(f"expected an id like 'I' or 'III.3', got {v!r}")
        return v

    @field_validator("metrics")
    @classmethod
    def _metrics(cls, v: list[str]) -> list[str]:
        for m in v:
            if m not in METRIC_NAMES:
                raise ValueError(f"unknown metric {m!r}; known: {', '.join(sorted(METRIC_NAMES))}")
        return v


class CampaignFile(_Model):
    campaign: CampaignSection
    schedule: ScheduleSection
    letter: dict[str, Any] = {}
    outline: list[OutlineItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _outline_tree(self) -> CampaignFile:
        seen: set[str] = set()
        for i, node in enumerate(self.outline):
            if node.id in seen:
                raise ValueError(f"outline[{i}].id: duplicate id {node.id!r}")
            parent = node.id.rsplit(".", 1)[0] if "." in node.id else None
            if parent is not None and parent not in seen:
                raise ValueError(f"outline[{i}].id: {node.id!r} comes before its parent {parent!r}")
            seen.add(node.id)
        return self

    def to_outline(self) -> Outline:
        return outline_from_dicts(self.campaign.code, [n.model_dump() for n in self.outline],
                                  year=self.campaign.deadline.year)


def outline_from_dicts(code: str, nodes: list[dict[str, Any]], *, year: int | None = None) -> Outline:
    """`year`: the year the reports account for (the deadline's), whose column a table's figures
    are read from."""
    return Outline(code=code, year=year, nodes=tuple(
        OutlineNode(
            id=n["id"], title=n["title"], required=n.get("required", True),
            aliases=tuple(n.get("aliases", ())), metrics=tuple(n.get("metrics", ())),
            description=n.get("description", ""),
        )
        for n in nodes
    ))


def _describe(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    return f"{loc}: {msg}" if loc else msg


def parse_campaign_text(text: str, source: str) -> CampaignFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"{source}: invalid TOML: {e}") from None
    try:
        return CampaignFile.model_validate(data)
    except ValidationError as e:
        raise UserError(f"{source}: {_describe(e.errors()[0])}") from None


def read_campaign_file(path: Path) -> CampaignFile:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: campaign file not found") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: campaign file is not UTF-8") from None
    return parse_campaign_text(text, str(path))

"""The one typed configuration object, loaded from TOML and validated at start-up.

Every key is documented with its default in config.example.toml. Secrets never
live in the TOML: they come from an environment variable or a file named there.
"""
from __future__ import annotations

import os
import ssl
import tomllib
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.errors import UserError

DEFAULT_CONFIG_NAME = "config.toml"
CONFIG_ENV = "REPORTBOT_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DatabaseConfig(_Section):
    url: str = "sqlite:///var/reportbot.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, v: str) -> str:
        if not (v.startswith("sqlite:") or v.startswith("postgresql")):
            raise ValueError("expected a sqlite:/// or postgresql+psycopg:// URL")
        return v


class StorageConfig(_Section):
    dir: str = "var"


class _Secrets(_Section):
    username: str = ""
    # Extra CA certificates (PEM) to trust, for servers with a private CA; empty: the system's.
    ca_file: str = ""
    password_env: str = ""
    password_file: str = ""

    def ssl_context(self):

        ctx = ssl.create_default_context()
        if self.ca_file:
            try:
                ctx.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as e:
                raise UserError(f"ca_file {self.ca_file}: cannot load CA certificates: {e}") from None
        return ctx

    def password(self) -> str:
        """Read the secret at the moment it is needed; never stored on the object."""
        if self.password_file:
            try:
                return Path(self.password_file).read_text(encoding="utf-8").strip()
            except OSError as e:
                raise UserError(f"cannot read password_file {self.password_file}: {e.strerror}") from None
        if self.password_env:
            return os.environ.get(self.password_env, "")
        return ""


class SmtpConfig(_Secrets):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "starttls"
    password_env: str = "REPORTBOT_SMTP_PASSWORD"
    from_: str = Field("Cục Báo chí <baocao@example.gov.vn>", alias="from")
    rate_per_minute: int = Field(60, ge=1)
    concurrency: int = Field(2, ge=1, le=32)
    timeout_seconds: float = Field(60, gt=0)
    max_attempts: int = Field(6, ge=1)
    save_to_sent: bool = False
    sent_folder: str = "Sent"

    @field_validator("from_")
    @classmethod
    def _valid_from(cls, v: str) -> str:
        name, addr = parseaddr(v)
        if "@" not in addr:
            raise ValueError("expected an address like 'Cục Báo chí <baocao@example.gov.vn>'")
        return v

    @property
    def from_address(self) -> Address:
        name, addr = parseaddr(self.from_)
        user, _, domain = addr.partition("@")
        return Address(display_name=name, username=user, domain=domain)


class ImapConfig(_Secrets):
    host: str = "localhost"
    port: int = Field(993, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "tls"
    password_env: str = "REPORTBOT_IMAP_PASSWORD"
    oauth2_token_command: str = ""
    folder: str = "INBOX"
    processed_folder: str = "reportbot/processed"
    quarantine_folder: str = "reportbot/quarantine"
    after_processing: Literal["move", "flag"] = "move"
    idle: bool = True
    poll_seconds: int = Field(60, ge=1)
    batch_size: int = Field(50, ge=1, le=1000)
    timeout_seconds: float = Field(60, gt=0)


class StaffConfig(_Section):
    digest_to: list[str] = ["staff@example.gov.vn"]

    @field_validator("digest_to")
    @classmethod
    def _addresses(cls, v: list[str]) -> list[str]:
        for a in v:
            if "@" not in parseaddr(a)[1]:
                raise ValueError(f"{a!r} is not an e-mail address")
        return v


class SecurityConfig(_Section):
    authserv_id: str = ""
    sender_policy: Literal["off", "record", "require"] = "record"
    acks_per_sender_per_day: int = Field(5, ge=0)


class IntakeConfig(_Section):
    # A temporary delivery failure (4.x.x, Action delayed, expired in a queue) keeps the address;
    # one failing temporarily for this many days since its first such failure is treated as dead.
    temporary_bounce_days: int = Field(4, ge=1, le=60)


class WebConfig(_Section):
    enabled: bool = False  # `reportbot run` also serves the console
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    base_url: str = ""  # as staff reach it (e.g. https://baocao.example.gov.vn), for links in the digest
    session_hours: float = Field(8, gt=0, le=24 * 30)
    # The cookie-signing secret: generated (owner-only) on first use; relative to the config's folder.
    # Empty: web-secret.key in the storage folder.
    secret_key_file: str = ""
    # Secure cookies: "auto" when the request came over https (or base_url is https), "always", "never".
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    login_failures: int = Field(5, ge=1)  # wrong passwords per user or address within login_window_seconds
    login_window_seconds: int = Field(60, ge=1)  # ... after which further attempts wait until it has passed


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    storage: StorageConfig = StorageConfig()
    smtp: SmtpConfig = SmtpConfig()
    imap: ImapConfig = ImapConfig()
    staff: StaffConfig = StaffConfig()
    security: SecurityConfig = SecurityConfig()
    intake: IntakeConfig = IntakeConfig()
    web: WebConfig = WebConfig()
    # Folder that relative paths are resolved against (the config file's folder).
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @property
    def storage_dir(self) -> Path:
        return _resolve(self.base_dir, self.storage.dir)

    @property
    def web_secret_path(self) -> Path:
        return _resolve(self.base_dir, self.web.secret_key_file) if self.web.secret_key_file \
            else self.storage_dir / "web-secret.key"

    @property
    def database_url(self) -> str:
        """The URL with a relative SQLite path resolved against base_dir."""
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
            return prefix + str(_resolve(self.base_dir, url[len(prefix):]))
        return url


def _resolve(base: Path, p: str) -> Path:
    path = Path(p).expanduser()
    return path if path.is_absolute() else (base / path)


def _describe(err: dict) -> str:
    loc = ".".join("from" if part == "from_" else str(part) for part in err["loc"])
    if err["type"] == "extra_forbidden":
        if str(err["loc"][-1]) in ("password", "token", "secret"):
            return f"{loc}: secrets are not read from the config file; use password_env or password_file"
        return f"{loc}: unknown key"
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = f" (got {value!r})" if value is not None and not isinstance(value, dict) else ""
    return f"{loc}: {msg}{shown}"


def _with_resolved_paths(cfg: Config) -> Config:
    """password_file and ca_file, like every path in the file, are relative to its folder."""
    updates = {}
    for name in ("smtp", "imap"):
        section = getattr(cfg, name)
        fixed = {k: str(_resolve(cfg.base_dir, getattr(section, k)))
                 for k in ("password_file", "ca_file") if getattr(section, k)}
        if fixed:
            updates[name] = section.model_copy(update=fixed)
    return cfg.model_copy(update=updates) if updates else cfg


def parse_config(data: dict, *, source: str, base_dir: Path) -> Config:
    try:
        cfg = Config.model_validate({**data, "base_dir": base_dir})
    except ValidationError as e:
        first = e.errors()[0]
        raise UserError(f"{source}: {_describe(first)}") from None
    return _with_resolved_paths(cfg)


def config_path(explicit: str | Path | None) -> Path | None:
    """--config, else $REPORTBOT_CONFIG, else ./config.toml if present, else None (defaults)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    local = Path.cwd() / DEFAULT_CONFIG_NAME
    return local if local.exists() else None


def load_config(explicit: str | Path | None = None) -> Config:
    path = config_path(explicit)
    if path is None:
        return parse_config({}, source="defaults", base_dir=Path.cwd())
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: config file not found") from None
    except OSError as e:
        raise UserError(f"{path}: cannot read config file: {e.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: config file is not UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"{path}: invalid TOML: {e}") from None
    return parse_config(data, source=str(path), base_dir=path.resolve().parent)

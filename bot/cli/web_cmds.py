"""`reportbot web` (the staff console) and `reportbot users add|list|disable|token`."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import ConfigOpt, app, open_app, read_input_file
from bot.cli.status_cmds import parse_now
from bot.core.clock import FixedClock
from bot.core.errors import UserError
from bot.web.accounts import ROLES, add_user, disable_user, list_users, new_token
from db.types import utcnow

users_app = typer.Typer(help="Manage the staff console's accounts (viewer, officer, admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")
UserArg = Annotated[str, typer.Argument(metavar="USERNAME")]


@app.command()
def web(
    host: Annotated[Optional[str], typer.Option("--host", help="Address to listen on (default: [web] host).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", min=1, max=65535, help="Port (default: [web] port).")] = None,
    now: Annotated[Optional[str], typer.Option("--now", help="Judge states at this fixed moment (ISO 8601 with "
                                               "offset), e.g. to look at a rehearsal's data. Default: the clock.")] = None,
    config: ConfigOpt = None,
) -> None:
    """The staff console and its JSON API; GET /healthz answers 200 once it serves."""
    from bot.web.server import serve  # noqa: PLC0415 - uvicorn and the app load only for this command

    application = open_app(config)
    clock = FixedClock(parse_now(now)) if now else None
    serve(application, host=host, port=port, clock=clock)


def _read_password(password_file: Path | None) -> str:
    if password_file is not None:
        return read_input_file(password_file).decode("utf-8").strip()
    if not sys.stdin.isatty():
        raise UserError("--password-file: give the password in a file (no terminal to ask on)")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise UserError("the two passwords differ")
    return first


@users_app.command("add")
def users_add(
    username: UserArg,
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")] = "viewer",
    password_file: Annotated[Optional[Path], typer.Option("--password-file", dir_okay=False,
                                                          help="Read the password from this file (else asked twice).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Add a console account (the password is kept as an argon2 hash)."""
    if role not in ROLES:
        raise UserError(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    password = _read_password(password_file)
    application = open_app(config)
    with application.session() as s:
        user = add_user(s, username, role, password, actor="cli", now=utcnow())
    typer.echo(f"user {user.username} added ({user.role})")


@users_app.command("list")
def users_list(config: ConfigOpt = None) -> None:
    """List the console's accounts."""
    application = open_app(config)
    with application.session() as s:
        users = list_users(s)
    t = Table(title=f"{len(users)} user(s)")
    for col in ("User", "Role", "State", "Created", "Last login"):
        t.add_column(col)
    for u in users:
        t.add_row(u.username, u.role, "disabled" if u.disabled else "active", u.created_at.isoformat()[:16],
                  u.last_login_at.isoformat()[:16] if u.last_login_at else "")
    Console().print(t)


@users_app.command("disable")
def users_disable(username: UserArg, config: ConfigOpt = None) -> None:
    """Disable an account: its sessions end and its API tokens stop working at once."""
    application = open_app(config)
    with application.session() as s:
        changed = disable_user(s, username, actor="cli", now=utcnow())
    typer.echo(f"user {username} disabled" if changed else f"user {username} was already disabled")


@users_app.command("token")
def users_token(username: UserArg, config: ConfigOpt = None) -> None:
    """Print a new API token for the user, once (only its hash is stored)."""
    application = open_app(config)
    with application.session() as s:
        token = new_token(s, username, actor="cli", now=utcnow())
    typer.echo(token)

"""Serving the console with uvicorn: in the foreground (`reportbot web`) or beside the service
(`reportbot run` when [web] enabled = true) in a thread of its own."""
from __future__ import annotations

import logging
import threading

import uvicorn

from bot.core.app import App
from bot.core.clock import Clock
from bot.web.app import create_app

log = logging.getLogger("reportbot.web")


def make_server(application: App, *, host: str | None = None, port: int | None = None,
                clock: Clock | None = None) -> uvicorn.Server:
    web = application.config.web
    config = uvicorn.Config(create_app(application, clock=clock), host=host or web.host, port=port or web.port,
                            log_level="warning", access_log=False, proxy_headers=True, server_header=False,
                            lifespan="off")
    return uvicorn.Server(config)


def serve(application: App, *, host: str | None = None, port: int | None = None, clock: Clock | None = None) -> None:
    """Serve until SIGINT/SIGTERM (uvicorn's own handlers)."""
    server = make_server(application, host=host, port=port, clock=clock)
    log.warning("staff console on http://%s:%s/", server.config.host, server.config.port)
    server.run()


class BackgroundConsole:
    """The console in a daemon thread (uvicorn installs no signal handlers off the main thread)."""

    def __init__(self, application: App, clock: Clock | None = None) -> None:
        self.server = make_server(application, clock=clock)
        self.thread = threading.Thread(target=self.server.run, name="web-console", daemon=True)

    def start(self) -> BackgroundConsole:
        self.thread.start()
        log.info("staff console on http://%s:%s/", self.server.config.host, self.server.config.port)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)

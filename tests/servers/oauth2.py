"""A minimal OAuth2 token introspection endpoint on loopback, for Dovecot's oauth2 passdb.

Dovecot (introspection_mode = auth) sends `GET /me` with `Authorization: Bearer <token>` and
reads the JSON object back; we answer for the tokens we issued and 401 for any other, as a
provider's userinfo endpoint does. Tokens can be revoked to play an expired one.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import LOOPBACK


class TokenEndpoint:
    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._revoked: dict[str, str] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/me"

    def issue(self, username: str) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = username
        return token

    def revoke(self, token: str) -> None:
        with self._lock:
            if token in self._tokens:
                self._revoked[token] = self._tokens.pop(token)

    def _lookup(self, authorization: str) -> tuple[int, dict]:
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            self.requests += 1
            if scheme.lower() == "bearer" and token in self._tokens:
                return 200, {"username": self._tokens[token], "active": "true"}
            if scheme.lower() == "bearer" and token in self._revoked:  # expired: known, no longer active
                return 200, {"username": self._revoked[token], "active": "false"}
            return 401, {"error": "invalid_token"}

    def start(self) -> TokenEndpoint:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                status, answer = endpoint._lookup(self.headers.get("Authorization", ""))
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="oauth2-endpoint", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

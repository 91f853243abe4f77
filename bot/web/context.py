"""What every request of the console needs: the App (config, engine, stores), the clock, the
cookie signer, the login throttle. Built once by create_app."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.core.app import App
from bot.core.clock import Clock, SystemClock
from bot.intake.pipeline import Intake
from bot.intake.rawstore import mail_store
from bot.web.throttle import LoginThrottle


@dataclass
class WebContext:
    app: App
    secret: bytes
    clock: Clock = field(default_factory=SystemClock)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    monotonic: object = time.monotonic

    def __post_init__(self) -> None:
        self._signer = URLSafeTimedSerializer(self.secret, salt="reportbot-web")

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def session_seconds(self) -> int:
        return int(self.app.config.web.session_hours * 3600)

    def sign(self, value) -> str:
        return self._signer.dumps(value)

    def unsign(self, token: str | None, max_age: int):
        if not token:
            return None
        try:
            return self._signer.loads(token, max_age=max_age)
        except BadSignature:
            return None

    def intake(self) -> Intake:
        return Intake(self.app.config, self.app.engine)

    @property
    def mail(self):
        return mail_store(self.app.config.storage_dir)

"""`reportbot demo`: the whole job on loopback servers with simulated agencies.

- `servers`: an IMAP server (pymap, in memory) and an SMTP server (aiosmtpd) on 127.0.0.1;
- `content`, `docspec`, `render_docx`, `render_flat`: report documents generated on the fly;
- `scenario`, `replies`, `agencies`: who replies when and how, the mail they send, and the
  simulated agencies reacting to what reportbot sends them;
- `invariants`: pure checks over the final database;
- `runner`: the orchestration around the real service on an accelerated clock.
"""

# 22.4 simulated days in about 80 s. Faster, the intake (a sandboxed parse per reply, 0.25 to
# 0.5 s on two cores) falls behind the pre-deadline rush and reminders cross reports still
# waiting in the inbox; slower is more faithful (the demo prints a note when that happened).
DEFAULT_SPEED = 24_000.0

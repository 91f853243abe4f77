"""`reportbot demo`: the whole job on loopback servers with simulated agencies.

- `servers`: an IMAP server (pymap, in memory) and an SMTP server (aiosmtpd) on 127.0.0.1;
- `content`, `docspec`, `render_docx`, `render_flat`: report documents generated on the fly;
- `scenario`, `replies`, `agencies`: who replies when and how, the mail they send, and the
  simulated agencies reacting to what reportbot sends them;
- `invariants`: pure checks over the final database;
- `runner`: the orchestration around the real service on an accelerated clock.
"""

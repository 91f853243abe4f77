"""The `reportbot` command line. Errors become one line on stderr: exit 2 for bad input, 1 for failures."""
from __future__ import annotations

import logging
import os
import sys
import traceback

# Command modules register themselves on `app`.
from bot.cli import (  # noqa: E402,F401
    demo_cmds,
    inspect_cmds,
    intake_cmds,
    outbound_cmds,
    outbox_cmds,
    parse_cmds,
    report_cmds,
    service_cmds,
    setup_cmds,
    staff_cmds,
    status_cmds,
    web_cmds,
)
from bot.cli.common import app
from bot.core.errors import RuntimeFailure, UserError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("REPORTBOT_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        # Standalone mode: usage errors print usage and exit 2; our own errors propagate here.
        app(args=argv, prog_name="reportbot", standalone_mode=True)
        return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except (UserError, RuntimeFailure) as e:
        print(f"reportbot: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug or an unexpected failure: one line, traceback on request
        print(f"reportbot: failure: {type(e).__name__}: {e}", file=sys.stderr)
        if os.environ.get("REPORTBOT_DEBUG"):
            traceback.print_exc()
        else:
            print("reportbot: set REPORTBOT_DEBUG=1 to see the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

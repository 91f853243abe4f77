"""Exceptions that the CLI turns into one clear line on stderr."""


class UserError(Exception):
    """Bad input from the user (config, files, arguments): exit code 2; the API answers 400."""

    exit_code = 2
    http_status = 400


class RuntimeFailure(Exception):
    """Something failed at run time (server unreachable, disk full): exit code 1."""

    exit_code = 1


class NotFound(UserError):
    """The thing named does not exist (unknown agency, message, mail): the API answers 404."""

    http_status = 404


class Conflict(UserError):
    """The thing is not in a state that allows the action (already done, done by someone else
    a moment ago): nothing was changed; the API answers 409."""

    http_status = 409

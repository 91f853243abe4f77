"""Exceptions that the CLI turns into one clear line on stderr."""


class UserError(Exception):
    """Bad input from the user (config, files, arguments): exit code 2."""

    exit_code = 2


class RuntimeFailure(Exception):
    """Something failed at run time (server unreachable, disk full): exit code 1."""

    exit_code = 1

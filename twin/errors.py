"""Errors a user can cause and fix: the CLI prints them as one line, never a traceback."""

from __future__ import annotations

from pathlib import Path


class TwinError(Exception):
    """A problem with the user's input or setup, reported as one clear line.

    Every package of the project raises a subclass of this for bad input; the ``twin`` CLI
    and the app catch it and show ``str(error)``. Programming errors stay ordinary exceptions.
    """


class InputError(TwinError):
    """A file or value given by the user is missing, malformed or of the wrong place.

    Parameters
    ----------
    source
        The file (or field, or URL) at fault; named first in the message.
    problem
        What is wrong with it, in words a city analyst understands.
    line
        The 1-based line number, where the problem sits on one line of a text file.
    """

    def __init__(self, source: str | Path, problem: str, *, line: int | None = None) -> None:
        self.source = str(source)
        self.problem = problem
        self.line = line
        where = f"{self.source}:{line}" if line is not None else self.source
        super().__init__(f"{where}: {problem}")


class ConfigError(TwinError):
    """A setting, environment variable or city profile is missing or wrong."""

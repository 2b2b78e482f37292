"""The ``twin`` command: one CLI that fronts the functions of every package.

Each package contributes its sub-commands through a ``register(subparsers)`` function in
its own ``cli`` module; this module only assembles them and turns user errors
(:class:`twin.errors.TwinError`) into one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from twin.errors import TwinError

#: Modules that contribute sub-commands, in the order they appear in ``twin --help``.
COMMAND_MODULES = ("twin.cli", "sim.cli", "sim.scenario_cli", "layers.cli", "apps.app_cli")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every package's sub-commands."""
    parser = argparse.ArgumentParser(
        prog="twin",
        description="medan-twin: a geospatial digital twin of Kota Medan.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            # A package whose CLI is not written yet must not break the others.
            if e.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``twin`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        rc = args.func(args)
    except TwinError as e:
        print(f"twin: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("twin: interrupted", file=sys.stderr)
        return 130
    return int(rc or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The examples in the app modules' docstrings run (pytest collects doctests only from
twin/, layers/ and sim/)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "apps.theme",
    "apps.i18n",
    "apps.deck",
    "apps.app_cli",
    "apps.views.plan",
    "apps.views.scenario",
    "apps.views.story",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0

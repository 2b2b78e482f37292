"""Constants and helpers shared by the app tests (imported by conftest and test modules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
#: A complaint description that would run script if it were ever interpreted as HTML.
XSS = "<img src=x onerror=window.__xss=1> banjir <b>tebal</b>"


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

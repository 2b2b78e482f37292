"""Where the twin reads its inputs and writes its outputs: one small typed settings object.

Every path the project uses comes from here, so a test or a user can redirect all of them
with environment variables:

``TWIN_DATA_DIR``
    The offline data folder (``../shared/data`` beside the repo in development and CI).
``TWIN_HOME``
    Where snapshots, caches and results are written (default: ``./var``).
``TWIN_STORE``
    The live-feed store (SQLite file; default: ``$TWIN_HOME/store/<city>.sqlite``).
``TWIN_CITY``
    The city profile to use when a command is given none (default: ``medan``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

#: The repository root when running from a source checkout (editable install).
REPO_ROOT = Path(__file__).resolve().parents[1]
#: City profiles and small hand-written facts shipped with the project.
PROJECT_DATA_DIR = REPO_ROOT / "data"


@dataclass(frozen=True)
class Settings:
    """Paths and defaults, read from the environment by :func:`get_settings`."""

    data_dir: Path | None
    home: Path
    store: Path | None
    city: str = "medan"

    @property
    def snapshot_root(self) -> Path:
        """Folder holding one sub-folder of versioned snapshots per city."""
        return self.home / "snapshots"

    @property
    def cache_dir(self) -> Path:
        """Folder for derived results that can always be recomputed (baselines, tiles)."""
        return self.home / "cache"

    @property
    def results_dir(self) -> Path:
        """Folder where scenario runs are saved."""
        return self.home / "results"

    def store_path(self, city: str | None = None) -> Path:
        """The feed store: ``TWIN_STORE`` if set, else a file beside the city's snapshots."""
        if self.store is not None:
            return self.store
        return self.home / "store" / f"{city or self.city}.sqlite"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (for tests and command-line overrides)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def get_settings() -> Settings:
    """Read the settings from the environment now (not cached: tests change the environment).

    Examples
    --------
    >>> import os
    >>> os.environ["TWIN_HOME"] = "/tmp/twin-doctest"
    >>> str(get_settings().snapshot_root)
    '/tmp/twin-doctest/snapshots'
    >>> del os.environ["TWIN_HOME"]
    """
    data = os.environ.get("TWIN_DATA_DIR")
    store = os.environ.get("TWIN_STORE")
    return Settings(
        data_dir=Path(data).expanduser().resolve() if data else None,
        home=Path(os.environ.get("TWIN_HOME", "var")).expanduser().resolve(),
        store=Path(store).expanduser().resolve() if store else None,
        city=os.environ.get("TWIN_CITY", "medan"),
    )

"""Provenance: where every layer of the twin comes from, under which licence, real or not."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OSM_ATTRIBUTION = "© OpenStreetMap contributors"


@dataclass(frozen=True)
class Provenance:
    """Provenance of one layer, as recorded in the snapshot manifest and shown in the UI.

    Parameters
    ----------
    layer
        Layer name, e.g. ``"roads"``, ``"kelurahan"``, ``"atcs_sites"``, ``"complaints"``.
    source
        Human-readable origin (file path, URL or dataset name).
    licence
        Licence of the data (e.g. ``"ODbL-1.0"``, ``"MIT"``, ``"none stated"``).
    attribution
        Text that must be shown wherever the layer is shown.
    synthetic
        True when the data is invented or simulated rather than observed.
    created_at
        ISO-8601 UTC time the layer was built or ingested.
    sha256
        Hash of the input file(s), where there is one.
    notes
        Anything a user must know (e.g. "synthetic geometry: do not use for navigation").
    """

    layer: str
    source: str
    licence: str
    attribution: str
    synthetic: bool
    created_at: str = field(default_factory=lambda: utc_now_iso())
    sha256: str | None = None
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in names})

    @property
    def label(self) -> str:
        """A short label for legends: ``"synthetic"`` / ``"real"``."""
        return "synthetic" if self.synthetic else "real"


def utc_now_iso() -> str:
    """The current UTC time as ISO-8601 with seconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()

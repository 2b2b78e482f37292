"""Registry of the ATCS sites: the 111 real Dishub Kota Medan cameras, matched to the graph.

The twin's ``atcs_sites`` table (see :data:`twin.model.ATCS_COLUMNS`) joins every camera to
its nearest node and edge with the distance. Observations for a site that is not in the
registry are quarantined, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from twin.errors import InputError

if TYPE_CHECKING:
    from twin.model import Twin

#: Columns of :attr:`SiteRegistry.table`.
SITE_COLUMNS = (
    "site_id",
    "atcs_id",
    "name",
    "alias",
    "kind",
    "lon",
    "lat",
    "node_id",
    "node_dist_m",
    "edge_id",
    "edge_dist_m",
    "kel_code",
    "kec_code",
)

_SITE_ID = re.compile(r"^\s*(?:atcs[\s_\-]*)?(\d{1,6})\s*$", re.IGNORECASE)


def normalize_site_id(raw: object) -> str | None:
    """``"ATCS-<n>"`` for ``"ATCS-12"``, ``"atcs_12"``, ``"12"`` or ``12``; else ``None``.

    Examples
    --------
    >>> normalize_site_id("atcs 7"), normalize_site_id(12), normalize_site_id("X1")
    ('ATCS-7', 'ATCS-12', None)
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return f"ATCS-{raw}" if raw >= 0 else None
    if not isinstance(raw, str):
        return None
    m = _SITE_ID.match(raw)
    return f"ATCS-{int(m.group(1))}" if m else None


@dataclass(frozen=True)
class SiteRegistry:
    """The known ATCS sites.

    Attributes
    ----------
    table
        One row per site with :data:`SITE_COLUMNS`; ``node_id``/``edge_id`` are missing
        (NA) when the registry was read from the camera list without a twin.
    matched
        True when the sites were matched to a twin's graph.
    """

    table: pd.DataFrame
    matched: bool
    ids: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", frozenset(self.table["site_id"].astype(str)))

    def __contains__(self, site_id: object) -> bool:
        return isinstance(site_id, str) and site_id in self.ids

    def __len__(self) -> int:
        return len(self.table)

    @classmethod
    def from_twin(cls, twin: Twin) -> SiteRegistry:
        """The sites of a loaded twin, already matched to nodes and edges."""
        t = pd.DataFrame(twin.atcs_sites.drop(columns="geometry", errors="ignore"))
        for c in SITE_COLUMNS:
            if c not in t.columns:
                t[c] = pd.NA
        return cls(table=t.loc[:, list(SITE_COLUMNS)].reset_index(drop=True), matched=True)

    @classmethod
    def from_csv(cls, path: str | Path) -> SiteRegistry:
        """The sites of the raw camera list (``atcs_cctv_medan.csv``), not matched to a graph.

        Examples
        --------
        >>> import os, pathlib
        >>> d = pathlib.Path(os.environ.get("TWIN_DATA_DIR", "../shared/data"))
        >>> reg = SiteRegistry.from_csv(d / "medan/unlicensed/atcs_cctv_medan.csv")
        >>> len(reg), "ATCS-1" in reg, "ATCS-28" in reg
        (111, True, False)
        """
        p = Path(path)
        try:
            raw = pd.read_csv(p, dtype={"kode_kel": str, "kode_kec": str})
        except (OSError, ValueError) as e:
            raise InputError(p, f"cannot read the ATCS site list ({e})") from None
        need = {"atcs_id", "name", "alias", "kind", "lat", "lon"}
        if missing := need - set(raw.columns):
            raise InputError(p, f"missing columns {sorted(missing)}")
        t = pd.DataFrame(
            {
                "site_id": "ATCS-" + raw["atcs_id"].astype(int).astype(str),
                "atcs_id": raw["atcs_id"].astype(int),
                "name": raw["name"],
                "alias": raw["alias"],
                "kind": raw["kind"],
                "lon": raw["lon"].astype(float),
                "lat": raw["lat"].astype(float),
                "node_id": pd.array([pd.NA] * len(raw), dtype="Int64"),
                "node_dist_m": float("nan"),
                "edge_id": pd.array([pd.NA] * len(raw), dtype="Int64"),
                "edge_dist_m": float("nan"),
                "kel_code": raw.get("kode_kel", pd.Series([""] * len(raw))),
                "kec_code": raw.get("kode_kec", pd.Series([""] * len(raw))),
            }
        )
        return cls(table=t, matched=False)

    def site(self, site_id: str) -> dict[str, object]:
        """One site's row as a dict (``KeyError`` if unknown)."""
        rows = self.table[self.table["site_id"] == site_id]
        if rows.empty:
            raise KeyError(site_id)
        return dict(rows.iloc[0])

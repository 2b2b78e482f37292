"""Complaints on the grid: counts per H3 cell, kelurahan or kecamatan; ageing and SLA breaches.

Every function takes the complaint table of the store (:meth:`layers.store.Store.complaints`,
one row per complaint in its latest state) so the app, the CLI and the tests call the same
code on the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from layers.categories import sla_days
from layers.grid import cells_to_strings, parent_cells, strings_to_cells

#: Aggregation levels and the store column that holds each unit.
LEVELS = {"h3": "h3", "kelurahan": "kel_code", "kecamatan": "kec_code"}
#: Statuses still waiting for the city.
OPEN_STATUSES = ("open", "in_progress")


def _ts(t: dt.datetime) -> int:
    return int(t.timestamp())


def in_window(
    frame: pd.DataFrame, *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> pd.DataFrame:
    """Complaints requested in ``[since, until)``."""
    keep = np.ones(len(frame), dtype=bool)
    if since is not None:
        keep &= frame["requested_ts"].to_numpy() >= _ts(since)
    if until is not None:
        keep &= frame["requested_ts"].to_numpy() < _ts(until)
    return frame.loc[keep]


def complaint_counts(
    frame: pd.DataFrame,
    *,
    level: str = "h3",
    res: int | None = None,
    by: Sequence[str] = (),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    status: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Number of complaints per unit (and per ``by`` columns).

    Parameters
    ----------
    frame
        Complaints (store columns).
    level
        ``"h3"``, ``"kelurahan"`` or ``"kecamatan"``.
    res
        For ``level="h3"``: a resolution coarser than the stored one rolls cells up to
        their parents (default: as stored, res 9 for Medan).
    by
        Extra grouping columns, e.g. ``("category",)``, ``("status",)``, ``("opd",)``.
    since, until
        Keep complaints requested in ``[since, until)``.
    status
        Keep only these normalized statuses.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` (cell or code), the ``by`` columns, ``count``; sorted by count.

    Examples
    --------
    >>> df = pd.DataFrame({"h3": ["89650d4dc7bffff"] * 2, "kel_code": ["a", "b"],
    ...     "kec_code": ["k", "k"], "category": ["sampah", "sampah"],
    ...     "status": ["open", "resolved"], "requested_ts": [0, 0]})
    >>> complaint_counts(df, level="kecamatan", by=["category"]).to_dict("records")
    [{'unit': 'k', 'category': 'sampah', 'count': 2}]
    >>> complaint_counts(df, res=7)["unit"].tolist()
    ['87650d4dcffffff']
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {sorted(LEVELS)}")
    df = in_window(frame, since=since, until=until)
    if status is not None:
        df = df[df["status"].isin(list(status))]
    unit = df[LEVELS[level]].astype(str)
    if level == "h3" and res is not None and len(df):
        stored = int(unit.iloc[0][1], 16)
        if res < stored:
            unit = pd.Series(
                cells_to_strings(parent_cells(strings_to_cells(unit.tolist()), res)),
                index=df.index,
            )
    keys = ["unit", *by]
    g = df.assign(unit=unit).groupby(keys, sort=False).size().rename("count").reset_index()
    return g.sort_values(["count", *keys], ascending=[False] + [True] * len(keys)).reset_index(
        drop=True
    )


def complaint_ageing(
    frame: pd.DataFrame,
    *,
    now: dt.datetime | None = None,
    sla_overrides: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Age and SLA status of each complaint.

    A complaint still open (``open``/``in_progress``) ages until ``now``; a closed one
    (``resolved``/``rejected``) until its last update. It breaches its SLA when its age
    exceeds the SLA days of its category (:func:`layers.categories.sla_days`).

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus ``age_days``, ``sla_days``, ``breached`` (bool), ``overdue_days``
        (0 when within the SLA) and ``is_open``.
    """
    t_now = _ts(now or dt.datetime.now(dt.UTC))
    days = sla_days(sla_overrides)
    out = frame.copy()
    is_open = out["status"].isin(OPEN_STATUSES).to_numpy()
    end = np.where(is_open, t_now, out["updated_ts"].to_numpy())
    age = (end - out["requested_ts"].to_numpy()) / 86400.0
    sla = out["category"].map(days).fillna(days["other"]).to_numpy(dtype=float)
    out["is_open"] = is_open
    out["age_days"] = np.maximum(age, 0.0)
    out["sla_days"] = sla
    out["breached"] = (out["age_days"].to_numpy() > sla) & (out["status"] != "rejected").to_numpy()
    out["overdue_days"] = np.where(
        out["breached"].to_numpy(), out["age_days"].to_numpy() - sla, 0.0
    )
    return out


def sla_summary(
    frame: pd.DataFrame,
    *,
    by: str = "opd",
    now: dt.datetime | None = None,
    sla_overrides: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Per OPD (or category, kecamatan...): complaints by status, open breaches, ages.

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` value: ``total``, ``open``, ``in_progress``, ``resolved``,
        ``rejected``, ``open_breached`` (still open and past the SLA),
        ``resolved_late``, ``median_open_age_days``; sorted by ``open_breached``.
    """
    aged = complaint_ageing(frame, now=now, sla_overrides=sla_overrides)
    if aged.empty:
        cols = [
            by,
            "total",
            "open",
            "in_progress",
            "resolved",
            "rejected",
            "open_breached",
            "resolved_late",
            "median_open_age_days",
        ]
        return pd.DataFrame(columns=cols)
    counts = pd.crosstab(aged[by], aged["status"]).reindex(
        columns=["open", "in_progress", "resolved", "rejected"], fill_value=0
    )
    counts.insert(0, "total", counts.sum(axis=1))
    flags = pd.DataFrame(
        {
            by: aged[by],
            "open_breached": aged["breached"] & aged["is_open"],
            "resolved_late": aged["breached"] & (aged["status"] == "resolved"),
        }
    )
    sums = flags.groupby(by)[["open_breached", "resolved_late"]].sum().astype(int)
    counts["open_breached"] = sums["open_breached"]
    counts["resolved_late"] = sums["resolved_late"]
    counts["median_open_age_days"] = aged[aged["is_open"]].groupby(by)["age_days"].median()
    out = counts.reset_index().rename_axis(None, axis=1)
    return out.sort_values(["open_breached", "total"], ascending=False).reset_index(drop=True)


def complaints_over_time(
    frame: pd.DataFrame,
    *,
    freq: str = "1D",
    by: str | None = "category",
    tz: str = "Asia/Jakarta",
) -> pd.DataFrame:
    """Complaints requested per period (local time), optionally per ``by`` column.

    Returns
    -------
    pandas.DataFrame
        Index: period start (WIB); columns: ``by`` values (or ``count``).
    """
    t = pd.to_datetime(frame["requested_ts"], unit="s", utc=True).dt.tz_convert(tz)
    df = frame.assign(period=t.dt.floor(freq))
    if by is None:
        return df.groupby("period").size().to_frame("count")
    return df.groupby(["period", by]).size().unstack(fill_value=0)

"""Validation of parsed records against the city: place, time and plausibility.

Adapters already check the schema of each record (fields present, types, known classes).
This module checks what needs the city or the clock, for a whole batch at once (vectorized
point-in-polygon and H3): coordinates inside the city boundary (with a small buffer),
timestamps not in the future, counts and speeds plausible, sites known. Every record that
fails goes to the batch's rejections with a reason; the others come back with their H3
cell, kelurahan and kecamatan filled in. A bad record never stops the batch.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from layers.context import CityContext
from layers.records import Batch, Complaint, TrafficObservation

#: Earliest time accepted in any feed (older records are typos, e.g. year 0202).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: Highest plausible flow of one record (one approach or lane, one class), vehicles/hour.
#: Medan's arterials carry up to ~10,000 motorcycles an hour on a wide approach.
MAX_FLOW_VEH_H = 15_000.0
#: Highest plausible mean speed, km/h (the toll road's limit is 80-100).
MAX_SPEED_KMH = 160.0
#: Shortest and longest accepted counting interval, seconds.
MIN_INTERVAL_S, MAX_INTERVAL_S = 10, 86_400


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


def validate_complaints(batch: Batch, ctx: CityContext, *, now: dt.datetime | None = None) -> Batch:
    """Check a batch of complaints in place; accepted ones get ``h3``/``kel_code``/``kec_code``.

    Parameters
    ----------
    batch
        A batch of :class:`~layers.records.Complaint` candidates from an adapter.
    ctx
        The city.
    now
        The current time (default: the clock); later times are "in the future".

    Returns
    -------
    Batch
        The same batch: ``records`` holds the accepted complaints only.
    """
    limit = _now(now) + ctx.future_skew
    recs: list[Complaint] = batch.records
    n = len(recs)
    if n == 0:
        return batch
    lat = np.fromiter((r.lat for r in recs), dtype=float, count=n)
    lon = np.fromiter((r.lon for r in recs), dtype=float, count=n)
    reason: list[tuple[str, str] | None] = [None] * n
    bad_range = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    inside = ctx.inside(np.where(bad_range, 0, lat), np.where(bad_range, 0, lon))
    for i in np.flatnonzero(bad_range).tolist():
        reason[i] = ("bad_coordinates", f"lat/lon: ({lat[i]}, {lon[i]}) is not a WGS84 position")
    for i in np.flatnonzero(~inside & ~bad_range).tolist():
        reason[i] = (
            "outside_city",
            f"lat/lon: ({lat[i]:.6f}, {lon[i]:.6f}) is outside {ctx.slug} "
            f"(boundary + {ctx.buffer_m:.0f} m)",
        )
    for i, r in enumerate(recs):
        if reason[i] is not None:
            continue
        if r.requested_at > limit:
            reason[i] = (
                "future_time",
                f"requested_at: {r.requested_at.isoformat()} is in the future",
            )
        elif r.updated_at > limit:
            reason[i] = ("future_time", f"updated_at: {r.updated_at.isoformat()} is in the future")
        elif r.requested_at < EARLIEST:
            reason[i] = ("bad_time", f"requested_at: {r.requested_at.isoformat()} is before 2000")
        elif r.updated_at < r.requested_at - dt.timedelta(minutes=1):
            reason[i] = ("bad_time", "updated_at: earlier than requested_at")
    return _finish(batch, ctx, reason, lat, lon, locate=True)


def validate_observations(
    batch: Batch, ctx: CityContext, *, now: dt.datetime | None = None
) -> Batch:
    """Check a batch of traffic observations in place (known site, time, plausible values).

    Parameters
    ----------
    batch
        A batch of :class:`~layers.records.TrafficObservation` candidates.
    ctx
        The city (its site registry decides which sites are known).
    now
        The current time (default: the clock).

    Returns
    -------
    Batch
        The same batch: ``records`` holds the accepted observations only.
    """
    limit = _now(now) + ctx.future_skew
    recs: list[TrafficObservation] = batch.records
    reason: list[tuple[str, str] | None] = [None] * len(recs)
    for i, o in enumerate(recs):
        if o.site_id not in ctx.sites:
            reason[i] = ("unknown_site", f"site_id: {o.site_id!r} is not in the ATCS site registry")
        elif not MIN_INTERVAL_S <= o.interval_s <= MAX_INTERVAL_S:
            reason[i] = ("implausible_interval", f"interval: {o.interval_s} s")
        elif o.interval_start > limit or o.updated > limit + dt.timedelta(seconds=o.interval_s):
            reason[i] = (
                "future_time",
                f"interval_start: {o.interval_start.isoformat()} is in the future",
            )
        elif o.interval_start < EARLIEST:
            reason[i] = (
                "bad_time",
                f"interval_start: {o.interval_start.isoformat()} is before 2000",
            )
        elif o.count < 0 or o.count * 3600.0 / o.interval_s > MAX_FLOW_VEH_H:
            reason[i] = (
                "implausible_count",
                f"count: {o.count:g} in {o.interval_s} s is not a plausible flow",
            )
        elif o.speed_kmh is not None and not 0 <= o.speed_kmh <= MAX_SPEED_KMH:
            reason[i] = ("implausible_speed", f"speed: {o.speed_kmh:g} km/h")
        elif o.occupancy is not None and not 0 <= o.occupancy <= 1:
            reason[i] = ("implausible_occupancy", f"occupancy: {o.occupancy:g} (expected 0..1)")
    return _finish(batch, ctx, reason, None, None, locate=False)


def _finish(
    batch: Batch,
    ctx: CityContext,
    reason: list[tuple[str, str] | None],
    lat: np.ndarray | None,
    lon: np.ndarray | None,
    *,
    locate: bool,
) -> Batch:
    # Records that share a position come from one raw row (a PeMS line): it is kept or
    # quarantined whole, once.
    bad: dict[int, int] = {}
    for i, r in enumerate(reason):
        if r is not None and batch.positions[i] not in bad:
            bad[batch.positions[i]] = i
    for i in bad.values():
        r = reason[i]
        assert r is not None
        batch.reject(batch.positions[i], batch.raws[i], r[0], r[1])
    keep = [i for i in range(len(reason)) if batch.positions[i] not in bad]
    records = [batch.records[i] for i in keep]
    if locate and keep and lat is not None and lon is not None:
        where = ctx.locate(lat[keep], lon[keep])
        for rec, h, k, c in zip(
            records,
            where["h3"].tolist(),
            where["kel_code"].tolist(),
            where["kec_code"].tolist(),
            strict=True,
        ):
            rec.h3, rec.kel_code, rec.kec_code = h, k, c
    batch.records = records
    batch.positions = [batch.positions[i] for i in keep]
    batch.raws = [batch.raws[i] for i in keep]
    return batch

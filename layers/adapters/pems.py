"""PeMS-style detector CSV (Caltrans PeMS "station 5-minute" layout), without a header.

Columns: ``Timestamp`` (``MM/DD/YYYY HH:MM:SS``, local time), ``Station``, ``District``,
``Freeway``, ``Direction``, ``Lane Type``, ``Station Length``, ``Samples``, ``% Observed``,
``Total Flow``, ``Avg Occupancy``, ``Avg Speed``, then five columns per lane: ``Samples``,
``Flow``, ``Avg Occ``, ``Avg Speed``, ``Observed``. Empty fields are missing values.

A Medan detector export in this layout uses the ATCS id as the station number (``12`` is
``ATCS-12``) and WIB as local time. Speeds are in mph as in PeMS unless ``speed_unit="kmh"``;
occupancy is a share 0..1. Each row gives one ``total`` observation for the whole station
(approach ``all``) and one per lane (approach ``L1``, ``L2``...). A station row whose
``% Observed`` is below 50 gets the quality flag ``imputed``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TextIO

from layers.adapters._common import LineTap, csv_rows, make_observation, text_raw
from layers.records import WIB, Batch, RecordError, parse_float

MPH_TO_KMH = 1.609344
_FIXED = 12
_PER_LANE = 5


def _time(value: str, tz: dt.tzinfo) -> dt.datetime:
    try:
        return dt.datetime.strptime(value.strip(), "%m/%d/%Y %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        raise RecordError("bad_time", f"Timestamp: {value!r} is not MM/DD/YYYY HH:MM:SS") from None


def parse_pems(
    stream: TextIO,
    *,
    origin: str,
    source: str = "pems",
    tz: dt.tzinfo = WIB,
    speed_unit: str = "mph",
    interval_s: int = 300,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Read a PeMS-style 5-minute station CSV (see the module doc).

    Parameters
    ----------
    stream
        Open text stream.
    origin
        File path or URL (quarantine positions are line numbers).
    source
        Records' ``source``.
    tz
        Time zone of the timestamps.
    speed_unit
        ``"mph"`` (PeMS) or ``"kmh"``.
    interval_s
        Length of one row's interval.
    batch_size
        Rows per yielded batch.
    """
    factor = MPH_TO_KMH if speed_unit == "mph" else 1.0
    tap = LineTap(stream)
    reader = csv.reader(tap)
    batch = Batch("traffic", source, origin, line_based=True, serialize=text_raw)
    for line, raw, row in csv_rows(reader, tap, batch):
        if not row:
            continue
        try:
            if len(row) < _FIXED or (len(row) - _FIXED) % _PER_LANE:
                raise RecordError(
                    "schema", f"{len(row)} fields: expected 12 + 5 per lane (PeMS station 5-min)"
                )
            t = _time(row[0], tz)
            observed = parse_float(row[8], field_name="% Observed", required=False)
            quality = "imputed" if observed is not None and observed < 50 else "ok"
            recs = []
            speed = parse_float(row[11], field_name="Avg Speed", required=False)
            recs.append(
                make_observation(
                    source=source,
                    site_id=row[1],
                    interval_start=t,
                    interval_s=interval_s,
                    approach="all",
                    vehicle_class="total",
                    count=row[9],
                    speed_kmh=speed * factor if speed is not None else None,
                    occupancy=row[10],
                    quality=quality,
                    tz=tz,
                )
            )
            for k in range((len(row) - _FIXED) // _PER_LANE):
                lane = row[_FIXED + k * _PER_LANE : _FIXED + (k + 1) * _PER_LANE]
                if not lane[1].strip():
                    continue
                ls = parse_float(lane[3], field_name=f"Lane {k + 1} Avg Speed", required=False)
                recs.append(
                    make_observation(
                        source=source,
                        site_id=row[1],
                        interval_start=t,
                        interval_s=interval_s,
                        approach=f"L{k + 1}",
                        vehicle_class="total",
                        count=lane[1],
                        speed_kmh=ls * factor if ls is not None else None,
                        occupancy=lane[2],
                        quality="ok" if lane[4].strip() in ("1", "") else "imputed",
                        tz=tz,
                    )
                )
        except RecordError as e:
            batch.reject(line, raw, e.reason, e.detail)
        else:
            # All observations of a row share its line: a row is accepted or rejected whole.
            for r in recs:
                batch.add(r, line, raw)
        if len(batch) >= batch_size:
            yield batch
            batch = Batch("traffic", source, origin, line_based=True, serialize=text_raw)
    yield batch

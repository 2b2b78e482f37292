"""Property-based tests: random and mutated payloads through every parser, validation and store.

Whatever the bytes, no parser crashes; every record read is either accepted or quarantined
with a reason and its raw text; the store takes both without error.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.adapters import FORMATS, read_payload
from layers.context import CityContext
from layers.records import Batch
from layers.store import Store
from layers.validate import validate_complaints, validate_observations
from twin.errors import InputError

SAMPLES = Path(__file__).parents[1] / "fixtures" / "layers"
CASES = [
    ("complaints", "open311", "open311_requests.json"),
    ("complaints", "open311", "open311_requests.xml"),
    ("complaints", "lapor", "lapor_sample.json"),
    ("complaints", "csv", "complaints_mrk.csv"),
    ("traffic", "atcs", "atcs_counts.csv"),
    ("traffic", "atcs", "atcs_counts.json"),
    ("traffic", "pems", "pems_station_5min.txt"),
    ("traffic", "datex2", "datex2_measured.xml"),
]
PROPS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_STORE_DIR = tempfile.mkdtemp(prefix="layers-props-")


def _run(data: bytes, kind: str, fmt: str, origin: str, ctx: CityContext) -> tuple[int, int]:
    """Parse, validate and store; returns (accepted records, rejections)."""
    acc = rej = 0
    try:
        batches = list(read_payload(data, kind=kind, fmt=fmt, origin=origin, batch_size=7))
    except InputError:
        # Only a CSV whose header lacks required columns is refused as a whole file.
        assert fmt in ("csv", "atcs")
        return 0, 0
    with Store(Path(_STORE_DIR) / f"{kind}-{fmt}.sqlite") as store:
        for b in batches:
            assert isinstance(b, Batch)
            (validate_complaints if kind == "complaints" else validate_observations)(b, ctx)
            for r in b.rejected:
                assert r.reason
                assert r.detail
                assert isinstance(r.raw, str)
            store.write_batch(b)
            acc += len(b.records)
            rej += len(b.rejected)
    return acc, rej


@PROPS
@given(data=st.binary(max_size=2000), case=st.sampled_from(CASES))
def test_random_bytes_never_crash(
    data: bytes, case: tuple[str, str, str], ctx: CityContext
) -> None:
    kind, fmt, name = case
    _run(data, kind, fmt, name, ctx)


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[tuple[str, str, str], bytes]:
    case = draw(st.sampled_from(CASES))
    data = bytearray((SAMPLES / case[2]).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i : i + draw(st.integers(1, 40))]
        elif op == "insert":
            data[i:i] = draw(
                st.sampled_from(
                    [
                        b",",
                        b";",
                        b'"',
                        b"\n",
                        b"{",
                        b"]",
                        b"<",
                        b"\x00",
                        b"\xff",
                        b"NaN",
                        b"-1e999",
                        b"9" * 30,
                    ]
                )
            )
        else:
            data[i:i] = data[i : i + draw(st.integers(1, 80))]
    return case, bytes(data)


@PROPS
@given(m=_mutated())
def test_mutated_samples_never_crash(
    m: tuple[tuple[str, str, str], bytes], ctx: CityContext
) -> None:
    (kind, fmt, name), data = m
    _run(data, kind, fmt, name, ctx)


_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["2026-11-20T08:00:00+07:00", "3.59", "98.67", "open", "Selesai", "ATCS-1", "SM"]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(
        st.sampled_from(["lat", "lng", "alamat"]), st.floats() | st.text(max_size=5), max_size=3
    ),
)
_OPEN311_KEYS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "requested_datetime",
    "updated_datetime",
    "lat",
    "long",
    "address",
    "media_url",
    "agency_responsible",
]
_LAPOR_KEYS = [
    "tracking_id",
    "judul",
    "isi",
    "kategori",
    "status",
    "instansi_tujuan",
    "tanggal_lapor",
    "tanggal_update",
    "lokasi",
    "lampiran",
]
_ATCS_KEYS = [
    "site_id",
    "interval_start",
    "interval_s",
    "interval_min",
    "approach",
    "vehicle_class",
    "count",
    "speed_kmh",
    "occupancy",
    "quality",
    "updated_at",
]


@PROPS
@given(
    case=st.sampled_from(
        [
            ("complaints", "open311", _OPEN311_KEYS),
            ("complaints", "lapor", _LAPOR_KEYS),
            ("traffic", "atcs", _ATCS_KEYS),
        ]
    ),
    items=st.data(),
)
def test_every_json_item_is_accepted_or_quarantined(
    case: tuple[str, str, list[str]], items: st.DataObject, ctx: CityContext
) -> None:
    kind, fmt, keys = case
    objs = items.draw(st.lists(st.dictionaries(st.sampled_from(keys), _value), max_size=12))
    data = json.dumps(objs, default=str).encode()
    acc, rej = _run(data, kind, fmt, f"x.{fmt}.json", ctx)
    assert acc + rej == len(objs)


@PROPS
@given(
    rows=st.lists(
        st.lists(
            st.text(max_size=12) | st.sampled_from(["3.59", "98.67", "2026-11-20 08:00"]),
            min_size=1,
            max_size=9,
        ),
        max_size=15,
    )
)
def test_every_csv_row_is_accepted_or_quarantined(rows: list[list[str]], ctx: CityContext) -> None:
    header = [
        "source_id",
        "category",
        "description",
        "status",
        "requested_at",
        "updated_at",
        "lat",
        "lon",
    ]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8", "surrogatepass")
    acc, rej = _run(data, "complaints", "csv", "x.csv", ctx)
    # csv.writer turns a row of one empty field into '""', which reads back as one field.
    assert acc + rej == len(rows)


def test_formats_cover_the_cases() -> None:
    assert {(k, f) for k, f, _ in CASES} == {(k, f) for k, fs in FORMATS.items() for f in fs}

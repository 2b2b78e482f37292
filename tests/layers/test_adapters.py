"""Every adapter on hand-written payloads in the real formats, validated against Medan."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from layers.adapters import (
    load_mapping,
    parse_services,
    read_file,
    read_payload,
    services_lookup,
)
from layers.context import CityContext
from layers.records import Batch
from layers.validate import validate_complaints, validate_observations
from twin.errors import InputError


def _read(path: Path, ctx: CityContext, **kw: object) -> Batch:
    """All batches of a file, validated, merged into one."""
    out: Batch | None = None
    for b in read_file(path, tz=ctx.timezone, **kw):  # type: ignore[arg-type]
        (validate_complaints if b.kind == "complaints" else validate_observations)(b, ctx)
        if out is None:
            out = b
        else:
            out.records += b.records
            out.rejected += b.rejected
    assert out is not None
    return out


def _reasons(b: Batch) -> Counter[str]:
    return Counter(r.reason for r in b.rejected)


def test_open311_json(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "open311_requests.json", ctx, kind="complaints", fmt="open311")
    ids = {r.source_id: r for r in b.records}
    assert set(ids) == {"MRK-2026-000101", "MRK-2026-000102", "MRK-2026-000103", "MRK-2026-000104"}
    assert _reasons(b) == {"missing_field": 1, "outside_city": 1, "future_time": 1}
    r101 = ids["MRK-2026-000101"]
    assert (r101.category, r101.status, r101.opd) == (
        "jalan_rusak",
        "open",
        "Dinas SDABMBK Kota Medan",
    )
    assert r101.kec_code == "12.71.01"
    assert r101.kel_code.startswith("12.71.01.")
    assert r101.h3.startswith("89")
    assert len(r101.h3) == 15
    assert ids["MRK-2026-000102"].status == "resolved"
    # An empty agency is routed by category.
    assert ids["MRK-2026-000102"].opd == "Dinas Lingkungan Hidup"
    # "closed" with rejection notes is a rejection, the raw status is kept.
    assert ids["MRK-2026-000103"].status == "rejected"
    assert ids["MRK-2026-000103"].status_raw == "rejected"
    other = ids["MRK-2026-000104"]
    assert other.category == "other"
    assert other.category_raw == "Kucing tetangga berisik"
    # Rejections name the record and keep it whole.
    rej = {r.reason: r for r in b.rejected}
    assert rej["missing_field"].origin.endswith("open311_requests.json#6")
    assert '"MRK-2026-000106"' in rej["missing_field"].raw
    assert "lat" in rej["missing_field"].detail


def test_untrusted_text_is_kept_exactly(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "open311_requests.json", ctx, kind="complaints", fmt="open311")
    xss = next(r for r in b.records if r.source_id == "MRK-2026-000102")
    assert xss.description == "<img src=x onerror=alert(1)>"
    b = _read(samples / "open311_requests.xml", ctx, kind="complaints", fmt="open311")
    assert b.records[0].description.endswith("<script>alert(1)</script>")


def test_open311_xml_with_and_without_services(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "open311_requests.xml", ctx, kind="complaints", fmt="open311")
    assert [r.source_id for r in b.records] == ["MRK-2026-000201", "MRK-2026-000202"]
    assert _reasons(b) == {"bad_time": 1}
    assert b.rejected[0].raw.startswith("<request>")
    # Only a service code: unknown without the service list...
    assert b.records[1].category == "other"
    # ... and known with it (JSON and XML service lists agree).
    for name in ("open311_services.json", "open311_services.xml"):
        fmt = "xml" if name.endswith("xml") else "json"
        svc = services_lookup(parse_services((samples / name).read_bytes(), origin=name, fmt=fmt))
        b = _read(
            samples / "open311_requests.xml", ctx, kind="complaints", fmt="open311", services=svc
        )
        assert b.records[1].category == "jalan_rusak"


def test_open311_xml_refuses_entities(ctx: CityContext) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;">]><service_requests><request>'
        b"<description>&b;</description></request></service_requests>"
    )
    (b,) = read_payload(bomb, kind="complaints", fmt="open311", origin="bomb.xml")
    assert not b.records
    assert b.rejected[0].reason == "bad_payload"


def test_lapor(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "lapor_sample.json", ctx, kind="complaints", fmt="lapor")
    ids = {r.source_id: r for r in b.records}
    assert set(ids) == {"5123456", "5123457", "5123458"}
    assert _reasons(b) == {"unknown_status": 1, "schema": 1}
    r = ids["5123456"]
    assert (r.source, r.category, r.status, r.status_raw) == (
        "lapor",
        "jalan_rusak",
        "in_progress",
        "Proses",
    )
    assert r.description.startswith("Jalan berlubang di Jl. Sisingamangaraja\nLubang besar")
    assert r.media_url.endswith("5123456-1.jpg")
    assert ids["5123457"].lat == pytest.approx(3.612)  # decimal comma
    assert ids["5123458"].description.endswith("<svg onload=alert(document.cookie)>")


def test_csv_with_mapping(samples: Path, ctx: CityContext) -> None:
    m = load_mapping(samples / "mrk_mapping.toml")
    b = _read(samples / "complaints_mrk.csv", ctx, kind="complaints", fmt="csv", mapping=m)
    assert [r.source_id for r in b.records] == ["T-0001", "T-0002", "T-0003", "T-0006"]
    assert {r.source for r in b.records} == {"mrk"}
    assert _reasons(b) == {"bad_number": 1, "schema": 1}
    assert sorted(r.origin.rsplit(":", 1)[1] for r in b.rejected) == ["5", "6"]
    assert b.records[2].description == "Parkir dua lapis; menutup jalan"
    assert b.records[0].updated_at > b.records[0].requested_at
    assert b.records[2].updated_at == b.records[2].requested_at


def test_csv_without_required_column_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("id,kategori\n1,sampah\n")
    with pytest.raises(InputError, match=r"x\.csv:1: missing columns"):
        list(read_file(f, kind="complaints", fmt="csv"))


def test_atcs_csv(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "atcs_counts.csv", ctx, kind="traffic", fmt="atcs")
    assert len(b.records) == 5
    assert _reasons(b) == {
        "unknown_site": 1,
        "implausible_count": 1,
        "implausible_speed": 1,
        "bad_vehicle_class": 1,
        "future_time": 1,
    }
    o = b.records[0]
    assert (o.site_id, o.approach, o.vehicle_class, o.count, o.interval_s) == (
        "ATCS-1",
        "U",
        "SM",
        412,
        300,
    )
    assert o.interval_start.utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
    unknown = next(r for r in b.rejected if r.reason == "unknown_site")
    assert unknown.raw.startswith("ATCS-28,")


def test_atcs_json(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "atcs_counts.json", ctx, kind="traffic", fmt="atcs")
    assert [(o.site_id, o.vehicle_class) for o in b.records] == [
        ("ATCS-5", "SM"),
        ("ATCS-5", "KR"),
        ("ATCS-5", "KB"),
        ("ATCS-6", "total"),
    ]
    assert b.records[3].interval_s == 900  # interval_min
    assert _reasons(b) == {"implausible_count": 1, "unknown_site": 1, "schema": 1}


def test_pems(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "pems_station_5min.txt", ctx, kind="traffic", fmt="pems")
    assert len(b.records) == 6  # two rows: station total + 2 lanes each
    first = b.records[0]
    assert (first.site_id, first.approach, first.count) == ("ATCS-1", "all", 410)
    assert first.speed_kmh == pytest.approx(31.2 * 1.609344)
    assert first.occupancy == pytest.approx(0.0812)
    assert b.records[3].quality == "imputed"
    assert b.records[3].speed_kmh is None
    # A row is quarantined once, whole, even though it holds three observations.
    assert _reasons(b) == {"unknown_site": 1, "schema": 1, "bad_time": 1}


def test_datex2(samples: Path, ctx: CityContext) -> None:
    b = _read(samples / "datex2_measured.xml", ctx, kind="traffic", fmt="datex2")
    assert [(o.site_id, o.count, o.speed_kmh, o.interval_s) for o in b.records] == [
        ("ATCS-3", 200.0, 23.5, 300),  # 2400 veh/h over 5 minutes
        ("ATCS-4", 100.0, None, 300),  # no period given: the default interval
    ]
    assert b.records[0].vehicle_class == "total"
    assert b.records[0].approach == "all"
    assert _reasons(b) == {"unknown_site": 1, "missing_field": 1}
    assert any("measurementSiteReference" in r.raw for r in b.rejected)


def test_invalid_payloads_are_quarantined_whole(ctx: CityContext) -> None:
    for fmt, kind in (("open311", "complaints"), ("lapor", "complaints"), ("atcs", "traffic")):
        (b,) = read_payload(b"{not json", kind=kind, fmt=fmt, origin=f"x.{fmt}.json")
        assert not b.records
        assert b.rejected[0].reason == "bad_payload"
        assert b.rejected[0].raw == "{not json"


def test_wrong_kind_or_format_is_an_input_error(samples: Path) -> None:
    with pytest.raises(InputError, match="not a traffic format"):
        list(read_file(samples / "atcs_counts.csv", kind="traffic", fmt="lapor"))
    with pytest.raises(InputError, match="no such file"):
        list(read_file(samples / "nope.csv", kind="traffic", fmt="atcs"))

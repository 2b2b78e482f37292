"""Canonical records: statuses, categories, times, site ids, the site registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from layers.categories import (
    CATEGORIES,
    OTHER,
    load_sla_overrides,
    normalize_category,
    route_opd,
    sla_days,
)
from layers.records import STATUSES, RecordError, normalize_status, parse_float, parse_time
from layers.simulate import CATEGORY_MIX
from layers.sites import SiteRegistry, normalize_site_id
from twin.errors import ConfigError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("open", "open"),
        ("Belum Terverifikasi", "open"),
        ("DIPROSES", "in_progress"),
        ("in-progress", "in_progress"),
        ("closed", "resolved"),
        ("Selesai", "resolved"),
        ("Ditolak", "rejected"),
        ("Diarsipkan", "rejected"),
        ("entah", None),
    ],
)
def test_status_words_map_to_the_four_statuses(raw: str, expected: str | None) -> None:
    assert normalize_status(raw) == expected
    assert expected is None or expected in STATUSES


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Jalan Rusak", "jalan_rusak"),
        ("Infrastruktur > Jalan Rusak", "jalan_rusak"),
        ("Banjir / Genangan", "banjir_drainase"),
        ("Sampah", "sampah"),
        ("PJU mati", "lampu_jalan"),
        ("Lampu lalu lintas mati", "lampu_lalu_lintas"),
        ("Parkir Liar", "parkir_liar"),
        ("Macet", "kemacetan"),
        ("Kucing hilang", OTHER),
        ("sampah", "sampah"),
    ],
)
def test_categories_normalize_medan_vocabulary(raw: str, code: str) -> None:
    assert normalize_category(raw) == code


def test_every_category_is_routed_and_has_an_sla() -> None:
    days = sla_days()
    for c in CATEGORIES:
        assert c.opd
        assert route_opd(c.code) == c.opd
        assert days[c.code] > 0
    assert route_opd("no-such-code") == route_opd(OTHER)
    assert set(CATEGORY_MIX) == {c.code for c in CATEGORIES}
    assert abs(sum(CATEGORY_MIX.values()) - 1) < 1e-9


def test_sla_overrides_from_toml(tmp_path: Path) -> None:
    f = tmp_path / "sla.toml"
    f.write_text("[sla_days]\nsampah = 1.5\n")
    assert sla_days(load_sla_overrides(f))["sampah"] == 1.5
    f.write_text("[sla_days]\nnope = 3\n")
    with pytest.raises(ConfigError, match="nope"):
        load_sla_overrides(f)


def test_times_naive_are_wib_and_offsets_are_kept() -> None:
    t = parse_time("2026-11-27 07:00:00", field_name="t")
    assert t.astimezone(dt.UTC).hour == 0
    assert parse_time("2026-11-27T00:00:00Z", field_name="t").utcoffset() == dt.timedelta(0)
    for bad in ("kemarin", "0001-01-01T00:00:00+07:00", "", None, True, [1]):
        with pytest.raises(RecordError):
            parse_time(bad, field_name="t")


def test_numbers_accept_decimal_comma_and_refuse_nan() -> None:
    assert parse_float("3,5952", field_name="lat") == pytest.approx(3.5952)
    for bad in ("nan", "inf", "tiga", True, {}):
        with pytest.raises(RecordError):
            parse_float(bad, field_name="x")


def test_site_ids_and_registry(atcs_csv: Path) -> None:
    assert normalize_site_id("ATCS-007") == "ATCS-7"
    assert normalize_site_id(" 12 ") == "ATCS-12"
    assert normalize_site_id("CCTV-1") is None
    reg = SiteRegistry.from_csv(atcs_csv)
    assert len(reg) == 111
    assert {"ATCS-1", "ATCS-115"} <= reg.ids
    assert not {"ATCS-28", "ATCS-58", "ATCS-102", "ATCS-112"} & reg.ids
    assert reg.site("ATCS-1")["alias"] == "Simpang Lapangan Merdeka"


@pytest.mark.slow
def test_registry_from_twin_is_matched(medan_twin) -> None:  # type: ignore[no-untyped-def]
    reg = SiteRegistry.from_twin(medan_twin)
    assert reg.matched
    assert len(reg) == 111
    assert reg.table["edge_id"].notna().all()
    assert (reg.table["edge_dist_m"] >= 0).all()

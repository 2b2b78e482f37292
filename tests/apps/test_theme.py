"""Palettes, legends, units and WIB times."""

from __future__ import annotations

import datetime as dt

import numpy as np

from apps import theme


def test_ramps_hit_their_end_colours_and_clip() -> None:
    out = theme.colour_ramp(np.array([-5.0, 0.0, 1.0, 9.0]), palette="viridis")
    assert out[0].tolist() == list(theme.VIRIDIS[0]) == out[1].tolist()
    assert out[2].tolist() == list(theme.VIRIDIS[-1]) == out[3].tolist()
    rev = theme.colour_ramp(np.array([0.0]), palette="viridis", reverse=True)
    assert rev[0].tolist() == list(theme.VIRIDIS[-1])
    assert theme.colour_ramp(np.array([np.nan]))[0].tolist() == [160, 160, 160]


def test_diverging_scale_is_symmetric_and_white_in_the_middle() -> None:
    s = theme.diverging_scale(2.0, label="Δ", unit="x")
    assert (s.vmin, s.vmax) == (-2.0, 2.0)
    mid = s.colours([0.0])[0].tolist()
    assert mid == list(theme.PUOR[5])
    worse, better = s.colours([2.0, -2.0])
    assert worse.tolist() == list(theme.PUOR[-1])
    assert better.tolist() == list(theme.PUOR[0])


def test_legend_escapes_its_text() -> None:
    html = theme.legend_html(theme.Scale("viridis", 0, 1, "<b>x</b>", "km/h"))
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;" in html
    assert "km/h" in html


def test_units_and_wib() -> None:
    assert theme.fmt_num(1234.5, unit="km", decimals=1) == "1,234.5 km"
    assert theme.fmt_delta(3.21, unit="%") == "+3.2 %"
    assert theme.fmt_delta(float("nan")) == "—"
    assert theme.fmt_wib(dt.datetime(2026, 1, 1, 17, 30, tzinfo=dt.UTC)) == "2026-01-02 00:30 WIB"
    assert theme.fmt_wib(0) == "1970-01-01 07:00 WIB"
    assert theme.fmt_wib("not a time") == "—"

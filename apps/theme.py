"""Colours, legends, units and times for every page: colour-blind-safe and offline.

Sequential values (V/C, speed, counts) use viridis or cividis; differences use the
purple-orange diverging scheme PuOr (ColorBrewer), which stays readable for the common forms
of colour blindness. Every scale comes with a legend (:func:`legend_html`) and every number
shown carries its unit (:func:`fmt_num`). Times are shown in WIB (Asia/Jakarta, UTC+7).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

WIB = ZoneInfo("Asia/Jakarta")

RGB = tuple[int, int, int]

#: Viridis at 9 evenly spaced stops (matplotlib's viridis, rounded).
VIRIDIS: tuple[RGB, ...] = (
    (68, 1, 84),
    (71, 45, 123),
    (59, 82, 139),
    (44, 114, 142),
    (33, 145, 140),
    (40, 174, 128),
    (94, 201, 98),
    (173, 220, 48),
    (253, 231, 37),
)
#: Cividis at 9 stops (optimised for colour-vision deficiency).
CIVIDIS: tuple[RGB, ...] = (
    (0, 34, 78),
    (18, 53, 112),
    (59, 73, 108),
    (87, 93, 109),
    (112, 113, 115),
    (138, 134, 120),
    (165, 156, 116),
    (196, 179, 103),
    (253, 234, 69),
)
#: PuOr (ColorBrewer, 11 classes) from purple (negative, better) to orange (positive, worse).
PUOR: tuple[RGB, ...] = (
    (45, 0, 75),
    (84, 39, 136),
    (128, 115, 172),
    (178, 171, 210),
    (216, 218, 235),
    (247, 247, 247),
    (254, 224, 182),
    (253, 184, 99),
    (224, 130, 20),
    (179, 88, 6),
    (127, 59, 8),
)

PALETTES: dict[str, tuple[RGB, ...]] = {"viridis": VIRIDIS, "cividis": CIVIDIS, "puor": PUOR}

#: Fixed colours of the maps (basemap drawn from the twin's own polygons, no tile server).
LAND_LIGHT: RGB = (236, 234, 226)
LAND_DARK: RGB = (28, 32, 40)
OUTLINE_LIGHT: RGB = (110, 110, 110)
OUTLINE_DARK: RGB = (150, 160, 175)
ROAD_NEUTRAL_LIGHT: RGB = (150, 150, 150)
ROAD_NEUTRAL_DARK: RGB = (85, 92, 105)
CLOSED_ROAD: RGB = (0, 0, 0)
SELECTED: RGB = (0, 114, 178)  # Okabe-Ito blue
ATCS_COLOUR: RGB = (0, 158, 115)  # Okabe-Ito bluish green
COMPLAINT_COLOUR: RGB = (230, 159, 0)  # Okabe-Ito orange
ALERT_COLOUR: RGB = (213, 94, 0)  # Okabe-Ito vermillion

#: Okabe-Ito qualitative colours for categories (complaint types, OPDs, scenarios).
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)


@dataclass(frozen=True)
class Scale:
    """A colour scale from ``vmin`` to ``vmax`` with its palette, label and unit."""

    palette: str
    vmin: float
    vmax: float
    label: str
    unit: str = ""
    reverse: bool = False

    def colours(self, values: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.uint8]:
        """RGB colours (``n x 3`` uint8) of ``values``; NaN becomes neutral grey."""
        return colour_ramp(
            np.asarray(values, dtype=float),
            palette=self.palette,
            vmin=self.vmin,
            vmax=self.vmax,
            reverse=self.reverse,
        )

    def stops(self, n: int = 5) -> list[tuple[float, RGB]]:
        """``n`` evenly spaced (value, colour) pairs for a legend."""
        vals = np.linspace(self.vmin, self.vmax, n)
        cols = self.colours(vals)
        return [
            (float(v), (int(c[0]), int(c[1]), int(c[2]))) for v, c in zip(vals, cols, strict=False)
        ]


def colour_ramp(
    values: npt.NDArray[np.float64],
    *,
    palette: str = "viridis",
    vmin: float = 0.0,
    vmax: float = 1.0,
    reverse: bool = False,
) -> npt.NDArray[np.uint8]:
    """Map values linearly onto a palette, clipping to ``[vmin, vmax]``.

    Parameters
    ----------
    values
        The values; NaN maps to mid grey.
    palette
        ``"viridis"``, ``"cividis"`` or ``"puor"``.
    vmin, vmax
        Ends of the scale.
    reverse
        Run the palette from its last colour to its first.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` uint8 RGB.

    Examples
    --------
    >>> colour_ramp(np.array([0.0, 1.0]), palette="viridis").tolist()
    [[68, 1, 84], [253, 231, 37]]
    """
    stops = np.asarray(PALETTES[palette], dtype=float)
    if reverse:
        stops = stops[::-1]
    span = vmax - vmin if vmax != vmin else 1.0
    t = np.clip((values - vmin) / span, 0.0, 1.0)
    pos = t * (len(stops) - 1)
    lo = np.floor(np.nan_to_num(pos)).astype(int)
    hi = np.minimum(lo + 1, len(stops) - 1)
    frac = (np.nan_to_num(pos) - lo)[:, None]
    out = stops[lo] * (1 - frac) + stops[hi] * frac
    out[np.isnan(values)] = (160, 160, 160)
    rgb: npt.NDArray[np.uint8] = np.rint(out).astype(np.uint8)
    return rgb


def diverging_scale(limit: float, *, label: str, unit: str = "") -> Scale:
    """A symmetric PuOr scale from ``-limit`` (purple, better) to ``+limit`` (orange, worse)."""
    lim = limit if limit > 0 and math.isfinite(limit) else 1.0
    return Scale("puor", -lim, lim, label, unit)


def rows(df: pd.DataFrame) -> Iterator[Any]:
    """The rows of a frame as named tuples (typed loosely: cells are mixed scalars)."""
    return iter(df.itertuples(index=False))


def rgb_hex(c: Sequence[int]) -> str:
    """``#rrggbb`` of an RGB triple."""
    return "#{:02x}{:02x}{:02x}".format(*(int(x) for x in c[:3]))


def legend_decimals(scale: Scale) -> int:
    """Decimals that keep a legend's ticks apart: two below a span of 1, none above 10.

    Examples
    --------
    >>> legend_decimals(diverging_scale(0.12, label="x"))
    2
    >>> legend_decimals(Scale("viridis", 0.0, 50.0, "y"))
    0
    """
    span = abs(scale.vmax - scale.vmin)
    return 2 if span < 1 else 1 if span < 10 else 0


def legend_html(scale: Scale, *, n: int = 5, dark: bool = False, decimals: int = 1) -> str:
    """A small HTML legend (gradient bar and ticks) for ``st.html``; all text is escaped."""
    stops = scale.stops(max(n, 2))
    grad = ", ".join(rgb_hex(c) for _, c in stops)
    fg = "#e8e8e8" if dark else "#222"
    ticks = "".join(f"<span>{html.escape(fmt_num(v, decimals=decimals))}</span>" for v, _ in stops)
    unit = f" ({html.escape(scale.unit)})" if scale.unit else ""
    return (
        f'<div class="twin-legend" style="color:{fg};font-size:0.85rem;max-width:360px">'
        f"<div><b>{html.escape(scale.label)}</b>{unit}</div>"
        f'<div style="height:12px;border-radius:3px;background:linear-gradient(to right, {grad})">'
        "</div>"
        f'<div style="display:flex;justify-content:space-between">{ticks}</div></div>'
    )


def swatch_legend_html(items: Sequence[tuple[str, Sequence[int]]], *, dark: bool = False) -> str:
    """A legend of coloured swatches (label, colour); labels are escaped."""
    fg = "#e8e8e8" if dark else "#222"
    parts = [
        f'<span style="margin-right:14px;white-space:nowrap"><span style="display:inline-block;'
        f"width:12px;height:12px;border-radius:2px;background:{rgb_hex(c)};margin-right:4px;"
        f'vertical-align:middle"></span>{html.escape(label)}</span>'
        for label, c in items
    ]
    return f'<div class="twin-legend" style="color:{fg};font-size:0.85rem">{"".join(parts)}</div>'


def fmt_num(value: float | int | None, *, unit: str = "", decimals: int = 0) -> str:
    """A number with thousands separators, sign-aware, and its unit (``"—"`` for missing).

    Examples
    --------
    >>> fmt_num(2435252, unit="jiwa")
    '2,435,252 jiwa'
    >>> fmt_num(-1.234, unit="km/h", decimals=1)
    '-1.2 km/h'
    >>> fmt_num(None)
    '—'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    s = f"{value:,.{decimals}f}"
    return f"{s} {unit}".strip()


def fmt_delta(value: float | None, *, unit: str = "", decimals: int = 1) -> str:
    """A signed difference with unit, e.g. ``"+3.2 %"``."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:+,.{decimals}f} {unit}".strip()


def to_wib(ts: dt.datetime | str | float | None) -> dt.datetime | None:
    """A time converted to WIB; naive datetimes and strings without offset are taken as UTC."""
    if ts is None:
        return None
    if isinstance(ts, int | float):
        d = dt.datetime.fromtimestamp(float(ts), tz=dt.UTC)
    elif isinstance(ts, str):
        try:
            d = dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        d = ts
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d.astimezone(WIB)


def fmt_wib(ts: dt.datetime | str | float | None, *, seconds: bool = False) -> str:
    """``"2026-11-28 12:41 WIB"`` (``"—"`` when missing).

    Examples
    --------
    >>> fmt_wib("2026-11-28T05:41:00+00:00")
    '2026-11-28 12:41 WIB'
    """
    d = to_wib(ts)
    if d is None:
        return "—"
    return d.strftime("%Y-%m-%d %H:%M:%S WIB" if seconds else "%Y-%m-%d %H:%M WIB")


def now_wib() -> dt.datetime:
    """The current time in WIB."""
    return dt.datetime.now(WIB)


#: CSS shared by the pages: larger type for the wall, no external fonts.
BASE_CSS = """
<style>
html, body, [class*="css"] { font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Noto Sans", "DejaVu Sans", sans-serif; }
.twin-badge { display:inline-block; padding:2px 8px; border-radius:10px; font-size:0.8rem;
  font-weight:600; margin-right:6px; }
.twin-badge.synthetic { background:#F0E442; color:#222; }
.twin-badge.simulated { background:#CC79A7; color:#111; }
.twin-badge.real { background:#009E73; color:#fff; }
.twin-badge.stale { background:#D55E00; color:#fff; }
.twin-attrib { font-size:0.75rem; opacity:0.8; }
</style>
"""

WALL_CSS = """
<style>
.stApp { background:#0d1117; color:#e8e8e8; }
[data-testid="stHeader"] { background:#0d1117; }
[data-testid="stHeader"] * { color:#c9d1d9; }
[data-testid="stSidebar"] { display:none; }
.block-container { padding-top:3.6rem; padding-bottom:0.2rem; max-width:100% !important; }
[data-testid="stVerticalBlock"] { gap:0.5rem; }
.wall-title { font-size:clamp(1.4rem, 1.9vw, 3.8rem); line-height:1.15; font-weight:700;
  color:#f5f5f5; }
.wall-clock { font-size:clamp(1.3rem, 1.7vw, 3.4rem); color:#9ecae1; text-align:right; }
.wall-tile { background:#161b22; border:1px solid #30363d; border-radius:10px;
  padding:0.6vw 0.9vw; margin-bottom:0.6vw; }
.wall-tile .lbl { font-size:clamp(0.9rem, 1.0vw, 2rem); color:#b0b8c4; }
.wall-tile .val { font-size:clamp(1.8rem, 2.6vw, 5.2rem); font-weight:700; color:#ffffff;
  line-height:1.1; }
.wall-tile .sub { font-size:clamp(0.85rem, 0.9vw, 1.8rem); color:#c9d1d9; }
.wall-tile .sub.bad { color:#ff9e4a; }
.wall-tile .sub.good { color:#9ecae1; }
.wall-list { font-size:clamp(0.85rem, 0.9vw, 1.8rem); color:#e8e8e8; }
.stApp .twin-badge { font-size:clamp(0.8rem, 0.7vw, 1.6rem); }
.stApp .twin-attrib { font-size:clamp(0.75rem, 0.55vw, 1.3rem); }
.stApp .twin-legend { font-size:clamp(0.85rem, 0.8vw, 1.7rem) !important;
  max-width:clamp(360px, 22vw, 900px) !important; }
.wall-alert { background:#3b1d0a; border-left:6px solid #D55E00; padding:0.3vw 0.6vw;
  margin-bottom:0.3vw; font-size:clamp(0.9rem, 1vw, 2rem); color:#ffd8b5; }
</style>
"""

#: Kiosk mode: nothing but the wall (no navigation bar, no toolbar).
KIOSK_CSS = """
<style>
[data-testid="stHeader"], [data-testid="stToolbar"] { display:none; }
.block-container { padding-top:0.4rem; }
</style>
"""

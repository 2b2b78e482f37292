"""End to end in headless Chromium: every page draws its map, clicks select roads, a scenario
runs, the wall refreshes itself, the language switches, hostile text stays text, and no
request leaves localhost. Screenshots of every page go to test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import geopandas as gpd
import pytest
import shapely

from tests.apps.apps_helpers import XSS, shot
from twin.model import Twin

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

MAP = "[data-testid=stDeckGlJsonChart]"
CANVAS = f"{MAP} canvas"
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


def assert_only_local(requests: list[str]) -> None:
    """Every request went to the app itself (or stayed inside the page: blob:, data:)."""
    outside = [
        u
        for u in requests
        if urlparse(u).scheme not in ("blob", "data") and urlparse(u).hostname not in LOCAL_HOSTS
    ]
    assert requests, "no request recorded at all"
    assert outside == [], f"requests left localhost: {outside[:5]}"


def wait_map(page: Any, *, index: int = 0, timeout: float = 60_000) -> Any:
    """Wait until the index-th map has a canvas with something drawn on it."""
    page.locator(CANVAS).nth(index).wait_for(state="visible", timeout=timeout)
    page.wait_for_function(
        """(i) => {
             const c = document.querySelectorAll('[data-testid=stDeckGlJsonChart] canvas')[i];
                    return c && c.width > 100 && c.height > 100; }""",
        arg=index,
        timeout=timeout,
    )
    page.wait_for_timeout(2500)  # deck.gl draws on the next animation frames
    return page.locator(MAP).nth(index)


def drawn_pixels(png: bytes) -> list[tuple[int, int, tuple[int, int, int]]]:
    """Saturated pixels of a map screenshot (roads, cells, sites; not land, not outlines)."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = im.size
    px = im.load()
    out = []
    for y in range(0, h, 2):
        for x in range(0, w, 2):
            r, g, b = px[x, y]
            if max(r, g, b) - min(r, g, b) > 60:
                out.append((x, y, (r, g, b)))
    return out


def lonely_main_road(twin: Twin) -> tuple[int, str, str, float, float]:
    """A main road far from any ATCS site: (edge id, name, kecamatan, lon, lat of its middle)."""
    e = twin.edges
    e = e[e["highway"].isin(["primary", "secondary"]) & (e["length_m"] > 250)]
    e = e[e["kec_code"] != "outside"]
    mid = gpd.GeoSeries(e.geometry.to_crs(32647).interpolate(0.5, normalized=True)).to_crs(4326)
    sites = (
        gpd.GeoSeries(shapely.points(twin.atcs_sites[["lon", "lat"]].to_numpy()), crs=4326)
        .to_crs(32647)
        .union_all()
    )
    far = mid.to_crs(32647).distance(sites)
    i = int(far.to_numpy().argmax())
    p = mid.iloc[i]
    row = e.iloc[i]
    return int(row["edge_id"]), str(row["name"]), str(row["kec_code"]), float(p.x), float(p.y)


def wait_idle(page: Any, *, timeout: float = 60_000) -> None:
    """Wait until the app's script is not running: a click during a rerun can land on a map
    that is about to be replaced."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidgetRunningIcon]')",
        timeout=timeout,
    )


def click_nearest_drawn(page: Any, map_el: Any) -> None:
    """Click the drawn (saturated) pixel nearest the map's centre."""
    wait_idle(page)
    box = map_el.bounding_box()
    pts = drawn_pixels(map_el.screenshot())
    assert pts, "the map shows nothing but land"
    cx, cy = box["width"] / 2, box["height"] / 2
    x, y, _ = min(pts, key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)
    page.mouse.move(box["x"] + x - 3, box["y"] + y)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + x, box["y"] + y)


PATHS = {"planner": "/", "wall": "/wall", "story": "/story"}


@pytest.mark.parametrize("name", list(PATHS))
def test_page_draws_its_map(app_url: str, app_page: Any, name: str) -> None:
    app_page.goto(f"{app_url}{PATHS[name]}")
    map_el = wait_map(app_page)
    assert len(drawn_pixels(map_el.screenshot())) > 200, "map canvas is empty"
    # provenance is visible on every page: the road network is synthetic
    assert app_page.get_by_text(re.compile("SINTETIS")).first.is_visible()
    shot(app_page, f"{name}-id")
    assert_only_local(app_page.requests_seen)


def test_about_page_lists_provenance(app_url: str, app_page: Any) -> None:
    app_page.goto(f"{app_url}/about")
    app_page.get_by_text("cahyadsn/wilayah_boundaries").first.wait_for(timeout=60_000)
    app_page.wait_for_timeout(1500)
    app_page.get_by_text(re.compile("SIMULASI")).first.wait_for(timeout=30_000)
    shot(app_page, "about-id")
    assert_only_local(app_page.requests_seen)


def test_click_selects_road_then_scenario_runs(
    app_url: str, app_page: Any, medan_twin: Twin
) -> None:
    eid, name, kec, lon, lat = lonely_main_road(medan_twin)
    same_street = set(medan_twin.edges.loc[medan_twin.edges["name"] == name, "edge_id"].astype(int))
    app_page.goto(f"{app_url}/?focus={kec}&view={lon},{lat},16")
    map_el = wait_map(app_page)
    click_nearest_drawn(app_page, map_el)
    sidebar = app_page.locator("[data-testid=stSidebar]")
    picked = sidebar.get_by_text(re.compile(r"#\d+ "))
    picked.first.wait_for(timeout=30_000)
    ids = {int(m) for m in re.findall(r"#(\d+) ", picked.first.inner_text())}
    assert ids, "nothing picked"
    assert ids <= same_street, f"picked {ids}, expected a link of {name!r} ({eid})"
    shot(app_page, "planner-selected")

    sidebar.get_by_role("button", name="Tambahkan ke skenario").first.click()
    app_page.get_by_text(re.compile(r"Tutup \d+ ruas")).first.wait_for(timeout=30_000)
    app_page.get_by_role("button", name="Jalankan skenario").click()
    app_page.get_by_text(re.compile(r"Selesai dalam")).first.wait_for(timeout=120_000)
    # the result: KPI deltas and a difference map
    app_page.get_by_text("Peta perbedaan").first.wait_for(timeout=30_000)
    wait_map(app_page, index=1)
    assert app_page.get_by_text("Jam-kendaraan (VHT)").first.is_visible()
    assert "sc=" in app_page.url  # the share link of the scenario just run
    shot(app_page, "planner-result")
    # who wins, who loses: the zone map (the third map on the page) and its two tables
    heading = app_page.get_by_text("Siapa untung, siapa rugi").first
    heading.wait_for(timeout=30_000)
    heading.evaluate("e => e.scrollIntoView({block: 'start'})")
    wait_map(app_page, index=2)
    assert app_page.get_by_text("Zona yang dirugikan (lebih lambat)").first.is_visible()
    assert app_page.get_by_text("menit/perjalanan").first.is_visible()
    shot(app_page, "planner-zones")
    assert_only_local(app_page.requests_seen)


def test_wall_refreshes_by_itself(app_url: str, app_page: Any) -> None:
    app_page.set_viewport_size({"width": 1920, "height": 1080})
    app_page.goto(f"{app_url}/wall?refresh=3")
    wait_map(app_page)
    clock = app_page.locator("[data-testid=wall-clock]")
    first = clock.inner_text()
    app_page.wait_for_function(
        "(t) => { const c = document.querySelector('[data-testid=wall-clock]');"
        " return c && c.innerText !== t; }",
        arg=first,
        timeout=20_000,
    )
    assert clock.inner_text() != first
    shot(app_page, "wall-1920x1080")
    assert_only_local(app_page.requests_seen)


def test_wall_at_4k(app_url: str, app_page: Any) -> None:
    app_page.set_viewport_size({"width": 3840, "height": 2160})
    app_page.goto(f"{app_url}/wall?kiosk=1&lang=en&zoom=11&height=1150")
    wait_map(app_page)
    # tiles scale with the viewport: the KPI value is large enough to read across a room
    size = app_page.locator(".wall-tile .val").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 80, size
    shot(app_page, "wall-3840x2160-kiosk-en")


def test_language_switch(app_url: str, app_page: Any) -> None:
    app_page.goto(f"{app_url}/")
    wait_map(app_page)
    assert app_page.get_by_role("heading", name="Perencana skenario").is_visible()
    app_page.get_by_role("radio", name="English").first.click()
    app_page.get_by_role("heading", name="Scenario planner").wait_for(timeout=30_000)
    assert "lang=en" in app_page.url
    # the choice follows to the other pages
    app_page.get_by_role("link", name="Presentation").first.click()
    wait_map(app_page, timeout=120_000)
    app_page.get_by_role("heading", name="1. Medan at a glance").wait_for(timeout=120_000)
    shot(app_page, "story-en")
    assert_only_local(app_page.requests_seen)


def test_hostile_complaint_is_text(app_url: str, app_page: Any) -> None:
    app_page.goto(f"{app_url}/wall")
    wait_map(app_page)
    node = app_page.get_by_text(XSS, exact=False).first
    node.wait_for(timeout=30_000)
    assert "<img src=x" in node.inner_text()
    assert app_page.evaluate("() => window.__xss === undefined")
    assert app_page.locator("img[src='x']").count() == 0
    assert_only_local(app_page.requests_seen)


def test_story_exports_offline_html(
    app_url: str, app_page: Any, chromium: Any, tmp_path: Path
) -> None:
    app_page.goto(f"{app_url}/story")
    wait_map(app_page)
    with app_page.expect_download(timeout=120_000) as dl:
        app_page.get_by_role("button", name=re.compile("Unduh presentasi")).click()
    path = tmp_path / "story.html"
    dl.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "<script src=" not in text
    assert "<link " not in text
    ctx = chromium.new_context(offline=True, viewport={"width": 1300, "height": 900})
    pg = ctx.new_page()
    seen: list[str] = []
    pg.on("request", lambda r: seen.append(r.url))
    pg.goto(path.as_uri())
    pg.locator("#map0 canvas").wait_for(timeout=60_000)
    pg.wait_for_timeout(2000)
    assert len(drawn_pixels(pg.locator("#map0").screenshot())) > 200
    assert all(u.startswith(("file:", "blob:", "data:")) for u in seen), seen
    shot(pg, "story-export-offline")
    ctx.close()

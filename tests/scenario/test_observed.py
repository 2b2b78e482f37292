"""Observed (layers) versus modelled (baseline) traffic at the ATCS sites.

The observations here come from the layers' traffic simulator through a real SQLite store,
so the join is exercised end to end; they are labelled simulated, and so is the comparison.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from layers.context import CityContext
from layers.ingest import ingest_batches
from layers.simulate import as_batch, simulate_traffic
from layers.sites import SiteRegistry
from layers.store import Store
from layers.traffic import edge_speed_flow, site_speed_flow
from sim.baseline import Baseline
from sim.observed import geh, observed_vs_modelled
from twin.errors import InputError
from twin.model import Twin
from twin.road_defaults import mean_pcu_per_vehicle

pytestmark = pytest.mark.slow

WIB = dt.timezone(dt.timedelta(hours=7))


def test_observed_vs_modelled_at_atcs_sites(
    medan_twin: Twin, am_baseline: Baseline, tmp_path: Path
) -> None:
    ctx = CityContext.from_twin(medan_twin)
    at = dt.datetime(2026, 11, 25, 8, 0, tzinfo=WIB)  # end of a weekday AM peak hour
    obs = simulate_traffic(ctx, start=at - dt.timedelta(hours=1), end=at, seed=5, twin=medan_twin)
    with Store(tmp_path / "feeds.sqlite") as store:
        ingest_batches([as_batch(obs, kind="traffic")], store, ctx, now=at)
        sites = site_speed_flow(store, at=at)
    observed = edge_speed_flow(sites, SiteRegistry.from_twin(medan_twin), edges=medan_twin.edges)
    table = observed_vs_modelled(observed, am_baseline.links)
    matched = medan_twin.atcs_sites["edge_id"].notna().sum()
    assert len(table) == matched > 100
    assert table["simulated"].all()  # the observed side is simulated and says so
    row = table.iloc[0]
    link = am_baseline.links.set_index("edge_id").loc[int(row["edge_id"])]
    assert row["modelled_flow_veh_h"] == pytest.approx(
        link["flow"] / mean_pcu_per_vehicle(str(link["highway"]))
    )
    assert row["modelled_speed_kmh"] == pytest.approx(link["speed_kmh"])
    assert np.isfinite(table["geh"]).all()
    assert (table["observed_speed_kmh"] > 0).all()


def test_geh_and_missing_columns() -> None:
    assert geh([100.0], [100.0])[0] == 0.0
    assert geh([300.0], [100.0])[0] == pytest.approx(np.sqrt(2 * 200**2 / 400))
    with pytest.raises(InputError, match="missing column"):
        observed_vs_modelled(pd.DataFrame({"site_id": ["A"]}), pd.DataFrame())

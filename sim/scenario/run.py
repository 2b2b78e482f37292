"""Run a scenario: apply it to the cached baseline and re-solve, warm-started from the baseline.

The fast path the app uses: :func:`sim.baseline.load_baseline` once (from the disk cache when
nothing changed), then :func:`run_scenario` per what-if, with a progress callback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from sim.assignment import AssignmentResult, assign
from sim.baseline import (
    Baseline,
    BaselineSettings,
    ProgressFn,
    gap_progress,
    kpis,
    link_table,
    load_baseline,
)
from sim.scenario.apply import AppliedScenario, apply_scenario
from sim.scenario.schema import Scenario, load_scenario, parse_scenario
from twin.model import Twin
from twin.settings import Settings


@dataclass
class ScenarioRun:
    """A solved scenario next to the baseline it started from.

    Attributes
    ----------
    scenario
        The validated scenario.
    baseline
        The baseline of the scenario's period.
    applied
        The changed network and demand, and what each change touched.
    result
        The scenario's assignment result.
    links
        Per-link table of the scenario (:func:`sim.baseline.link_table`).
    kpis
        Network-wide figures (:func:`sim.baseline.kpis`).
    seconds
        Wall time of apply + assignment.
    """

    scenario: Scenario
    baseline: Baseline
    applied: AppliedScenario
    result: AssignmentResult
    links: pd.DataFrame
    kpis: dict[str, float]
    seconds: float

    @property
    def snapshot_id(self) -> str:
        """The twin snapshot both ran on."""
        return self.baseline.snapshot_id


def as_scenario(scenario: Scenario | dict[str, Any] | str | Path) -> Scenario:
    """A validated :class:`Scenario` from a scenario object, a plain dict or a TOML path.

    A :class:`Scenario` built in code is validated too (through its canonical dict), so an
    object and a file get the same checks and the same errors.
    """
    if isinstance(scenario, Scenario):
        checked = parse_scenario(scenario.to_dict(), source=scenario.source)
        return replace(checked, extra=scenario.extra)
    if isinstance(scenario, dict):
        return parse_scenario(scenario)
    return load_scenario(scenario)


def run_scenario(
    scenario: Scenario | dict[str, Any] | str | Path,
    *,
    twin: Twin,
    baseline: Baseline | None = None,
    baseline_settings: BaselineSettings | None = None,
    gap: float | None = None,
    max_iter: int | None = None,
    max_seconds: float | None = None,
    warm_start: bool = True,
    progress: ProgressFn | None = None,
    app_settings: Settings | None = None,
) -> ScenarioRun:
    """Apply a scenario to the baseline and solve it.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, a plain dict in the same format (built by the app) or a TOML path.
    twin
        The snapshot the baseline was built on.
    baseline
        A loaded baseline. If missing, or of another period than the scenario's, the
        baseline of the scenario's period is loaded (from the cache when possible).
    baseline_settings
        Settings of the baseline to load (the scenario's period overrides ``period``).
    gap
        Target relative gap (default: the baseline's).
    max_iter, max_seconds
        Limits of the scenario's assignment.
    warm_start
        Start from the baseline's solution (the engine falls back to a cold start when the
        baseline's state does not fit, e.g. after links were added).
    progress
        ``progress(stage, fraction)`` as the run goes (fraction in [0, 1]).
    app_settings
        Where the baseline cache lives.

    Returns
    -------
    ScenarioRun
    """
    report: ProgressFn = progress or (lambda stage, frac: None)
    sc = as_scenario(scenario)
    if baseline is None or baseline.period != sc.period:
        base_settings = replace(
            baseline.settings
            if baseline is not None
            else (baseline_settings or BaselineSettings()),
            period=sc.period,
        )
        report("baseline", 0.0)
        baseline = load_baseline(twin, settings=base_settings, app_settings=app_settings)
    if baseline.snapshot_id != twin.snapshot_id:
        raise ValueError(f"baseline of {baseline.snapshot_id} used with twin {twin.snapshot_id}")
    t0 = time.perf_counter()
    report("applying changes", 0.02)
    applied = apply_scenario(
        sc, twin=twin, tn=baseline.tn, model=baseline.model, demand=baseline.demand
    )
    report("assignment", 0.05)
    target = baseline.settings.gap if gap is None else gap
    result = assign(
        applied.network,
        applied.demand,
        gap=target,
        max_iter=max_iter or baseline.settings.max_iter,
        algorithm=baseline.settings.algorithm,
        max_seconds=max_seconds,
        warm_start=baseline.result if warm_start else None,
        progress=gap_progress(report, target, 0.05, 0.98),
    )
    links = link_table(baseline.tn, result, network=applied.network, links=applied.links)
    seconds = time.perf_counter() - t0
    report("done", 1.0)
    return ScenarioRun(
        scenario=sc,
        baseline=baseline,
        applied=applied,
        result=result,
        links=links,
        kpis=kpis(links, result),
        seconds=seconds,
    )

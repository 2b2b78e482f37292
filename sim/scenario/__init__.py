"""What-if scenarios on the twin: a declarative format, selections, changes, runs, comparisons.

Build a scenario from a TOML file (:func:`load_scenario`) or a plain dict
(:func:`parse_scenario`), run it against the cached baseline (:func:`run_scenario`), compare
(:func:`compare`) and save (:func:`save_results`).
"""

from sim.scenario.apply import FLOOD_FACTORS, AppliedScenario, apply_scenario
from sim.scenario.compare import (
    Comparison,
    compare,
    kpi_table,
    load_summary,
    save_results,
    zone_changes,
)
from sim.scenario.run import ScenarioRun, as_scenario, run_scenario
from sim.scenario.schema import (
    Close,
    Event,
    Flood,
    Growth,
    Modify,
    NewLink,
    Scenario,
    ScenarioError,
    Selection,
    load_scenario,
    parse_scenario,
)
from sim.scenario.selection import select_edges, select_zones

__all__ = [
    "FLOOD_FACTORS",
    "AppliedScenario",
    "Close",
    "Comparison",
    "Event",
    "Flood",
    "Growth",
    "Modify",
    "NewLink",
    "Scenario",
    "ScenarioError",
    "ScenarioRun",
    "Selection",
    "apply_scenario",
    "as_scenario",
    "compare",
    "kpi_table",
    "load_scenario",
    "load_summary",
    "parse_scenario",
    "run_scenario",
    "save_results",
    "select_edges",
    "select_zones",
    "zone_changes",
]

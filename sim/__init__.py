"""Traffic simulation: demand, static user-equilibrium assignment, what-if scenarios."""

from sim.assignment import AssignmentResult, assign, link_travel_time, relative_gap
from sim.network import Demand, Network
from sim.tntp import read_flows, read_network, read_trips

__all__ = [
    "AssignmentResult",
    "Demand",
    "Network",
    "assign",
    "link_travel_time",
    "read_flows",
    "read_network",
    "read_trips",
    "relative_gap",
]

# --- demand, baseline and what-if scenarios on the twin (issue 4) ---
from sim.baseline import (
    Baseline,
    BaselineSettings,
    build_baseline,
    cached_baseline_kpis,
    load_baseline,
)
from sim.demand import (
    DemandModel,
    build_demand_model,
    load_demand_config,
    load_population_table,
)
from sim.from_twin import TwinNetwork, network_from_twin
from sim.observed import observed_vs_modelled
from sim.scenario import (
    Comparison,
    Scenario,
    ScenarioRun,
    compare,
    load_scenario,
    parse_scenario,
    run_scenario,
    save_results,
)
from sim.zones import ZoneSystem, build_zones

__all__ += [
    "Baseline",
    "BaselineSettings",
    "Comparison",
    "DemandModel",
    "Scenario",
    "ScenarioRun",
    "TwinNetwork",
    "ZoneSystem",
    "build_baseline",
    "build_demand_model",
    "build_zones",
    "cached_baseline_kpis",
    "compare",
    "load_baseline",
    "load_demand_config",
    "load_population_table",
    "load_scenario",
    "network_from_twin",
    "observed_vs_modelled",
    "parse_scenario",
    "run_scenario",
    "save_results",
]

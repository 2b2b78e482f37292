"""Traffic simulation: demand, static user-equilibrium assignment, what-if scenarios."""

from sim.network import Demand, Network

__all__ = ["Demand", "Network"]

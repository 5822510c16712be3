"""A GitHub REST API simulator on 127.0.0.1 that follows the documented behaviour of fine-grained tokens."""

from tests.simulator.server import GitHubSimulator, load_scenario, scenario_names

__all__ = ["GitHubSimulator", "load_scenario", "scenario_names"]

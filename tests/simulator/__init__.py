"""A GitHub REST API simulator on 127.0.0.1 that follows the documented behaviour of fine-grained tokens."""

from tests.simulator.server import GitHubSimulator, QuickHTTPServer, load_scenario, raw_scenarios, scenario_names

__all__ = ["GitHubSimulator", "QuickHTTPServer", "load_scenario", "raw_scenarios", "scenario_names"]

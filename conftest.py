"""Root conftest: makes the compliance plugin (options, hooks, fixtures) available to `pytest compliance/`."""

pytest_plugins = ("compliance.plugin",)

"""Fleet mode: many orgs checked in one process, each through the single-org pipeline, and a fleet summary."""

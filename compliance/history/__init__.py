"""The tamper-evident history of runs: one hash-chained record per run, kept for the whole audit period."""

"""The checking wing: facts derived once from the evidence, one small check per requirement, and their evaluation."""

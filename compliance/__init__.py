"""Prove that a GitHub fine-grained token is set up exactly as an integration's guide asks."""

__all__ = ["__version__"]

__version__ = "0.1.0"

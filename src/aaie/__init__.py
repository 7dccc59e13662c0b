"""AAIE: academic AI-integrity evaluation service."""

__version__ = "0.1.0"

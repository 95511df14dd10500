"""Palava: local community engagement for peace operations."""

__version__ = "0.1.0"

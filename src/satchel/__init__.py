"""Satchel: an Open Badges 3.0 / Verifiable Credentials wallet and public validator."""

__version__ = "0.1.0"

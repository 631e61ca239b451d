"""Erasure on request: the citizen confirms, the backend erases (docs/privacy.md)."""

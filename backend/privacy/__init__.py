"""Privacy: retention of citizens' data and erasure on request (docs/privacy.md)."""

"""Figures for supervisors and the Osservatorio: events, figures, CSV export (docs/analytics.md)."""

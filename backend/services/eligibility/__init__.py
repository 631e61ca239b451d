"""Eligibility pre-checks: measures' rules as dated law, read from backend/data/eligibility."""

"""Appointments at the CPI: book, cancel, reschedule, list (all through the backend)."""

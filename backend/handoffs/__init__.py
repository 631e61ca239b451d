"""Handoff of a conversation to a job account: queue, streams, console API (docs/handoff.md)."""

"""Tests that run in the bot environment (Python 3.10, Rasa, rasa-sdk)."""

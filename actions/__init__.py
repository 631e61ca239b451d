"""Custom actions of the sportello (rasa-sdk). They hold no data: they call the backend."""

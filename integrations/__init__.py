"""The gateway: one adapter per channel, routing citizens' messages to the assistant."""

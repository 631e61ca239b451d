"""The operator console: authentication, roles, administration and (elsewhere) handoffs."""

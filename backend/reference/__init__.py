"""Reference data shipped by registry packages (ISTAT municipalities)."""

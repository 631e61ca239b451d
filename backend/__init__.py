"""The sportello's backend: offices, appointments, eligibility rules, handoffs."""

"""Eligibility pre-checks (GOL, ADI, SFL, RdC, NASpI): a questionnaire driven by the backend."""

"""Statelight tests: engine/ (no Django), designer/ (pytest-django), browser/ (Playwright)."""

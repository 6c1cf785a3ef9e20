"""Statelight's ASL interpreter: pure Python, no Django, no I/O."""

"""Example workflows (*.asl.json) and the Python task handlers they call (handlers.py)."""

"""Suite-wide settings."""
import os

from hypothesis import settings

# Property tests explore the same examples on every run (no flaky suite); set
# HYPOTHESIS_PROFILE=explore to search new ground while developing.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

"""The third-party packages the engine loads on first use, and what to say when one is missing.

A missing package is a broken installation, never a problem in the user's
definition: require() raises MissingDependency, which the validator lets
through and the command line turns into one clear message (exit 2).
"""
from __future__ import annotations

import importlib
import sys

# module -> the PyPI package that provides it (all in pyproject.toml's dependencies)
PACKAGES = {"jsonata": "jsonata-python", "jsonpath_ng": "jsonpath-ng", "re2": "google-re2"}

HOW_TO_INSTALL = ("Run scripts/run or scripts/test once (they create .venv with every dependency), then use "
                  ".venv/bin/python -m engine ...; or install Statelight into this Python: pip install -e .")


class MissingDependency(ImportError):
    """A package the engine needs is not installed in this Python."""

    def __init__(self, module: str):
        module = module.split(".")[0]
        self.module = module
        self.package = PACKAGES.get(module, module)
        super().__init__(f"the Python package {self.package} (module '{module}') is not installed in this Python "
                         f"({sys.executable})", name=module)


def require(module: str):
    """Import `module`, or raise MissingDependency when its package is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        if e.name is not None and e.name.split(".")[0] != module.split(".")[0]:
            raise  # a broken import inside the package: not a missing package
        raise MissingDependency(module) from None

"""The engine is pure Python: it never imports Django (DESIGN.md: engine/)."""
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def test_it_imports_every_engine_module_without_django():
    modules = sorted(
        "engine." + ".".join(p.relative_to(ENGINE).with_suffix("").parts).replace(".__init__", "")
        for p in ENGINE.rglob("*.py") if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(leaked); sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ENGINE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_has_no_django_import_in_its_source():
    offenders = [str(p) for p in ENGINE.rglob("*.py") if "import django" in p.read_text() or "from django" in p.read_text()]
    assert offenders == []

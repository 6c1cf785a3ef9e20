# Shared by scripts/run and scripts/test (sourced, not run): bring the
# checkout to a runnable state. Every step is skipped when it has nothing
# to do, so repeated runs are quick.
#
# After sourcing: the working directory is the repository root, $PY is the
# virtual environment's Python.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"   # also lets pyenv's shims honour .python-version
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
STAMP="$VENV/.statelight-installed"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

python_fits() {
  # Run it, not just look it up: a pyenv shim exists for every installed
  # version but fails outside the directories that select that version.
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local candidate
  for candidate in python3.12 python3.13 python3.14 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && python_fits "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  if [[ -x "$PY" ]] && python_fits "$PY"; then
    return 0
  fi
  local python
  python="$(find_python)" || die "Statelight needs Python 3.12 or newer, and none was found
(tried python3.12, python3.13, python3.14 and python3). Install one, e.g. 'apt-get install python3'
on Debian 13 or 'pyenv install 3.12', then run this again."
  if [[ -e "$VENV" ]]; then
    say "Replacing $VENV (its Python is missing or older than 3.12)"
    rm -rf "$VENV"
  fi
  say "Creating $VENV with $python ($("$python" --version 2>&1))"
  "$python" -m venv "$VENV" || die "could not create $VENV with $python
(on Debian/Ubuntu: apt-get install python3-venv)"
}

install_project() {
  # Re-install when pyproject.toml changed since the last install (content,
  # not modification time: checking out a branch touches files it may not change).
  local wanted
  wanted="$(sha256sum < pyproject.toml | cut -d' ' -f1)"
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]]; then
    return 0
  fi
  say "Installing Statelight and its dependencies into $VENV"
  # -qq: the build backend's chatter about editable installs is noise here;
  # errors still show. editable_mode=compat: a plain path in a .pth, where the
  # default installs an import hook that costs every Python start ~10 ms.
  "$PY" -m pip install -qq --disable-pip-version-check -e '.[dev]' --config-settings editable_mode=compat
  printf '%s\n' "$wanted" > "$STAMP"
}

build_frontend() {
  # --- Front-end build -------------------------------------------------
  # The browser bundle (npm packages + esbuild) goes to static/build/,
  # which is generated and never committed. Skipped until package.json exists.
  if [[ ! -f package.json ]]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "package.json needs npm (Node.js 20 or newer)"
  local wanted stamp="node_modules/.statelight-installed"
  wanted="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    say "Installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund
    printf '%s\n' "$wanted" > "$stamp"
  fi
  # Rebuild only when a source or a package changed: a second start is quick.
  local sources built="static/build/.statelight-inputs"
  sources="$(find static/src -type f -print0 | sort -z | xargs -0 sha256sum | cat - <(printf '%s\n' "$wanted") | sha256sum | cut -d' ' -f1)"
  if [[ -f "$built" && "$(cat "$built")" == "$sources" ]]; then
    return 0
  fi
  say "Building the front-end bundle"
  npm run build
  printf '%s\n' "$sources" > "$built"
  # ---------------------------------------------------------------------
}

setup() {
  ensure_venv
  install_project
  build_frontend
}

"""The Django side's modules import each other without a cycle, and at the top of the module:
an import inside a function hides a cycle instead of removing it. Read from the source (ast),
so a cycle is found even where Python would get away with it."""
import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGES = ("designer", "statelight")
# Django's own place for imports that need the models loaded: AppConfig.ready()
FUNCTION_IMPORTS_ALLOWED = {("designer.apps", "ready")}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def is_package(name, known) -> bool:
    return known[name].name == "__init__.py"


def top_level_imports(tree):
    """Import statements that run when the module is imported: not those in function bodies."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pending.extend(ast.iter_child_nodes(node))


def function_imports(tree, module):
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if (module, function.name) in FUNCTION_IMPORTS_ALLOWED:
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield f"{module}:{node.lineno} in {function.name}(): {ast.unparse(node)}"


def imported(node, module, known) -> set[str]:
    """The modules of ours an import statement loads, each with the packages it sits in."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if is_package(module, known) else module.rsplit(".", 1)[0]
            package = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    loaded = set()
    for name in names:
        parts = name.split(".")
        loaded |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return {name for name in loaded if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    edges = {}
    for module, path in known.items():
        own_packages = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        targets = set()
        for node in top_level_imports(ast.parse(path.read_text())):
            targets |= imported(node, module, known)
        # a module's own packages are initialised before it runs: importing them again loops nowhere
        edges[module] = targets - own_packages - {module}
    return edges


def find_cycle(edges):
    state, stack = {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(edges):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_the_django_side_has_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_walk_finds_a_cycle_when_there_is_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_hides_in_a_function():
    hidden = [line for module, path in modules().items()
              for line in function_imports(ast.parse(path.read_text()), module)]
    assert hidden == []

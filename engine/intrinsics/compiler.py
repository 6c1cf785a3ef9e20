"""Compiling a parsed call into closures: Intrinsic, what compile_intrinsic() returns.

A call is parsed once (cached) into a tree of closures; evaluating it walks
no text, copies no input and mutates nothing.

A wrong number of arguments is accepted by CreateStateMachine and fails at
run time like any invalid argument, so compile_intrinsic() does not refuse
it; `Intrinsic.problems` names it for linters (pinned by
tests/engine/test_intrinsics.py).
"""
from __future__ import annotations

import functools

from ..jsonpath import DATA, PathNotFound
from .failures import FAILURE, Failure, Invalid, Missing
from .functions import FUNCTIONS, NO_SEED
from .parser import IntrinsicSyntaxError, Literal, Parser, PathArg

# The two functions compiled specially: Format with its template split at
# parse time, MathRandom without a seed drawing from the execution's random.
_FORMAT = FUNCTIONS["States.Format"].impl
_MATH_RANDOM = FUNCTIONS["States.MathRandom"].impl


def compile_intrinsic(text: str) -> "Intrinsic":
    """Parse an intrinsic function call (cached). Raises IntrinsicSyntaxError."""
    if not isinstance(text, str):
        raise IntrinsicSyntaxError(f"An intrinsic function call must be a string, not {type(text).__name__}")
    return _compile(text)


class Intrinsic:
    """A compiled call. `evaluate(data, scope)` returns its JSON value.

    `scope` has `.context` (the context object, for `$$` paths), `.variables`
    (a dict or None, for `$name` paths) and `.random` (a random.Random that
    MathRandom without a seed and UUID draw from).
    """

    __slots__ = ("text", "name", "problems", "_run")

    def __init__(self, text, name, problems, run):
        self.text = text
        self.name = name
        self.problems = problems
        self._run = run

    def __repr__(self):
        return f"Intrinsic({self.text!r})"

    def evaluate(self, data, scope):
        try:
            return self._run(data, scope)
        except Failure as failure:
            reason = failure.reason(data)
        except RecursionError:
            reason = "The arguments are nested too deeply"
        raise FAILURE(f"The function '{self.text}' had the following error: {reason}")


# --- compiling the tree into closures ------------------------------------------


def _compile_node(node):
    if type(node) is Literal:
        value = node.value
        return lambda data, scope: value
    if type(node) is PathArg:
        return _compile_path(node)
    return _compile_call(node)


def _compile_path(node):
    path = node.path
    # A $$ path is reported against the state input, rewritten as '$.x'.
    field = node.text[1:] if node.text.startswith("$$") else node.text
    if path.root is DATA and path.definite:
        find = path.find

        def get(data, scope):
            try:
                return find(data)
            except PathNotFound:
                raise Missing(field) from None

        return get

    def resolve(data, scope):
        try:
            return path.resolve(data, getattr(scope, "context", None), getattr(scope, "variables", None))
        except PathNotFound:
            raise Missing(field) from None
        except RecursionError:
            raise
        except Exception:  # jsonpath-ng on data its filters cannot compare
            raise Missing(field) from None

    return resolve


def _compile_call(node):
    name, function, impl = node.name, node.function, node.function.impl
    count = len(node.args)
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        def wrong_arity(data, scope):
            raise Invalid(name)

        return wrong_arity
    args = [_compile_node(arg) for arg in node.args]
    if impl is _FORMAT:
        return _compile_format(node, args)
    if function.variadic:
        return lambda data, scope: impl(scope, [arg(data, scope) for arg in args])
    if impl is _MATH_RANDOM and count == 2:
        first, second = args
        return lambda data, scope: impl(scope, first(data, scope), second(data, scope), NO_SEED)
    if count == 0:
        return lambda data, scope: impl(scope)
    if count == 1:
        (only,) = args
        return lambda data, scope: impl(scope, only(data, scope))
    if count == 2:
        first, second = args
        return lambda data, scope: impl(scope, first(data, scope), second(data, scope))
    first, second, third = args
    return lambda data, scope: impl(scope, first(data, scope), second(data, scope), third(data, scope))


def _compile_format(node, args):
    template, rest = args[0], args[1:]
    head = node.args[0]
    # A literal template was split at parse time, where escaped braces are known.
    pieces = head.template if type(head) is Literal and head.template is not None else None
    return lambda data, scope: _FORMAT(scope, template(data, scope), [arg(data, scope) for arg in rest], pieces)


@functools.lru_cache(maxsize=4096)
def _compile(text: str) -> Intrinsic:
    parser = Parser(text)
    try:
        tree = parser.parse()
    except RecursionError:
        raise IntrinsicSyntaxError(f"The intrinsic function call {text!r} is nested too deeply") from None
    return Intrinsic(text, tree.name, tuple(parser.problems), _compile_node(tree))

"""Input and output processing, in one place for every state type.

JSONPath states: InputPath -> Parameters -> (the state's work) ->
ResultSelector -> ResultPath -> OutputPath, as the ASL spec orders them
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html).
A state type only says which of these fields it has.
"""
from __future__ import annotations

from . import errors
from .jsonpath import PathNotFound, ResultPathMatchFailure, compile_path
from .payload import compile_template
from .serialize import to_json

_ROOT = compile_path("$")


class JsonPathFlow:
    """The compiled JSONPath data-flow fields of one state."""

    __slots__ = ("input_path", "parameters", "result_selector", "result_path", "output_path", "identity")

    def __init__(self, spec: dict, *, parameters="Parameters"):
        self.input_path = _optional_path(spec, "InputPath")
        self.output_path = _optional_path(spec, "OutputPath")
        self.result_path = _optional_path(spec, "ResultPath")
        self.parameters = compile_template(spec[parameters], parameters) if parameters and parameters in spec else None
        self.result_selector = compile_template(spec["ResultSelector"], "ResultSelector") if "ResultSelector" in spec else None
        # InputPath, ResultPath and OutputPath all "$" and no templates: output is the result
        self.identity = self.input_path is _ROOT and self.output_path is _ROOT and self.parameters is None

    def effective_input(self, raw, scope):
        """The state's input after InputPath and Parameters."""
        data = _select(self.input_path, raw, scope)
        if self.parameters is not None:
            data = self.parameters(data, scope)
        return data

    def filtered_input(self, raw, scope):
        """After InputPath only (Map reads its items from this)."""
        return _select(self.input_path, raw, scope)

    def output(self, raw, result, scope):
        """The state's output from its raw input and the result of its work."""
        if self.result_selector is not None:
            result = self.result_selector(result, scope)
        path = self.result_path
        if path is _ROOT:
            data = result
        elif path is None:
            data = raw
        else:
            try:
                data = path.place(raw, result)
            except ResultPathMatchFailure:
                raise errors.ResultPathMatchFailure(
                    f"Unable to apply ResultPath '{path.text}' to input '{to_json(raw)}'"
                ) from None
        return _select(self.output_path, data, scope)

    def passthrough(self, raw, scope):
        """Output of a state without a result (Choice, Wait, Succeed): InputPath then OutputPath."""
        return _select(self.output_path, _select(self.input_path, raw, scope), scope)

    def may_grow(self) -> bool:
        return any(t is not None and t.may_grow for t in (self.parameters, self.result_selector))


def _optional_path(spec, field):
    """A path field: absent means "$", JSON null means "nothing" (None)."""
    if field not in spec:
        return _ROOT
    if spec[field] is None:
        return None
    return compile_path(spec[field])


def _select(path, data, scope):
    if path is _ROOT:
        return data
    if path is None:
        return {}
    try:
        return path.resolve(data, scope.context, scope.variables) if path.root != "$" else path.find(data)
    except PathNotFound as e:
        raise errors.Runtime(f"Invalid path '{path.text}' : {e}") from None

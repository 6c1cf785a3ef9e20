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

    __slots__ = ("input_path", "parameters", "result_selector", "result_path", "output_path", "assign")

    def __init__(self, spec: dict, *, parameters="Parameters"):
        self.input_path = _optional_path(spec, "InputPath")
        self.output_path = _optional_path(spec, "OutputPath")
        self.result_path = _optional_path(spec, "ResultPath")
        self.parameters = compile_template(spec[parameters], parameters) if parameters and parameters in spec else None
        self.result_selector = compile_template(spec["ResultSelector"], "ResultSelector") if "ResultSelector" in spec else None
        self.assign = compile_template(spec["Assign"], "Assign") if "Assign" in spec else None

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
        """The state's output from its raw input and the result of its work.

        Assign reads the result (after ResultSelector) and the variables as
        they were before the state; the new values apply once the output,
        OutputPath included, is computed.
        """
        if self.result_selector is not None:
            result = self.result_selector(result, scope)
        assigned = self.assign(result, scope) if self.assign is not None else None
        output = self._place(raw, result, scope)
        if assigned is not None:
            scope.assign(assigned)
        return output

    def _place(self, raw, result, scope):
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

    def passthrough(self, raw, scope, assign=None):
        """Output of a state without a result (Choice, Wait, Succeed): InputPath then
        OutputPath. Assign (the state's, or a Choice rule's) reads the filtered input."""
        data = _select(self.input_path, raw, scope)
        assign = assign or self.assign
        assigned = assign(data, scope) if assign is not None else None
        output = _select(self.output_path, data, scope)
        if assigned is not None:
            scope.assign(assigned)
        return output

    def error_output(self, raw, error_output, catcher, scope):
        """A Catch's output: the error placed at the catcher's ResultPath in the raw input."""
        assigned = catcher.assign(error_output, scope) if catcher.assign is not None else None
        path = catcher.result_path
        try:
            output = raw if path is None else path.place(raw, error_output)
        except ResultPathMatchFailure:
            raise errors.ResultPathMatchFailure(
                f"Unable to apply ResultPath '{path.text}' to input '{to_json(raw)}'") from None
        if assigned is not None:
            scope.assign(assigned)
        return output

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

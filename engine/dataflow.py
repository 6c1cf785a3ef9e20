"""Input and output processing, in one place for every state type and both
query languages. A state type only says which fields it has.

JSONPath states: InputPath -> Parameters -> (the state's work) ->
ResultSelector -> ResultPath -> OutputPath
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html).
JSONata states: Arguments -> (the state's work) -> Output, with
`$states.input`, `$states.result`, `$states.errorOutput`, `$states.context`
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
In both, Assign reads the values of variables from before the state, and
the new values apply once the output is computed.
"""
from __future__ import annotations

import functools
import json
import re

from . import errors
from .dependencies import require
from .jsonpath import PathNotFound, ResultPathMatchFailure, compile_path
from .payload import compile_template, nothing_selected
from .serialize import to_json

_ROOT = compile_path("$")


def flow_for(spec: dict, jsonata: bool, arguments: str | None):
    """The data flow of a state: `arguments` names its Parameters/Arguments field, if it has one."""
    if jsonata:
        return JsonataFlow(spec, arguments="Arguments" if arguments else None)
    return JsonPathFlow(spec, parameters=arguments)


class JsonPathFlow:
    """The compiled JSONPath data-flow fields of one state."""

    __slots__ = ("input_path", "parameters", "result_selector", "result_path", "output_path", "assign")
    jsonata = False

    def __init__(self, spec: dict, *, parameters="Parameters"):
        self.input_path = _optional_path(spec, "InputPath")
        self.output_path = _optional_path(spec, "OutputPath")
        self.result_path = _optional_path(spec, "ResultPath")
        self.parameters = compile_template(spec[parameters], parameters) if parameters and parameters in spec else None
        self.result_selector = compile_template(spec["ResultSelector"], "ResultSelector") if "ResultSelector" in spec else None
        self.assign = self.compile_assign(spec["Assign"]) if "Assign" in spec else None

    @staticmethod
    def compile_assign(value):
        return compile_template(value, "Assign")

    def effective_input(self, raw, scope):
        """The state's input after InputPath and Parameters."""
        data = _select(self.input_path, raw, scope, "InputPath")
        if self.parameters is not None:
            if scope.trace is not None:
                scope.trace["afterInputPath"] = data
            data = self.parameters(data, scope)
        if scope.trace is not None:
            scope.trace.setdefault("afterInputPath", data)
            scope.trace["afterParameters"] = data
        return data

    def filtered_input(self, raw, scope):
        """After InputPath only (Map reads its items, Choice its rules' variables, from this)."""
        return _select(self.input_path, raw, scope, "InputPath")

    def output(self, raw, result, scope):
        """The state's output from its raw input and the result of its work."""
        trace = scope.trace
        if trace is not None:
            trace["result"] = result
        if self.result_selector is not None:
            result = self.result_selector(result, scope)
        assigned = self.assign(result, scope) if self.assign is not None else None
        placed = self._place(raw, result)
        if trace is not None:
            trace["afterResultSelector"] = result
            trace["afterResultPath"] = placed
        output = _select(self.output_path, placed, scope, "OutputPath")
        if assigned is not None:
            scope.assign(assigned)
        return output

    def _place(self, raw, result):
        path = self.result_path
        if path is _ROOT:
            return result
        if path is None:
            return raw
        return _place(path, raw, result)

    def passthrough(self, raw, scope, assign=None, output=None):
        """Output of a state without a result (Choice, Wait, Succeed): InputPath then
        OutputPath. Assign (the state's, or a Choice rule's) reads the filtered input."""
        data = _select(self.input_path, raw, scope, "InputPath")
        assign = assign or self.assign
        assigned = assign(data, scope) if assign is not None else None
        output = _select(self.output_path, data, scope, "OutputPath")
        if assigned is not None:
            scope.assign(assigned)
        return output

    def error_output(self, raw, error_output, catcher, scope):
        """A Catch's output: the error placed at the catcher's ResultPath in the raw input."""
        assigned = catcher.assign(error_output, scope) if catcher.assign is not None else None
        output = raw if catcher.result_path is None else _place(catcher.result_path, raw, error_output)
        if assigned is not None:
            scope.assign(assigned)
        return output

    def growth(self, static):
        """(factor, constant) such that output size <= factor * input size + constant, the input
        including a task's result; None when templates can multiply the input (then measure)."""
        if any(t is not None and t.may_grow for t in (self.parameters, self.result_selector)):
            return None
        return (2 if self.result_path not in (None, _ROOT) else 1), static

    def nesting(self, catchers=()):
        """How many levels deeper than its input, result and variables the output can be (None: unknown)."""
        paths = [self.result_path] + [c.result_path for c in catchers]
        deepest = max((len(p.keys) for p in paths if p is not None), default=0) + 1
        return _total(deepest, self.parameters, self.result_selector)


class JsonataFlow:
    """The compiled JSONata data-flow fields of one state."""

    __slots__ = ("arguments", "output_template", "assign", "uses_context")
    jsonata = True

    def __init__(self, spec: dict, *, arguments="Arguments"):
        self.arguments = jsonata().compile_template(spec[arguments], arguments) if arguments in spec else None
        self.output_template = self.compile_output(spec["Output"]) if "Output" in spec else None
        self.assign = self.compile_assign(spec["Assign"]) if "Assign" in spec else None
        self.uses_context = uses_context(spec)

    @staticmethod
    def compile_assign(value):
        return jsonata().compile_template(value, "Assign")

    @staticmethod
    def compile_output(value):
        return jsonata().compile_template(value, "Output")

    def states(self, raw, scope, **more):
        """The $states binding; the context object is built only for expressions that read it."""
        states = {"input": raw, **more}
        if self.uses_context:
            states["context"] = scope.context
        return states

    def evaluate(self, template, states, scope):
        return template(states, scope.variables or {}, scope.random_source)

    def effective_input(self, raw, scope):
        data = raw if self.arguments is None else self.evaluate(self.arguments, self.states(raw, scope), scope)
        if scope.trace is not None:
            scope.trace["afterArguments"] = data
        return data

    def filtered_input(self, raw, scope):
        return raw

    def output(self, raw, result, scope):
        if scope.trace is not None:
            scope.trace["result"] = result
        return self._assign_and_output(raw, scope, self.assign, self.output_template, result, result=result)

    def passthrough(self, raw, scope, assign=None, output=None):
        return self._assign_and_output(raw, scope, assign or self.assign, output or self.output_template, raw)

    def error_output(self, raw, error_output, catcher, scope):
        return self._assign_and_output(raw, scope, catcher.assign, catcher.output, error_output,
                                       errorOutput=error_output)

    def _assign_and_output(self, raw, scope, assign, output, default, **states):
        """Assign and Output over one $states binding; both read the variables from before the state."""
        if assign is None and output is None:
            return default
        states = self.states(raw, scope, **states)
        assigned = self.evaluate(assign, states, scope) if assign is not None else None
        data = self.evaluate(output, states, scope) if output is not None else default
        if assigned is not None:
            scope.assign(assigned)
        return data

    def reader(self, value, field):
        """A field that is a literal, an expression, or a value with expressions inside
        (e.g. Items: [1, "{% ... %}"]): returns read(raw, scope)."""
        if not jsonata().is_expression(value):
            template = jsonata().compile_template(value, field)
            return lambda raw, scope: self.evaluate(template, self.states(raw, scope), scope)
        expression = jsonata().compile_expression(value)

        def read(raw, scope):
            result = expression.evaluate(self.states(raw, scope), scope.variables or {}, scope.random_source, field)
            if result is jsonata().UNDEFINED:
                raise errors.QueryEvaluationError(
                    f"The JSONata expression '{expression.source}' specified for the field '{field}' "
                    "returned nothing (undefined).")
            return result

        read.expression = expression
        return read

    def growth(self, static):
        if any(t is not None and t.may_grow for t in (self.arguments, self.output_template)):
            return None
        # without Output, the output is the input or the result (counted in the input)
        return (1 if self.output_template is None else 2), static

    def nesting(self, catchers=()):
        return _total(1, self.arguments, self.output_template, *(c.output for c in catchers))


def _total(levels, *templates):
    for template in templates:
        if template is not None:
            if template.nesting is None:
                return None
            levels += template.nesting
    return levels


# `$states.` followed by anything but input/result/errorOutput may read the context object.
_OTHER_STATES_USE = re.compile(r"\$states(?!\.(?:input|result|errorOutput)\b)")


def uses_context(spec) -> bool:
    return bool(_OTHER_STATES_USE.search(json.dumps(spec)))


def _optional_path(spec, field):
    """A path field: absent means "$", JSON null means "nothing" (None)."""
    if field not in spec:
        return _ROOT
    if spec[field] is None:
        return None
    return compile_path(spec[field])


def _select(path, data, scope, field):
    if path is _ROOT:
        return data
    if path is None:
        return {}
    if path.root == "$":
        try:
            return path.find(data)
        except PathNotFound:
            raise nothing_selected(path, field, data) from None
    return read_path(path, data, scope, field)


def _place(path, raw, result):
    try:
        return path.place(raw, result)
    except ResultPathMatchFailure:
        raise errors.ResultPathMatchFailure(
            f"Unable to apply ResultPath '{path.text}' to input '{to_json(raw)}'") from None


def read_path(path, data, scope, field):
    """A path field's value (InputPath, TimeoutSecondsPath, ...), with AWS's cause when it selects nothing."""
    try:
        return path.resolve(data, scope.context, scope.variables)
    except PathNotFound:
        raise nothing_selected(path, field, data) from None


@functools.cache
def jsonata():
    """The JSONata layer, imported on first use: JSONPath-only runs never pay for loading it."""
    require("jsonata")
    from . import jsonata_query

    return jsonata_query

"""The validator: every rule with one small invalid definition (exact JSON
pointer and code), the definitions AWS accepted (conformance cases, bench
workloads, seed examples) with no error, and property tests that it never
raises on random or mutated definitions."""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.validation import NEITHER_NEXT_NOR_END, Problem, validate

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASES = sorted((SHARED / "conformance" / "cases").glob("*/definition.json"))
WORKLOADS = sorted((SHARED / "bench" / "workloads").glob("*.asl.json"))
SEED = SHARED / "seed" / "examples"

SCHEMA = "SCHEMA_VALIDATION_FAILED"
TARGET = "MISSING_TRANSITION_TARGET"
NO_END = "MISSING_END_STATE"
RESOURCE = "INVALID_RESOURCE"
BAD_NAME = "INVALID_STATE_NAME"
DUPLICATE = "DUPLICATE_STATE_NAME"
NESTED = "TOO_DEEPLY_NESTED"
BAD_JSONATA = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED = "UNSUPPORTED_JSONATA_EXPRESSION"

END = {"Type": "Pass", "End": True}
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Bake"


def errors(definition) -> set[tuple[str, str]]:
    return {(p.path, p.code) for p in validate(definition) if p.severity == "ERROR"}


def one(state, **top):
    """A machine of the single state "A"."""
    return {"StartAt": "A", "States": {"A": state}, **top}


def jsonata(state):
    return one(state, QueryLanguage="JSONata")


def task(**fields):
    return one({"Type": "Task", "Resource": LAMBDA, "End": True, **fields})


def retry(*retriers):
    return task(Retry=list(retriers))


def catch(*catchers, **fields):
    return {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": LAMBDA, "End": True,
                                             "Catch": list(catchers), **fields}, "H": END}}


def choice(*rules, language=None):
    definition = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": list(rules), "Default": "D"},
                                             "D": END}}
    if language:
        definition["QueryLanguage"] = language
    return definition


def rule(**fields):
    return {"Variable": "$.x", "Next": "D", **fields}


def parallel(*branches, **fields):
    return {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": list(branches), "End": True, **fields}}}


def branch(state=END, name="X"):
    return {"StartAt": name, "States": {name: state}}


def map_state(**fields):
    state = {"Type": "Map", "End": True, "ItemProcessor": branch(), **fields}
    return {"StartAt": "M", "States": {"M": state}}


def nested_parallel(levels):
    inner = branch()
    for i in range(levels):
        inner = branch({"Type": "Parallel", "Branches": [inner], "End": True}, name=f"P{i}")
    return inner


def nested_not(levels):
    inner = rule(StringEquals="a")
    inner.pop("Next")
    for _ in range(levels):
        inner = {"Not": inner}
    inner["Next"] = "D"
    return inner


def nested_list(levels):
    value = "leaf"
    for _ in range(levels):
        value = [value]
    return value


# (id, definition, every ERROR (pointer, code) expected)
INVALID = [
    # --- top level ---
    ("not-an-object", [], {("", SCHEMA)}),
    ("null", None, {("", SCHEMA)}),
    ("missing-start-at", {"States": {"A": END}}, {("", SCHEMA), ("/States/A", TARGET)}),
    ("start-at-not-a-string", {"StartAt": 1, "States": {"A": END}}, {("/StartAt", SCHEMA), ("/States/A", TARGET)}),
    ("start-at-names-no-state", {"StartAt": "B", "States": {"A": END}}, {("/StartAt", TARGET), ("/States/A", TARGET)}),
    ("missing-states", {"StartAt": "A"}, {("", SCHEMA)}),
    ("empty-states", {"StartAt": "A", "States": {}}, {("/States", SCHEMA)}),
    ("states-is-an-array", {"StartAt": "A", "States": [END]}, {("/States", SCHEMA)}),
    ("unknown-top-level-field", one(END, Timeout=5), {("", SCHEMA)}),
    ("timeout-zero", one(END, TimeoutSeconds=0), {("/TimeoutSeconds", SCHEMA)}),
    ("timeout-string", one(END, TimeoutSeconds="10"), {("/TimeoutSeconds", SCHEMA)}),
    ("timeout-bool", one(END, TimeoutSeconds=True), {("/TimeoutSeconds", SCHEMA)}),
    ("query-language-unknown", one(END, QueryLanguage="XPath"), {("/QueryLanguage", SCHEMA)}),
    ("version", one(END, Version="2.0"), {("/Version", SCHEMA)}),
    ("comment-not-a-string", one(END, Comment=5), {("/Comment", SCHEMA)}),
    # --- states and their names ---
    ("state-not-an-object", {"StartAt": "A", "States": {"A": 5}}, {("/States/A", SCHEMA)}),
    ("missing-type", one({"End": True}), {("/States/A", SCHEMA)}),
    ("unknown-type", one({"Type": "Paas", "End": True}), {("/States/A/Type", SCHEMA)}),
    ("name-too-long", {"StartAt": "x" * 81, "States": {"x" * 81: END}}, {("/States/" + "x" * 81, BAD_NAME)}),
    ("name-empty", {"StartAt": "", "States": {"": END}}, {("/StartAt", SCHEMA), ("/States/", BAD_NAME),
                                                          ("/States/", TARGET)}),
    ("duplicate-name-in-branch", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [branch(name="P")], "End": True}}},
     {("/States/P/Branches/0/States/P", DUPLICATE)}),
    ("pointer-escapes-name", {"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Pass"}}},
     {("/States/a~1b~0c", SCHEMA), ("", NO_END)}),
    # --- Next and End ---
    ("seed-failing-task", json.loads((SEED / "retry-catch.asl.json").read_text()) if SEED.is_dir() else
     {"StartAt": "FailingTask", "States": {"FailingTask": {"Type": "Task", "Resource": LAMBDA,
                                                           "Catch": [{"ErrorEquals": ["States.ALL"],
                                                                      "Next": "ErrorHandler"}]},
                                           "ErrorHandler": {"Type": "Fail"}}},
     {("/States/FailingTask", SCHEMA)}),
    ("both-next-and-end", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": True}, "B": END}},
     {("/States/A", SCHEMA)}),
    ("end-false-no-next", one({"Type": "Pass", "End": False}), {("/States/A", SCHEMA), ("", NO_END)}),
    ("end-not-a-boolean", one({"Type": "Pass", "End": "yes"}),
     {("/States/A/End", SCHEMA), ("/States/A", SCHEMA), ("", NO_END)}),
    ("next-not-a-string", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": 3}, "B": END}},
     {("/States/A/Next", SCHEMA), ("/States/B", TARGET)}),
    ("next-on-succeed", one({"Type": "Succeed", "Next": "A"}), {("/States/A", SCHEMA)}),
    ("end-on-choice", {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [rule(StringEquals="a")],
                                                        "Default": "D", "End": True}, "D": END}},
     {("/States/C", SCHEMA)}),
    ("end-on-fail", one({"Type": "Fail", "End": True}), {("/States/A", SCHEMA)}),
    # --- the graph ---
    ("next-names-no-state", one({"Type": "Pass", "Next": "NOPE"}), {("/States/A/Next", TARGET), ("", NO_END)}),
    ("state-nothing-targets", {"StartAt": "A", "States": {"A": END, "B": END}}, {("/States/B", TARGET)}),
    ("no-terminal-state-silences-unreachable", {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}, "C": {"Type": "Pass", "Next": "A"}}},
     {("", NO_END)}),
    ("unreachable-terminal-in-a-loop", {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}, "C": END}},
     {("/States/C", TARGET)}),
    ("branch-jumps-out", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [branch({"Type": "Pass", "Next": "Done"})], "Next": "Done"},
        "Done": END}},
     {("/States/P/Branches/0/States/X/Next", TARGET), ("/States/P/Branches/0", NO_END)}),
    ("item-processor-jumps-out", {"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemProcessor": branch({"Type": "Pass", "Next": "M"}), "End": True}}},
     {("/States/M/ItemProcessor/States/X/Next", TARGET), ("/States/M/ItemProcessor", NO_END)}),
    ("default-names-no-state", {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [rule(StringEquals="a")], "Default": "E"}, "D": END}},
     {("/States/C/Default", TARGET)}),
    ("choice-next-names-no-state", choice(rule(StringEquals="a", Next="E")), {("/States/C/Choices/0/Next", TARGET)}),
    ("catch-next-names-no-state", catch({"ErrorEquals": ["States.ALL"], "Next": "Nope"}),
     {("/States/A/Catch/0/Next", TARGET), ("/States/H", TARGET)}),
    # --- Task ---
    ("task-without-resource", one({"Type": "Task", "End": True}), {("/States/A", SCHEMA)}),
    ("task-resource-not-an-arn", task(Resource="Bake"), {("/States/A/Resource", RESOURCE)}),
    ("task-resource-not-a-string", task(Resource=["arn"]), {("/States/A/Resource", SCHEMA)}),
    ("task-timeout-zero", task(TimeoutSeconds=0), {("/States/A/TimeoutSeconds", SCHEMA)}),
    ("task-timeout-float", task(TimeoutSeconds=1.5), {("/States/A/TimeoutSeconds", SCHEMA)}),
    ("task-timeout-too-big", task(TimeoutSeconds=100000000), {("/States/A/TimeoutSeconds", SCHEMA)}),
    ("task-heartbeat-not-below-timeout", task(TimeoutSeconds=10, HeartbeatSeconds=10),
     {("/States/A/HeartbeatSeconds", SCHEMA)}),
    ("task-timeout-and-timeout-path", task(TimeoutSeconds=10, TimeoutSecondsPath="$.t"), {("/States/A", SCHEMA)}),
    ("task-heartbeat-path-invalid", task(HeartbeatSecondsPath="t"), {("/States/A/HeartbeatSecondsPath", SCHEMA)}),
    ("timeout-on-pass", one({"Type": "Pass", "End": True, "TimeoutSeconds": 5}), {("/States/A", SCHEMA)}),
    ("retry-on-pass", one({"Type": "Pass", "End": True, "Retry": []}), {("/States/A", SCHEMA)}),
    ("catch-on-wait", one({"Type": "Wait", "Seconds": 1, "End": True, "Catch": []}), {("/States/A", SCHEMA)}),
    ("unknown-field-on-task", task(Parameter={}), {("/States/A", SCHEMA)}),
    # --- Wait ---
    ("wait-without-duration", one({"Type": "Wait", "End": True}), {("/States/A", SCHEMA)}),
    ("wait-seconds-and-timestamp", one({"Type": "Wait", "Seconds": 1, "Timestamp": "2016-03-14T01:59:00Z",
                                        "End": True}), {("/States/A", SCHEMA)}),
    ("wait-negative-seconds", one({"Type": "Wait", "Seconds": -1, "End": True}), {("/States/A/Seconds", SCHEMA)}),
    ("wait-bad-timestamp", one({"Type": "Wait", "Timestamp": "2016-03-14 01:59:00", "End": True}),
     {("/States/A/Timestamp", SCHEMA)}),
    ("wait-impossible-date", one({"Type": "Wait", "Timestamp": "2016-02-30T01:59:00Z", "End": True}),
     {("/States/A/Timestamp", SCHEMA)}),
    ("wait-seconds-path-invalid", one({"Type": "Wait", "SecondsPath": "s", "End": True}),
     {("/States/A/SecondsPath", SCHEMA)}),
    # --- Fail ---
    ("fail-error-and-error-path", one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}), {("/States/A", SCHEMA)}),
    ("fail-error-not-a-string", one({"Type": "Fail", "Error": 5}), {("/States/A/Error", SCHEMA)}),
    ("fail-cause-path-bad-intrinsic", one({"Type": "Fail", "CausePath": "States.Nope($.x)"}),
     {("/States/A/CausePath", SCHEMA)}),
    # --- Parallel ---
    ("parallel-without-branches", {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True}}},
     {("/States/P", SCHEMA)}),
    ("parallel-empty-branches", parallel(), {("/States/P/Branches", SCHEMA)}),
    ("branch-without-start-at", parallel({"States": {"X": END}}),
     {("/States/P/Branches/0", SCHEMA), ("/States/P/Branches/0/States/X", TARGET)}),
    ("branch-not-an-object", parallel("X"), {("/States/P/Branches/0", SCHEMA)}),
    ("branch-query-language", parallel({**branch(), "QueryLanguage": "JSONata"}), {("/States/P/Branches/0", SCHEMA)}),
    # --- Map ---
    ("map-without-processor", {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True}}}, {("/States/M", SCHEMA)}),
    ("map-processor-and-iterator", map_state(Iterator=branch(name="Y")), {("/States/M", SCHEMA)}),
    ("map-negative-max-concurrency", map_state(MaxConcurrency=-1), {("/States/M/MaxConcurrency", SCHEMA)}),
    ("map-max-concurrency-bool", map_state(MaxConcurrency=True), {("/States/M/MaxConcurrency", SCHEMA)}),
    ("map-tolerated-percentage-over-100", map_state(ToleratedFailurePercentage=101),
     {("/States/M/ToleratedFailurePercentage", SCHEMA)}),
    ("map-tolerated-count-negative", map_state(ToleratedFailureCount=-2), {("/States/M/ToleratedFailureCount", SCHEMA)}),
    ("map-mode-unknown", map_state(ItemProcessor={**branch(), "ProcessorConfig": {"Mode": "PARALLEL"}}),
     {("/States/M/ItemProcessor/ProcessorConfig/Mode", SCHEMA)}),
    ("map-distributed-without-execution-type",
     map_state(ItemProcessor={**branch(), "ProcessorConfig": {"Mode": "DISTRIBUTED"}}),
     {("/States/M/ItemProcessor/ProcessorConfig", SCHEMA)}),
    ("map-execution-type-unknown",
     map_state(ItemProcessor={**branch(), "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "FAST"}}),
     {("/States/M/ItemProcessor/ProcessorConfig/ExecutionType", SCHEMA)}),
    ("map-item-selector-and-parameters", map_state(ItemSelector={}, Parameters={}), {("/States/M", SCHEMA)}),
    ("map-processor-query-language", map_state(ItemProcessor={**branch(), "QueryLanguage": "JSONPath"}),
     {("/States/M/ItemProcessor", SCHEMA)}),
    ("map-items-path-invalid", map_state(ItemsPath="items"), {("/States/M/ItemsPath", SCHEMA)}),
    ("map-item-selector-bad-path", map_state(ItemSelector={"v.$": "$$.Map.Item.Value["}),
     {("/States/M/ItemSelector/v.$", SCHEMA)}),
    # --- Retry and Catch ---
    ("retry-not-an-array", retry() | {"States": {"A": {**retry()["States"]["A"], "Retry": {}}}},
     {("/States/A/Retry", SCHEMA)}),
    ("retrier-not-an-object", retry("States.ALL"), {("/States/A/Retry/0", SCHEMA)}),
    ("retrier-without-error-equals", retry({"MaxAttempts": 1}), {("/States/A/Retry/0", SCHEMA)}),
    ("retrier-empty-error-equals", retry({"ErrorEquals": []}), {("/States/A/Retry/0/ErrorEquals", SCHEMA)}),
    ("retrier-error-equals-not-strings", retry({"ErrorEquals": [1]}), {("/States/A/Retry/0/ErrorEquals", SCHEMA)}),
    ("retrier-states-all-not-alone", retry({"ErrorEquals": ["States.ALL", "States.Timeout"]}),
     {("/States/A/Retry/0/ErrorEquals", SCHEMA)}),
    ("retrier-states-all-not-last", retry({"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["States.Timeout"]}),
     {("/States/A/Retry/0/ErrorEquals", SCHEMA)}),
    ("retrier-interval-zero", retry({"ErrorEquals": ["E"], "IntervalSeconds": 0}),
     {("/States/A/Retry/0/IntervalSeconds", SCHEMA)}),
    ("retrier-max-attempts-negative", retry({"ErrorEquals": ["E"], "MaxAttempts": -1}),
     {("/States/A/Retry/0/MaxAttempts", SCHEMA)}),
    ("retrier-max-attempts-float", retry({"ErrorEquals": ["E"], "MaxAttempts": 2.0}),
     {("/States/A/Retry/0/MaxAttempts", SCHEMA)}),
    ("retrier-backoff-below-one", retry({"ErrorEquals": ["E"], "BackoffRate": 0.5}),
     {("/States/A/Retry/0/BackoffRate", SCHEMA)}),
    ("retrier-backoff-bool", retry({"ErrorEquals": ["E"], "BackoffRate": True}),
     {("/States/A/Retry/0/BackoffRate", SCHEMA)}),
    ("retrier-max-delay-zero", retry({"ErrorEquals": ["E"], "MaxDelaySeconds": 0}),
     {("/States/A/Retry/0/MaxDelaySeconds", SCHEMA)}),
    ("retrier-jitter-unknown", retry({"ErrorEquals": ["E"], "JitterStrategy": "HALF"}),
     {("/States/A/Retry/0/JitterStrategy", SCHEMA)}),
    ("retrier-unknown-field", retry({"ErrorEquals": ["E"], "Next": "A"}), {("/States/A/Retry/0", SCHEMA)}),
    ("catcher-without-next", catch({"ErrorEquals": ["States.ALL"]}), {("/States/A/Catch/0", SCHEMA),
                                                                       ("/States/H", TARGET)}),
    ("catcher-states-all-not-last", catch({"ErrorEquals": ["States.ALL"], "Next": "H"},
                                          {"ErrorEquals": ["E"], "Next": "H"}),
     {("/States/A/Catch/0/ErrorEquals", SCHEMA)}),
    ("catcher-result-path-not-a-reference", catch({"ErrorEquals": ["E"], "Next": "H", "ResultPath": "$.a[*]"}),
     {("/States/A/Catch/0/ResultPath", SCHEMA)}),
    ("catcher-output-in-jsonpath", catch({"ErrorEquals": ["E"], "Next": "H", "Output": {}}),
     {("/States/A/Catch/0", SCHEMA)}),
    # --- Choice ---
    ("choice-without-choices", {"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "D"}, "D": END}},
     {("/States/C", SCHEMA)}),
    ("choice-empty-choices", choice(), {("/States/C/Choices", SCHEMA)}),
    ("choice-rule-without-next", choice({"Variable": "$.x", "StringEquals": "a"}), {("/States/C/Choices/0", SCHEMA)}),
    ("choice-nested-rule-with-next", choice({"And": [rule(StringEquals="a")], "Next": "D"}),
     {("/States/C/Choices/0/And/0", SCHEMA)}),
    ("choice-two-operators", choice(rule(StringEquals="a", StringMatches="b*")), {("/States/C/Choices/0", SCHEMA)}),
    ("choice-no-operator", choice(rule()), {("/States/C/Choices/0", SCHEMA)}),
    ("choice-no-variable", choice({"StringEquals": "a", "Next": "D"}), {("/States/C/Choices/0", SCHEMA)}),
    ("choice-variable-not-a-path", choice(rule(Variable="x", StringEquals="a")),
     {("/States/C/Choices/0/Variable", SCHEMA)}),
    ("choice-string-equals-number", choice(rule(StringEquals=5)), {("/States/C/Choices/0/StringEquals", SCHEMA)}),
    ("choice-numeric-equals-bool", choice(rule(NumericEquals=True)), {("/States/C/Choices/0/NumericEquals", SCHEMA)}),
    ("choice-numeric-less-than-string", choice(rule(NumericLessThan="5")),
     {("/States/C/Choices/0/NumericLessThan", SCHEMA)}),
    ("choice-boolean-equals-string", choice(rule(BooleanEquals="true")),
     {("/States/C/Choices/0/BooleanEquals", SCHEMA)}),
    ("choice-timestamp-not-rfc3339", choice(rule(TimestampEquals="yesterday")),
     {("/States/C/Choices/0/TimestampEquals", SCHEMA)}),
    ("choice-timestamp-without-offset", choice(rule(TimestampLessThan="2016-03-14T01:59:00")),
     {("/States/C/Choices/0/TimestampLessThan", SCHEMA)}),
    ("choice-is-present-string", choice(rule(IsPresent="yes")), {("/States/C/Choices/0/IsPresent", SCHEMA)}),
    ("choice-path-operand-not-a-path", choice(rule(NumericEqualsPath="x")),
     {("/States/C/Choices/0/NumericEqualsPath", SCHEMA)}),
    ("choice-string-matches-path-does-not-exist", choice(rule(StringMatchesPath="$.p")),
     {("/States/C/Choices/0", SCHEMA)}),
    ("choice-and-empty", choice({"And": [], "Next": "D"}), {("/States/C/Choices/0/And", SCHEMA)}),
    ("choice-not-an-array", choice({"Not": [rule(StringEquals="a")], "Next": "D"}), {("/States/C/Choices/0/Not", SCHEMA)}),
    ("choice-and-with-variable", choice({"And": [{"Variable": "$.y", "IsNull": True}], "Variable": "$.x",
                                         "Next": "D"}),
     {("/States/C/Choices/0", SCHEMA)}),
    ("choice-condition-in-jsonpath", choice({"Condition": "{% true %}", "Next": "D"}),
     {("/States/C/Choices/0", SCHEMA)}),
    ("choice-default-not-a-string", {"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": 1,
                                                                      "Choices": [rule(StringEquals="a")]}, "D": END}},
     {("/States/C/Default", SCHEMA)}),
    # --- JSONPath fields ---
    ("input-path-not-a-path", one({**END, "InputPath": "foo"}), {("/States/A/InputPath", SCHEMA)}),
    ("output-path-unclosed", one({**END, "OutputPath": "$.a["}), {("/States/A/OutputPath", SCHEMA)}),
    ("result-path-wildcard", one({**END, "ResultPath": "$.a[*]"}), {("/States/A/ResultPath", SCHEMA)}),
    ("result-path-context", one({**END, "ResultPath": "$$.Execution"}), {("/States/A/ResultPath", SCHEMA)}),
    ("result-path-number", one({**END, "ResultPath": 5}), {("/States/A/ResultPath", SCHEMA)}),
    ("parameters-not-an-object", one({**END, "Parameters": "x"}), {("/States/A/Parameters", SCHEMA)}),
    ("parameters-dollar-key-not-a-path", one({**END, "Parameters": {"a.$": "foo"}}),
     {("/States/A/Parameters/a.$", SCHEMA)}),
    ("parameters-dollar-key-number", one({**END, "Parameters": {"a.$": 5}}), {("/States/A/Parameters/a.$", SCHEMA)}),
    ("parameters-unknown-intrinsic", one({**END, "Parameters": {"a.$": "States.Nope($.x)"}}),
     {("/States/A/Parameters/a.$", SCHEMA)}),
    ("parameters-unbalanced-intrinsic", one({**END, "Parameters": {"a.$": "States.Format('{}', $.x"}}),
     {("/States/A/Parameters/a.$", SCHEMA)}),
    ("parameters-intrinsic-bad-path-argument", one({**END, "Parameters": {"a.$": "States.Array($.a[)"}}),
     {("/States/A/Parameters/a.$", SCHEMA)}),
    ("parameters-nested", one({**END, "Parameters": {"b": [{"c": {"a.$": "nope"}}]}}),
     {("/States/A/Parameters/b/0/c/a.$", SCHEMA)}),
    ("result-selector-not-an-object", task(ResultSelector=[1]), {("/States/A/ResultSelector", SCHEMA)}),
    # --- query languages ---
    ("jsonata-state-with-input-path", jsonata({**END, "InputPath": "$"}), {("/States/A", SCHEMA)}),
    ("jsonata-task-with-parameters", one({"Type": "Task", "Resource": LAMBDA, "End": True, "Parameters": {}},
                                         QueryLanguage="JSONata"), {("/States/A", SCHEMA)}),
    ("jsonata-wait-with-seconds-path", jsonata({"Type": "Wait", "SecondsPath": "$.s", "End": True}),
     {("/States/A", SCHEMA)}),
    ("jsonata-fail-with-error-path", jsonata({"Type": "Fail", "ErrorPath": "$.e"}), {("/States/A", SCHEMA)}),
    ("jsonpath-state-with-output", one({**END, "Output": {}}), {("/States/A", SCHEMA)}),
    ("jsonpath-task-with-arguments", task(Arguments={}), {("/States/A", SCHEMA)}),
    ("jsonpath-state-in-jsonata-machine", jsonata({**END, "QueryLanguage": "JSONPath"}), {("/States/A", SCHEMA)}),
    ("state-query-language-unknown", one({**END, "QueryLanguage": "jsonata"}), {("/States/A/QueryLanguage", SCHEMA)}),
    ("map-items-in-jsonpath", map_state(Items=[1, 2]), {("/States/M", SCHEMA)}),
    ("map-items-path-in-jsonata", {**map_state(ItemsPath="$.items"), "QueryLanguage": "JSONata"},
     {("/States/M", SCHEMA)}),
    ("map-items-not-an-array", {**map_state(Items="x"), "QueryLanguage": "JSONata"}, {("/States/M/Items", SCHEMA)}),
    ("processor-state-inherits-machine-language",
     map_state(QueryLanguage="JSONata", ItemProcessor=branch({**END, "Output": {}}, name="P")),
     {("/States/M/ItemProcessor/States/P", SCHEMA)}),
    ("jsonata-choice-rule-with-variable", choice(rule(StringEquals="a"), language="JSONata"),
     {("/States/C/Choices/0", SCHEMA)}),
    ("jsonata-choice-condition-not-an-expression", choice({"Condition": "x > 1", "Next": "D"}, language="JSONata"),
     {("/States/C/Choices/0/Condition", SCHEMA)}),
    ("jsonata-catcher-result-path", {**catch({"ErrorEquals": ["E"], "Next": "H", "ResultPath": "$.e"}),
                                     "QueryLanguage": "JSONata"}, {("/States/A/Catch/0", SCHEMA)}),
    # --- JSONata expressions ---
    ("jsonata-does-not-parse", jsonata({**END, "Output": "{% 1 + %}"}), {("/States/A/Output", BAD_JSONATA)}),
    ("jsonata-nested-does-not-parse", jsonata({"Type": "Task", "Resource": LAMBDA, "End": True,
                                               "Arguments": {"x": ["{% a[1,2) %}"]}}),
     {("/States/A/Arguments/x/0", BAD_JSONATA)}),
    ("jsonata-condition-does-not-parse", choice({"Condition": "{% $states.input.x > %}", "Next": "D"},
                                                language="JSONata"),
     {("/States/C/Choices/0/Condition", BAD_JSONATA)}),
    ("jsonata-timeout-does-not-parse", jsonata({"Type": "Task", "Resource": LAMBDA, "End": True,
                                                "TimeoutSeconds": "{% 5 + %}"}),
     {("/States/A/TimeoutSeconds", BAD_JSONATA)}),
    ("jsonata-timeout-plain-string", jsonata({"Type": "Task", "Resource": LAMBDA, "End": True,
                                              "TimeoutSeconds": "5"}), {("/States/A/TimeoutSeconds", SCHEMA)}),
    ("jsonata-top-level-field-reference", jsonata({**END, "Output": {"v": "{% phone %}"}}),
     {("/States/A/Output/v", UNSUPPORTED)}),
    ("jsonata-top-level-dollar", jsonata({**END, "Output": "{% $ %}"}), {("/States/A/Output", UNSUPPORTED)}),
    ("jsonata-double-dollar", jsonata({**END, "Output": "{% $$.a %}"}), {("/States/A/Output", UNSUPPORTED)}),
    ("jsonata-function-argument-reference", jsonata({**END, "Output": "{% $count(items) %}"}),
     {("/States/A/Output", UNSUPPORTED)}),
    ("jsonata-result-in-pass", jsonata({**END, "Output": "{% $states.result %}"}), {("/States/A/Output", UNSUPPORTED)}),
    ("jsonata-result-in-arguments", jsonata({"Type": "Task", "Resource": LAMBDA, "End": True,
                                             "Arguments": {"a": "{% $states.result %}"}}),
     {("/States/A/Arguments/a", UNSUPPORTED)}),
    ("jsonata-error-output-outside-catch", jsonata({"Type": "Task", "Resource": LAMBDA, "End": True,
                                                    "Output": "{% $states.errorOutput %}"}),
     {("/States/A/Output", UNSUPPORTED)}),
    # --- Assign ---
    ("assign-reserved-name", one({**END, "Assign": {"states": 1}}), {("/States/A/Assign/states", SCHEMA)}),
    ("assign-name-starts-with-digit", one({**END, "Assign": {"1x": 1}}), {("/States/A/Assign/1x", SCHEMA)}),
    ("assign-name-too-long", one({**END, "Assign": {"v" * 81: 1}}), {("/States/A/Assign/" + "v" * 81, SCHEMA)}),
    ("assign-not-an-object", one({**END, "Assign": [1]}), {("/States/A/Assign", SCHEMA)}),
    ("assign-on-succeed", one({"Type": "Succeed", "Assign": {"x": 1}}), {("/States/A", SCHEMA)}),
    ("assign-on-fail", one({"Type": "Fail", "Assign": {"x": 1}}), {("/States/A", SCHEMA)}),
    ("assign-bad-path", one({**END, "Assign": {"x.$": "nope"}}), {("/States/A/Assign/x.$", SCHEMA)}),
    ("assign-jsonata-does-not-parse", jsonata({**END, "Assign": {"x": "{% 1 + %}"}}),
     {("/States/A/Assign/x", BAD_JSONATA)}),
    ("assign-in-choice-rule-reserved", choice(rule(StringEquals="a", Assign={"states": 1})),
     {("/States/C/Choices/0/Assign/states", SCHEMA)}),
]


@pytest.mark.parametrize("definition, expected", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_it_reports_each_rule_at_its_pointer_with_its_code(definition, expected):
    assert errors(definition) == expected


VALID = [
    ("jsonata-state-in-jsonpath-machine", one({**END, "QueryLanguage": "JSONata", "Output": "{% $states.input %}"})),
    ("jsonata-machine", jsonata({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                                 "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
                                 "TimeoutSeconds": "{% 60 %}", "Output": "{% $states.result.Payload %}",
                                 "Assign": {"last": "{% $states.result %}"},
                                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A",
                                            "Output": "{% $states.errorOutput %}"}]})),
    ("jsonata-nested-context-names", jsonata({**END, "Output": "{% $states.input.items[price > 5].name %}"})),
    ("jsonata-lambda-body", jsonata({**END, "Output": "{% $map($states.input.xs, function($v) { $v * 2 }) %}"})),
    ("iterator-with-processor-config", {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Iterator": {**branch(), "ProcessorConfig": {"Mode": "INLINE"}}}}}),
    ("distributed-map", map_state(ItemProcessor={**branch(), "ProcessorConfig": {
        "Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}, Label="L", ToleratedFailurePercentage=5.5)),
    ("intrinsics-and-context", one({**END, "Parameters": {
        "a.$": "States.Format('{} and {}', $.x, $$.Execution.Id)", "b.$": "States.Array(1, 'x', null)",
        "c.$": "$$.Map.Item.Value", "d.$": "States.MathAdd(States.ArrayLength($.l), -1)", "e.$": "States.UUID()"}})),
    ("variables-in-paths", {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.y"}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$x", "NumericEqualsPath": "$y", "Next": "D"}],
              "Default": "D"},
        "D": {"Type": "Pass", "Parameters": {"v.$": "$x"}, "End": True}}}),
    ("choice-every-operator", choice(
        {"And": [{"Variable": "$.a", "IsPresent": True}, {"Not": {"Variable": "$.a", "IsNull": True}},
                 {"Or": [{"Variable": "$.s", "StringMatches": "a*\\*"},
                         {"Variable": "$.t", "TimestampGreaterThanEquals": "2016-03-14T01:59:00.123+01:00"},
                         {"Variable": "$.n", "NumericLessThanEquals": -1.5},
                         {"Variable": "$.b", "BooleanEqualsPath": "$.c"}]}],
         "Next": "D"})),
    ("null-paths", one({**END, "InputPath": None, "OutputPath": None, "ResultPath": None})),
    ("catch-to-another-state", catch({"ErrorEquals": ["States.Timeout", "E"], "Next": "H", "ResultPath": "$.err"},
                                     {"ErrorEquals": ["States.ALL"], "Next": "H"})),
    ("wait-timestamp", one({"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "End": True})),
    ("fail-with-intrinsic-cause", one({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('{}', $.c)"})),
    ("task-heartbeat-below-timeout", task(TimeoutSeconds=60, HeartbeatSeconds=10,
                                          Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1,
                                                  "MaxAttempts": 0, "BackoffRate": 1, "MaxDelaySeconds": 5,
                                                  "JitterStrategy": "FULL"}])),
    ("self-loop-with-exit", {"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "C",
                                                              "Choices": [rule(IsPresent=True)]}, "D": END}}),
]


@pytest.mark.parametrize("definition", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_it_accepts_what_aws_accepts(definition):
    assert errors(definition) == set()


def test_it_says_what_to_add_to_a_state_with_neither_next_nor_end():
    problems = validate({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": LAMBDA}, "B": END}})
    problem = problems[0]
    assert [p.code for p in problems] == ["SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET"]
    assert problem.path == "/States/A"
    assert problem.code == "SCHEMA_VALIDATION_FAILED"
    assert NEITHER_NEXT_NOR_END in problem.message
    assert "'A'" in problem.message and "Next" in problem.message and '"End": true' in problem.message


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/seed is absent")
def test_it_reports_the_seeds_retry_catch_example_at_failing_task_only():
    definition = json.loads((SEED / "retry-catch.asl.json").read_text())
    problems = validate(definition)
    assert [(p.path, p.code) for p in problems] == [("/States/FailingTask", "SCHEMA_VALIDATION_FAILED")]
    assert "'FailingTask' has neither 'Next' nor 'End'" in problems[0].message


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/seed is absent")
@pytest.mark.parametrize("name", ["two-tasks.asl.json", "parallel.asl.json"])
def test_it_accepts_the_seeds_valid_examples(name):
    assert validate(json.loads((SEED / name).read_text())) == []


@pytest.mark.skipif(not CASES, reason="../shared/conformance is absent")
@pytest.mark.parametrize("case", CASES, ids=[c.parent.name for c in CASES])
def test_it_accepts_every_definition_aws_accepted(case):
    problems = validate(json.loads(case.read_text()))
    assert [p for p in problems if p.severity == "ERROR"] == []


@pytest.mark.skipif(not WORKLOADS, reason="../shared/bench is absent")
@pytest.mark.parametrize("workload", WORKLOADS, ids=[w.name for w in WORKLOADS])
def test_it_accepts_the_bench_workloads(workload):
    assert errors(json.loads(workload.read_text())) == set()


def test_it_warns_about_paths_without_a_dollar_key():
    problems = validate(one({**END, "Parameters": {"a": "$.x", "b": "States.Format('x')", "c": "plain"}}))
    assert {(p.path, p.code, p.severity) for p in problems} == {
        ("/States/A/Parameters/a", "NO_DOLLAR", "WARNING"), ("/States/A/Parameters/b", "NO_DOLLAR", "WARNING")}


def test_it_warns_about_a_path_in_a_fail_states_error():
    problems = validate(one({"Type": "Fail", "Error": "$.error"}))
    assert [(p.path, p.code, p.severity) for p in problems] == [("/States/A/Error", "NO_PATH", "WARNING")]


def test_it_warns_that_a_pass_result_is_static():
    problems = validate(one({**END, "Result": {"a.$": "$.x"}}))
    assert [(p.path, p.code, p.severity) for p in problems] == [("/States/A/Result", "PASS_RESULT_IS_STATIC",
                                                                 "WARNING")]


def test_it_warns_about_states_reached_only_from_unreachable_states():
    definition = {"StartAt": "A", "States": {"A": END, "B": {"Type": "Pass", "Next": "C"},
                                             "C": {"Type": "Pass", "Next": "B"}}}
    problems = validate(definition)
    assert {(p.path, p.code, p.severity) for p in problems} == {
        ("/States/B", "UNREACHABLE_STATE", "WARNING"), ("/States/C", "UNREACHABLE_STATE", "WARNING")}


def test_it_reports_every_problem_not_just_the_first():
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "nope", "TimeoutSeconds": 0, "Next": "Nowhere"},
        "B": {"Type": "Pass", "InputPath": "x", "End": True}}}
    assert errors(definition) == {("/States/A/Resource", RESOURCE), ("/States/A/TimeoutSeconds", SCHEMA),
                                  ("/States/A/Next", TARGET), ("/States/B/InputPath", SCHEMA), ("/States/B", TARGET)}


def test_it_points_into_branches_and_item_processors():
    definition = parallel(branch({"Type": "Map", "ItemProcessor": branch({"Type": "Pass", "InputPath": "x",
                                                                          "End": True}, name="Y"),
                                  "End": True}, name="M"))
    assert errors(definition) == {("/States/P/Branches/0/States/M/ItemProcessor/States/Y/InputPath", SCHEMA)}


def test_it_names_the_state_in_its_messages():
    definition = {"StartAt": "Bake", "States": {"Bake": {"Type": "Task", "Resource": LAMBDA, "Next": "Delivr"},
                                                "Deliver": END}}
    messages = {p.path: p.message for p in validate(definition)}
    assert "'Bake'" in messages["/States/Bake/Next"] and "Delivr" in messages["/States/Bake/Next"]
    assert '"Deliver"' in messages["/States/Deliver"]


@pytest.mark.parametrize("module", ["engine.timestamps"])
def test_it_still_checks_when_an_engine_module_it_borrows_is_missing(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes the lazy import fail
    bad = {**END, "Parameters": {"a.$": "States.Nope($.x)", "b.$": "States.Format('{}', $.x"}}
    good = {**END, "Parameters": {"a.$": "States.Format('{}', States.ArrayLength($.l), 'x', 1, null)"}}
    assert errors(one(bad)) == {("/States/A/Parameters/a.$", SCHEMA), ("/States/A/Parameters/b.$", SCHEMA)}
    assert errors(one(good)) == set()
    assert errors(choice(rule(TimestampEquals="2016-02-30T01:59:00Z"))) == {
        ("/States/C/Choices/0/TimestampEquals", SCHEMA)}
    assert errors(choice(rule(TimestampEquals="2016-03-14T01:59:00.5+01:00"))) == set()


def test_problems_turn_into_plain_dicts():
    problem = validate(one({"Type": "Pass"}))[0]
    assert isinstance(problem, Problem)
    assert problem.to_dict() == {"path": "/States/A", "code": "SCHEMA_VALIDATION_FAILED",
                                 "message": problem.message, "severity": "ERROR"}
    assert json.loads(json.dumps(problem.to_dict())) == problem.to_dict()


@pytest.mark.parametrize("definition", [
    nested_parallel(60),
    choice(nested_not(80)),
    one({**END, "Parameters": {"a": nested_list(300)}}),
    jsonata({**END, "Output": nested_list(300)}),
], ids=["parallel-in-parallel", "not-in-not", "deep-parameters", "deep-output"])
def test_it_reports_deep_nesting_instead_of_recursing_forever(definition):
    problems = validate(definition)
    assert "TOO_DEEPLY_NESTED" in {p.code for p in problems}
    assert "INTERNAL_VALIDATOR_ERROR" not in {p.code for p in problems}


@pytest.mark.parametrize("value", [
    0, 1.5, float("nan"), float("inf"), True, "", "\ud800", 10 ** 400, [], {}, [[[]]],
    {"StartAt": None, "States": None},
    {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": LAMBDA, "End": True, "TimeoutSeconds": 10 ** 400,
                                      "Retry": [{"ErrorEquals": ["E"], "BackoffRate": float("nan")}]}}},
    one({**END, "Parameters": {"a.$": "$" + "[" * 5000}}),
    jsonata({**END, "Output": "{% " + "(" * 3000 + " %}"}),
    one({**END, "Parameters": {"a.$": "States.Format(" * 500}}),
], ids=lambda v: type(v).__name__)
def test_it_never_raises_on_hostile_values(value):
    problems = validate(value)
    assert all(isinstance(p, Problem) for p in problems)
    assert "INTERNAL_VALIDATOR_ERROR" not in {p.code for p in problems}


# --- property tests ---------------------------------------------------------------

ASL_KEYS = sorted({
    "StartAt", "States", "Type", "Next", "End", "Comment", "QueryLanguage", "Resource", "Parameters", "Arguments",
    "Output", "Assign", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Result", "Retry", "Catch",
    "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Choices",
    "Default", "Variable", "StringEquals", "NumericEquals", "BooleanEquals", "TimestampEquals", "IsPresent",
    "NumericEqualsPath", "And", "Or", "Not", "Condition", "Seconds", "Timestamp", "SecondsPath", "Error", "Cause",
    "ErrorPath", "Branches", "ItemProcessor", "Iterator", "ProcessorConfig", "Mode", "ExecutionType", "Items",
    "ItemsPath", "ItemSelector", "MaxConcurrency", "ToleratedFailurePercentage", "TimeoutSeconds",
    "HeartbeatSeconds", "x.$", "a.$",
})
STRINGS = st.sampled_from([
    "A", "B", "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "JSONPath", "JSONata", "$",
    "$.a", "$$.Execution.Id", "$x", "$.a[*]", "$[", "States.ALL", "States.Format('{}', $.a)", "States.Nope(",
    "{% $states.input %}", "{% 1 + %}", "{% phone %}", "{%%}", "arn:aws:states:::lambda:invoke",
    "2016-03-14T01:59:00Z", "INLINE", "DISTRIBUTED", "FULL", "states",
]) | st.text(max_size=12)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | STRINGS
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(ASL_KEYS) | st.text(max_size=6), inner, max_size=5),
                    max_leaves=40)
STATE = st.fixed_dictionaries({"Type": st.sampled_from(["Pass", "Task", "Choice", "Wait", "Succeed", "Fail",
                                                        "Parallel", "Map"])},
                              optional={k: JSON for k in ASL_KEYS if k != "Type"})
DEFINITION = st.fixed_dictionaries({"StartAt": STRINGS, "States": st.dictionaries(STRINGS, STATE, max_size=4)},
                                   optional={"QueryLanguage": STRINGS, "TimeoutSeconds": JSON})


def _assert_sane(problems):
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem)
        assert p.severity in ("ERROR", "WARNING")
        assert p.path == "" or p.path.startswith("/")
        assert p.code != "INTERNAL_VALIDATOR_ERROR", p.message
        json.dumps(p.to_dict())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_it_never_raises_on_random_json(value):
    _assert_sane(validate(value))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DEFINITION)
def test_it_never_raises_on_random_definitions(definition):
    _assert_sane(validate(definition))


def _containers(value, found):
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            _containers(item, found)
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            _containers(item, found)
    return found


def _mutate(data, definition):
    """Delete keys, change types, rename states: a few times, anywhere."""
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        containers = _containers(definition, [])
        target = containers[data.draw(st.integers(0, len(containers) - 1), label="where")]
        if isinstance(target, list):
            if target:
                target[data.draw(st.integers(0, len(target) - 1))] = data.draw(JSON, label="new item")
            continue
        if not target:
            target[data.draw(STRINGS)] = data.draw(JSON)
            continue
        key = data.draw(st.sampled_from(sorted(target)), label="key")
        action = data.draw(st.sampled_from(["delete", "retype", "rename"]), label="action")
        if action == "delete":
            del target[key]
        elif action == "retype":
            target[key] = data.draw(JSON, label="new value")
        else:
            target[data.draw(STRINGS, label="new name")] = target.pop(key)
    return definition


if CASES:
    CONFORMANCE = [json.loads(case.read_text()) for case in CASES]

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def test_it_never_raises_on_mutated_conformance_definitions(data):
        original = data.draw(st.sampled_from(CONFORMANCE), label="definition")
        _assert_sane(validate(_mutate(data, copy.deepcopy(original))))

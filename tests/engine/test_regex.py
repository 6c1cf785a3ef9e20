"""User-written regular expressions run in linear time (RE2), so none can freeze the process (issue 9 §1):
`$contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(a+)+$/)` held the interpreter lock for 19 s."""
import pytest

import engine
from engine import errors
from engine.jsonata_query import compile_expression, evaluation
from engine.jsonpath import PathSyntaxError, compile_path
from engine.regex import CHECK_EVERY, UnsupportedRegex, compile_linear


def value(expression, states=None):
    return compile_expression("{% " + expression + " %}").evaluate(states or {}, {}, None, "Output")


def test_catastrophic_backtracking_patterns_answer_at_once():
    assert value('$contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(a+)+$/)') is False
    assert value('$count($match("' + "a" * 5000 + '!", /(a|aa)*b/))') == 0
    data = [{"n": "a" * 40 + "!"}, {"n": "ab"}]
    assert compile_path("$[?(@.n =~ '^(a+)+$')]").find(data) == []
    assert compile_path("$[?(@.n =~ 'a.*')]").find(data) == data


@pytest.mark.parametrize("pattern, feature", [
    (r"(a)\1", "a backreference"),
    (r"a(?=b)", "a lookahead"),
    (r"a(?!b)", "a negative lookahead"),
    (r"(?<=a)b", "a lookbehind"),
    (r"(?<!a)b", "a negative lookbehind"),
    (r"(?<x>a)\k<x>", "a named backreference"),
    (r"a{2000}", "a repetition count above 1000"),
])
def test_a_feature_re2_lacks_is_refused_by_name_when_the_definition_is_checked(pattern, feature):
    with pytest.raises(UnsupportedRegex, match=feature):
        compile_linear(pattern)
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
        "Type": "Pass", "Output": "{% $contains($states.input, /" + pattern + "/) %}", "End": True}}}
    (problem,) = engine.validate(definition)
    assert (problem.path, problem.code) == ("/States/P/Output", "INVALID_JSONATA_EXPRESSION")
    assert f"/{pattern}/ uses {feature}" in problem.message and "RE2" in problem.message
    with pytest.raises(PathSyntaxError, match=feature):
        compile_path("$[?(@.n =~ '" + pattern + "')]")


def test_jsonpath_filters_with_a_refused_regex_are_definition_problems():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$[?(@.n =~ '(a)\\1')]",
                                                   "End": True}}}
    (problem,) = engine.validate(definition)
    assert problem.path == "/States/P/InputPath" and "a backreference" in problem.message


@pytest.mark.parametrize("expression, expected", [
    ('$contains("ABC", /b/i)', True),
    ('$contains("a\\nb", /^b/)', False),
    ('$contains("a\\nb", /^b/m)', True),
    ('$contains("ab\\n", /b$/)', False),  # JavaScript's $ is the end of the text (Python's re would match)
    ('$contains("A", /\\u0041/)', True),
    ('$replace("abcabc", /(b)(c)/, "[$2$1]")', "a[cb]a[cb]"),
    ('$replace("abc", /(b)/, "$12")', "a" + "b2" + "c"),  # no group 12: group 1, then "2"
    ('$replace("abc", /b/, "$$")', "a$c"),
    ('$replace("abc", /b/, "\\\\n")', "a\\nc"),  # a backslash is text in a replacement
    ('$replace("日本語", /本/, "é")', "日é語"),
    ('$replace("abc", /x*/, "-")', "-a-b-c-"),
    ('$replace("aaa", /a/, "b", 2)', "bba"),
    ('$split("a1b2c", /\\d/)', ["a", "b", "c"]),
    ('$split("a1b2c", /\\d/, 2)', ["a", "b"]),
    ('$match("Hello World", /o/).index', [4, 7]),
    ('$match("ab12", /([a-z]+)(\\d+)/).groups', ["ab", "12"]),
    ('$replace("ab", /(a)/, function($m) { $uppercase($m.groups[0]) })', "Ab"),
])
def test_jsonata_regexes_keep_their_javascript_meaning(expression, expected):
    assert value(expression) == expected


def test_a_regex_is_not_a_result():
    with pytest.raises(errors.QueryEvaluationError, match="unsupported result type"):
        value("/abc/")
    assert value('{"a": /x/, "b": 1}') == {"b": 1}


def test_long_linear_matching_looks_at_its_time_limit():
    checks = []
    pattern = compile_linear("a", check=lambda: checks.append(1))
    assert len(list(pattern.finditer("a" * (3 * CHECK_EVERY + 1)))) == 3 * CHECK_EVERY + 1
    assert len(checks) == 3


def test_matching_stops_at_the_evaluation_time_limit(monkeypatch):
    monkeypatch.setattr(evaluation, "EVALUATION_TIMEOUT_MS", 0)
    with pytest.raises(errors.QueryEvaluationError, match="D1012"):
        value("$count($match($states.input, /a/))", {"input": "a" * 100_000})

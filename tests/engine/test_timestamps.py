"""Timestamps as Step Functions reads them (Choice Timestamp*, Wait Timestamp/TimestampPath)
and writes them (context object times).

The recorded Wait cases fix the format: ../shared/conformance/cases/wait_timestamp_*
("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time
format string: ..."); the ASL spec asks for RFC 3339 with an uppercase T and Z
(https://states-language.net/spec.html#timestamps).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.timestamps import format_timestamp, parse_instant, parse_timestamp

CASES = Path(__file__).resolve().parents[2].parent / "shared/conformance/cases"

VALID = [
    ("2016-03-14T01:59:00Z", datetime(2016, 3, 14, 1, 59, tzinfo=timezone.utc)),
    ("2012-10-09T19:00:55+01:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=1)))),
    ("2012-10-09T19:00:55-05:30", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))),
    ("2012-10-09T19:00:55-00:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone.utc)),
    ("2024-01-01T12:00:00.123Z", datetime(2024, 1, 1, 12, 0, 0, 123000, tzinfo=timezone.utc)),
    ("2024-01-01T12:00:00.1Z", datetime(2024, 1, 1, 12, 0, 0, 100000, tzinfo=timezone.utc)),
    # nine fraction digits are accepted (wait_timestamp_nanoseconds); a datetime keeps six
    ("2016-03-05T21:29:29.243167252Z", datetime(2016, 3, 5, 21, 29, 29, 243167, tzinfo=timezone.utc)),
    ("2016-03-05T21:29Z", datetime(2016, 3, 5, 21, 29, tzinfo=timezone.utc)),      # seconds are optional
    ("2016-02-29T00:00:00Z", datetime(2016, 2, 29, tzinfo=timezone.utc)),          # leap day
    ("2000-02-29T00:00:00Z", datetime(2000, 2, 29, tzinfo=timezone.utc)),
    ("2016-03-05T23:59:59+18:00", datetime(2016, 3, 5, 23, 59, 59, tzinfo=timezone(timedelta(hours=18)))),
    ("2016-03-05t21:29:29z", datetime(2016, 3, 5, 21, 29, 29, tzinfo=timezone.utc)),  # Java parses case-insensitively
    ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)),
    ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=timezone.utc)),
]

INVALID = [
    "2016-12-05T21:29:29",             # no offset (wait_timestamp_*_no_z)
    "2016-12-05 21:29:29Z",            # no 'T' (wait_timestamp_*_no_t)
    "05-12-2016T21:29:29Z",            # not year first (wait_timestamp_*_invalid_iso)
    "2016-13-05T21:29:29Z",            # month 13 (wait_timestamp_path_invalid_date)
    "2016-02-30T00:00:00Z",            # no such day
    "2015-02-29T00:00:00Z",            # not a leap year
    "1900-02-29T00:00:00Z",
    "2016-00-05T21:29:29Z",
    "2016-12-00T21:29:29Z",
    "2016-12-05T24:00:00Z",            # strict: no hour 24
    "2016-12-05T21:60:00Z",
    "2016-12-05T21:29:60Z",            # no leap second
    "2016-12-05T21:29:29.1234567891Z", # ten fraction digits
    "2016-12-05T21Z",                  # minutes are required
    "2016-12-05T21:29:29+01",          # offset needs minutes
    "2016-12-05T21:29:29+0100",        # ... and its colon
    "2016-12-05T21:29:29+19:00",       # beyond +-18:00
    "2016-12-05T21:29:29+18:01",
    "2016-12-05T21:29:29+01:60",
    "2016-12-05T21:29:29ZZ",
    " 2016-12-05T21:29:29Z",
    "2016-12-05T21:29:29Z ",
    "2016-1-05T21:29:29Z",
    "16-12-05T21:29:29Z",
    "+2016-12-05T21:29:29Z",           # a '+' year must be longer than four digits
    "２０１６-12-05T21:29:29Z",          # only ASCII digits
    "2023-02-24",
    "",
    "HelloWorld",
]


@pytest.mark.parametrize("text, expected", VALID)
def test_it_parses_what_aws_accepts(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()
    assert parse_instant(text) is not None


@pytest.mark.parametrize("text", INVALID)
def test_it_refuses_what_aws_refuses(text):
    assert parse_timestamp(text) is None
    assert parse_instant(text) is None


@pytest.mark.parametrize("value", [None, 0, 1.5, True, [], {}, b"2016-03-14T01:59:00Z"])
def test_a_non_string_is_not_a_timestamp(value):
    assert parse_timestamp(value) is None
    assert parse_instant(value) is None


def test_instants_are_exact_to_the_nanosecond():
    assert parse_instant("1970-01-01T00:00:00Z") == (0, 0)
    assert parse_instant("1970-01-01T01:00:00+01:00") == (0, 0)
    assert parse_instant("2016-03-05T21:29:29.243167252Z") == (1457213369, 243167252)
    assert parse_instant("2016-03-05T21:29:29.243167252Z") < parse_instant("2016-03-05T21:29:29.243167253Z")
    assert parse_instant("1969-12-31T23:59:59.5Z") == (-1, 500000000)


def test_years_beyond_a_datetime_still_compare():
    # Java's ISO parser takes signed years; a datetime cannot hold them.
    assert parse_instant("+10000-01-01T00:00:00Z") > parse_instant("9999-12-31T23:59:59Z")
    assert parse_instant("0000-01-01T00:00:00Z") < parse_instant("0001-01-01T00:00:00Z")
    assert parse_timestamp("+10000-01-01T00:00:00Z") is None


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=45)),
                                               timezone(timedelta(hours=-8))])))
def test_instants_agree_with_datetime(dt):
    text = dt.isoformat()
    seconds, nanos = parse_instant(text)
    assert seconds == int((dt - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(seconds=1))
    assert nanos == dt.microsecond * 1000
    assert parse_timestamp(text) == dt


def test_it_formats_context_times_with_milliseconds_in_utc():
    assert format_timestamp(datetime(2024, 1, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)) == "2024-01-01T12:00:00.123Z"
    assert format_timestamp(datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)) == "2024-01-01T12:00:00.000Z"
    assert format_timestamp(datetime(2024, 1, 1, 13, 0, 0, 999999, tzinfo=timezone(timedelta(hours=1)))) \
        == "2024-01-01T12:00:00.999Z"
    assert format_timestamp(datetime(2024, 1, 1, 12, 0, 0)) == "2024-01-01T12:00:00.000Z"     # naive is UTC
    assert format_timestamp(datetime(999, 1, 1, tzinfo=timezone.utc)) == "0999-01-01T00:00:00.000Z"


def test_formatted_times_parse_back():
    dt = datetime(2019, 3, 26, 20, 14, 13, 192000, tzinfo=timezone.utc)
    assert parse_timestamp(format_timestamp(dt)) == dt


def _wait_cases():
    if not CASES.is_dir():
        return []
    return sorted(p.name for p in CASES.iterdir() if p.name.startswith("wait_timestamp"))


@pytest.mark.parametrize("case_id", _wait_cases())
def test_it_agrees_with_the_recorded_wait_cases(case_id):
    case = CASES / case_id
    definition = json.loads((case / "definition.json").read_text())
    data = json.loads((case / "input.json").read_text())
    expected = json.loads((case / "expected.json").read_text())
    wait = next(s for s in definition["States"].values() if s["Type"] == "Wait")
    if "TimestampPath" in wait:
        text = data[wait["TimestampPath"].removeprefix("$.")]
    elif wait["Timestamp"].startswith("{%"):
        text = data["TimestampValue"]          # "{% $states.input.TimestampValue %}"
    else:
        text = wait["Timestamp"]
    accepted = parse_timestamp(text) is not None
    assert accepted is (expected["status"] == "SUCCEEDED"), (text, expected)

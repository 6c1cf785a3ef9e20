"""Timestamps the way Step Functions reads and writes them.

Reading: the Timestamp* Choice operators and the Wait state's
Timestamp/TimestampPath accept an "ISO-8601 extended offset date-time"
(AWS's own wording in its Wait error causes, which is the wording of Java's
DateTimeFormatter.ISO_OFFSET_DATE_TIME), e.g. `2016-03-14T01:59:00Z`:

    date        yyyy-MM-dd (a year past 9999 or before 0000 carries a sign)
    'T'         required (a space is refused)          wait_timestamp_*_no_t
    time        HH:mm, then optionally :ss, then optionally .f (0-9 digits);
                nanoseconds are kept                   wait_timestamp_*_nanoseconds
    offset      'Z' or +HH:MM[:ss] / -HH:MM[:ss]; required wait_timestamp_*_no_z
    strict      a field out of range (month 13, Feb 30, hour 24, second 60)
                is refused, not rolled over            wait_timestamp_path_invalid_date

Like Java's parser, 't' and 'z' are accepted in either case (the docs ask
writers for uppercase; the parser does not insist).

Writing: the context object's times (`$$.Execution.StartTime`,
`$$.State.EnteredTime`) are UTC with milliseconds: `2019-03-26T20:14:13.192Z`
(https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
"""
from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone

_TIMESTAMP = re.compile(
    r"(?P<year>[0-9]{4}|[+-][0-9]{4,9})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"[Tt](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{0,9}))?)?"
    r"(?:[Zz]|(?P<sign>[+-])(?P<off_h>[0-9]{2}):(?P<off_m>[0-9]{2})(?::(?P<off_s>[0-9]{2}))?)"
)

_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _fields(text):
    """The validated fields of a timestamp, or None if AWS would refuse it."""
    if type(text) is not str:
        return None
    m = _TIMESTAMP.fullmatch(text)
    if m is None:
        return None
    year_text = m["year"]
    # Java's strict year: a '+' only for more than 4 digits, a '-' with at least 4.
    if year_text[0] == "+" and len(year_text) <= 5:
        return None
    year, month, day = int(year_text), int(m["month"]), int(m["day"])
    hour, minute = int(m["hour"]), int(m["minute"])
    second = int(m["second"] or 0)
    fraction = m["fraction"] or ""
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59:
        return None
    days = _DAYS_IN_MONTH[month] + (month == 2 and _is_leap(year))
    if not 1 <= day <= days:
        return None
    offset = 0
    if m["sign"] is not None:
        off_h, off_m, off_s = int(m["off_h"]), int(m["off_m"]), int(m["off_s"] or 0)
        if off_h > 18 or off_m > 59 or off_s > 59 or (off_h == 18 and (off_m or off_s)):
            return None
        offset = off_h * 3600 + off_m * 60 + off_s
        if m["sign"] == "-":
            offset = -offset
    return year, month, day, hour, minute, second, nanos, offset


def parse_instant(text) -> tuple[int, int] | None:
    """(seconds since the epoch, nanoseconds) of a timestamp, or None if invalid.

    Exact to the nanosecond (a datetime stops at microseconds), so Timestamp*
    comparisons order `...29.243167252Z` and `...29.243167253Z` correctly.
    Cached: a Choice state compares the same input strings again and again.
    """
    return _instant(text) if type(text) is str else None


@functools.lru_cache(maxsize=4096)
def _instant(text: str):
    fields = _fields(text)
    if fields is None:
        return None
    year, month, day, hour, minute, second, nanos, offset = fields
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    return seconds, nanos


def parse_timestamp(text) -> datetime | None:
    """The aware datetime (in the text's own offset) of a timestamp, or None.

    Fractions finer than a microsecond are truncated. A valid timestamp whose
    year a datetime cannot hold (before 1 or after 9999) also gives None.
    """
    fields = _fields(text)
    if fields is None:
        return None
    year, month, day, hour, minute, second, nanos, offset = fields
    if not 1 <= year <= 9999:
        return None
    return datetime(year, month, day, hour, minute, second, nanos // 1000,
                    tzinfo=timezone(timedelta(seconds=offset)) if offset else timezone.utc)


def format_timestamp(dt: datetime) -> str:
    """A time as the context object prints it: UTC, milliseconds, 'Z'.

    A naive datetime is taken to be UTC already.
    """
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T"
            f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}.{dt.microsecond // 1000:03d}Z")

"""Times and durations as a scenario or a log writes them, and as the tool shows them.

Pure: parsing and formatting only (no clock).  A *duration* is signed (``"+3d"``, ``"-12h"``: a
retime); a *span* is a positive length of time (``"14d"``, or ISO 8601 ``"P14D"``: a patience).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Final

from sim.errors import SimError

__all__ = [
    "Zone",
    "day_edge",
    "format_duration",
    "format_span",
    "in_zone",
    "offset_label",
    "parse_duration",
    "parse_span",
    "parse_time",
    "parse_zone",
    "show_dated",
    "show_time",
    "zone_name",
]

_DURATION: Final = re.compile(r"([+-])?((?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?)")
_UNITS: Final = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: object) -> timedelta:
    """A signed duration: ``"+3d"``, ``"-12h"``, ``"+90m"``, ``"+1d6h"`` (units w d h m s)."""
    if isinstance(text, timedelta):
        return text
    match = _DURATION.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or not match.group(2):
        raise SimError(
            what="bad duration",
            expected='a signed duration such as "+3d", "-12h", "+90m" or "+1d6h"',
            found=repr(text),
        )
    parts = re.findall(r"(\d+)([wdhms])", match.group(2))
    try:
        amount = timedelta(**{_UNITS[unit]: int(n) for n, unit in parts})
    except OverflowError:
        raise SimError(
            what="duration too long",
            expected="at most 999999999 days",
            found=repr(text),
        ) from None
    return -amount if match.group(1) == "-" else amount


def format_duration(amount: timedelta) -> str:
    """The signed text :func:`parse_duration` reads back: 1 day 6 hours -> ``"+1d6h"``."""
    sign = "-" if amount < timedelta(0) else "+"
    seconds = int(abs(amount).total_seconds())
    if abs(amount) != timedelta(seconds=seconds):
        msg = f"durations are whole seconds, got {amount}"
        raise ValueError(msg)
    text = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            text += f"{count}{unit}"
    return sign + (text or "0s")


def parse_time(value: object, *, what: str = "time") -> datetime:
    """A timezone-aware time from a datetime, a date (its midnight, UTC) or ISO 8601 text."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise SimError(
                what=f"bad {what}",
                expected="a date (YYYY-MM-DD) or an ISO 8601 time with an offset",
                found=repr(value),
            ) from None
        if len(value.strip()) == 10:
            return moment.replace(tzinfo=UTC)
    else:
        raise SimError(
            what=f"bad {what}",
            expected="a date (YYYY-MM-DD) or an ISO 8601 time with an offset",
            found=f"{type(value).__name__} {value!r}",
        )
    if moment.utcoffset() is None:
        raise SimError(
            what=f"{what} has no timezone",
            expected="an offset such as +00:00 or Z",
            found=repr(value if isinstance(value, str) else moment.isoformat()),
        )
    return moment


_SPAN: Final = re.compile(r"\+?((?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?)")
_SPAN_UNITS: Final = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_ISO_SPAN: Final = re.compile(
    r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", re.IGNORECASE
)


def parse_span(text: object) -> timedelta:
    """A positive length of time: ``"14d"``, ``"1d6h"``, ``"90m"`` (units w d h m s), or ISO 8601
    (``"P14D"``, ``"PT36H"``).  ``ValueError`` says what was expected and found."""
    if isinstance(text, str):
        seconds: int | None = None
        match = _SPAN.fullmatch(text.strip())
        if match is not None and match.group(1):
            seconds = sum(
                int(n) * _SPAN_UNITS[u] for n, u in re.findall(r"(\d+)([wdhms])", match.group(1))
            )
        iso = _ISO_SPAN.fullmatch(text.strip())
        if iso is not None and any(iso.groups()):
            sizes = (604800, 86400, 3600, 60, 1)
            seconds = sum(int(n or 0) * size for n, size in zip(iso.groups(), sizes, strict=True))
        if seconds is not None and 0 < seconds <= 999_999_999 * 86400:
            return timedelta(seconds=seconds)
    msg = f'expected a positive duration such as "14d", "1d6h" or "P14D", found {text!r}'
    raise ValueError(msg)


def format_span(span: timedelta) -> str:
    """The text :func:`parse_span` reads back: 1 day 6 hours -> ``"1d6h"``."""
    seconds = int(span.total_seconds())
    text = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            text += f"{count}{unit}"
    return text or "0s"


# -- zones: how a time is shown -------------------------------------------------------------------

#: A zone to show times in: a fixed offset or an IANA zone, or ``None`` for each time in the
#: offset it was recorded with ("own").
Zone = tzinfo | None

_OFFSET: Final = re.compile(r"([+-])(\d{2}):?(\d{2})")
_OWN: Final = frozenset({"own", "recorded", "local"})


def parse_zone(text: str) -> Zone:
    """``--tz``: ``"UTC"``, ``"own"`` (each time in the offset it was recorded with), an offset
    (``"+02:00"``) or an IANA zone (``"Asia/Jerusalem"``).  ``SimError`` says what was expected."""
    value = text.strip()
    if value.upper() in {"UTC", "Z"}:
        return UTC
    if value.lower() in _OWN:
        return None
    match = _OFFSET.fullmatch(value)
    if match is not None:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        if offset < timedelta(hours=24) and int(minutes) < 60:
            return timezone(-offset if sign == "-" else offset)
    else:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415 (rarely needed)

        if len(value) <= 64:  # the longest IANA name has 32 characters
            try:
                return ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, not a zone
                pass
    raise SimError(
        what="unknown time zone",
        expected='"UTC", "own" (each time as recorded), an offset such as "+02:00", or an IANA '
        'zone such as "Asia/Jerusalem"',
        found=repr(text),
        code="unknown-zone",
    )


def day_edge(day: date, zone: Zone, *, end: bool) -> datetime:
    """The start (or with ``end`` the last instant) of ``day`` in ``zone`` (UTC for ``None``)."""
    return datetime.combine(day, time.max if end else time.min, tzinfo=zone or UTC)


def in_zone(moment: datetime, zone: Zone) -> datetime:
    """``moment`` as a clock in ``zone`` shows it (unchanged for ``None``, its own offset).

    A time that in ``zone`` would fall outside the years 1 to 9999 (``9999-12-31T23:00-05:00``
    in UTC) stays in its own offset: it is still shown labelled, with the offset it has."""
    if zone is None:
        return moment
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment


def offset_label(moment: datetime) -> str:
    """``"UTC"`` for a zero offset, else the offset as ``"+02:00"``."""
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds()) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def show_time(moment: datetime, zone: Zone = UTC, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as the tool prints it, always labelled: ``"2023-11-22 01:00 UTC"``, or in the
    recorded offset (``zone=None``) ``"2023-11-22 03:00 +02:00"``."""
    shown = in_zone(moment, zone)
    return f"{shown.strftime(fmt)} {offset_label(shown)}"


def show_dated(
    moment: datetime, precision: str, zone: Zone = UTC, fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    """A time as precisely as the record dates it: an ``exact`` time with its hours, in ``zone``
    and labelled (:func:`show_time`); a ``day`` as the date the record gives (in the time's own
    offset, never converted: its hours only keep the order of events); an ``approx`` time as
    that date marked ``~``."""
    if precision == "exact":
        return show_time(moment, zone, fmt)
    day = moment.strftime("%Y-%m-%d" if fmt.startswith("%Y") else "%d %b %Y")
    return f"~{day}" if precision == "approx" else day


def zone_name(zone: Zone) -> str:
    """How a legend names the zone: ``"UTC"``, ``"+02:00"``, ``"Asia/Jerusalem"``, or
    ``"recorded offsets"``."""
    if zone is None:
        return "recorded offsets"
    if zone is UTC:
        return "UTC"
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    return offset_label(datetime(2000, 1, 1, tzinfo=zone))

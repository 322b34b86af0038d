"""Time zones: which IANA name a common wrong one means, and exact local times.

IANA names a zone after its most populous city at the time it was defined, so
`Asia/Beijing`, `America/San_Francisco` or `Europe/Frankfurt` do not exist; people also
write abbreviations (`CST`) and offsets (`UTC+8`). A table of such names comes first; the
did-you-mean of the spelling is the fallback (it would offer `Asia/Brunei` for `Asia/Beijing`).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import cache

from smm.workspace.schema import did_you_mean

# The years smm reads a time in (a post's `publish_at`, `--now`, the times in data/): the calendar,
# the reports and UTC itself overflow around year 1 and 9999.
YEARS = range(1970, 3000)
YEARS_TEXT = "a year between 1970 and 2999"

_CHINA = "Asia/Shanghai"
_US_EAST, _US_CENTRAL, _US_MOUNTAIN, _US_WEST = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

# Wrong name (compared without case, spaces, `-` or `_`) → the IANA name meant.
COMMON_MISTAKES = {
    **dict.fromkeys(["Asia/Beijing", "Asia/Peking", "Beijing", "Peking", "China", "China Standard Time", "CN",
                     "Asia/China", "Asia/Shenzhen", "Asia/Guangzhou", "Asia/Hangzhou", "Asia/Chengdu",
                     "Asia/Wuhan", "Asia/Nanjing", "Asia/Xian", "Asia/Tianjin", "Asia/Suzhou", "Shanghai",
                     "北京", "北京时间", "中国", "中国标准时间", "Asia/北京", "Asia/上海"], _CHINA),
    **dict.fromkeys(["Asia/Hongkong", "Hong Kong"], "Asia/Hong_Kong"),
    **dict.fromkeys(["Asia/Mumbai", "Asia/Bombay", "Asia/Delhi", "Asia/New_Delhi", "Asia/Bangalore", "IST",
                     "India", "India Standard Time"], "Asia/Kolkata"),
    **dict.fromkeys(["Asia/Osaka", "JST", "Japan Standard Time"], "Asia/Tokyo"),
    **dict.fromkeys(["Asia/Busan", "KST"], "Asia/Seoul"),
    **dict.fromkeys(["Asia/Hanoi", "ICT"], "Asia/Ho_Chi_Minh"),
    "SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong",
    **dict.fromkeys(["Asia/Sydney", "Australia/Canberra_Time", "AEST", "AEDT"], "Australia/Sydney"),
    **dict.fromkeys(["America/San_Francisco", "America/Seattle", "America/San_Diego", "America/Las_Vegas",
                     "America/San_Jose", "America/Portland", "PST", "PDT", "Pacific Time", "Pacific"], _US_WEST),
    **dict.fromkeys(["America/Washington", "America/Washington_DC", "America/Boston", "America/Miami",
                     "America/Atlanta", "America/Philadelphia", "EDT", "Eastern Time", "Eastern"], _US_EAST),
    **dict.fromkeys(["America/Dallas", "America/Houston", "America/Austin", "America/Minneapolis", "CDT",
                     "Central Time"], _US_CENTRAL),
    **dict.fromkeys(["America/Salt_Lake_City", "MDT", "Mountain Time"], _US_MOUNTAIN),
    **dict.fromkeys(["Europe/Frankfurt", "Europe/Munich", "Europe/Hamburg", "Europe/Cologne", "CEST",
                     "Germany"], "Europe/Berlin"),
    **dict.fromkeys(["Europe/Barcelona"], "Europe/Madrid"),
    **dict.fromkeys(["Europe/Milan"], "Europe/Rome"),
    **dict.fromkeys(["Europe/Geneva"], "Europe/Zurich"),
    **dict.fromkeys(["Europe/Manchester", "Europe/Edinburgh", "BST", "UK"], "Europe/London"),
    **dict.fromkeys(["Europe/St_Petersburg", "MSK"], "Europe/Moscow"),
}
# `CST` is China Standard Time to a Chinese team and Central Standard Time in the US.
AMBIGUOUS = {"CST": f"`{_CHINA}` (China) or `{_US_CENTRAL}` (US Central)"}
# A city for the usual offsets written as `UTC+8` / `GMT+08:00`; others get the Etc/ name.
_BY_OFFSET = {8: _CHINA, 9: "Asia/Tokyo", 7: "Asia/Bangkok", 1: "Europe/Berlin", 2: "Europe/Athens",
              3: "Europe/Moscow", -5: _US_EAST, -6: _US_CENTRAL, -7: _US_MOUNTAIN, -8: _US_WEST}
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?([0-5]\d))?", re.IGNORECASE)


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).casefold()


_TABLE = {_key(wrong): right for wrong, right in COMMON_MISTAKES.items()}


@cache
def _names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_hint(name: str) -> str:
    """What to write instead of `name`, which is not an IANA time zone."""
    key = _key(name)
    if key in _TABLE:
        return f"did you mean `{_TABLE[key]}`? (IANA has no `{name}`)"
    for wrong, choices in AMBIGUOUS.items():
        if key == _key(wrong):
            return f"`{name}` is ambiguous: use {choices}"
    offset = _OFFSET.fullmatch(name.strip())
    if offset:
        hours = int(offset.group(2)) * (1 if offset.group(1) == "+" else -1)
        if offset.group(3) in (None, "00") and hours in _BY_OFFSET:
            return f"use a place name such as `{_BY_OFFSET[hours]}`: it also knows daylight saving time"
        if offset.group(3) in (None, "00") and -12 <= hours <= 14:
            return f"use a place name, or `Etc/GMT{-hours:+d}` (the Etc/ sign is reversed: it means UTC{hours:+d})"
        return "use the place name of that zone, such as `Asia/Kolkata` for UTC+05:30"
    return did_you_mean(name, _names()) or "use an IANA name such as `Asia/Shanghai` or `Europe/Berlin`"


def exact(moment: datetime) -> datetime:
    """The same instant with a fixed UTC offset (`fixed_zone`). Python subtracts and compares two
    datetimes that share a zone by their wall clocks, an hour off across a daylight-saving change."""
    return moment.astimezone(fixed_zone(moment.utcoffset()))


@cache
def fixed_zone(offset: timedelta, name: str | None = None) -> timezone:
    """This process's one `timezone` object of a fixed offset (and name). Two times that share their
    zone object compare field by field, about twenty times faster than two zone objects of the same
    offset do, with the same result: the checks across thousands of posts compare their times so
    (the check's cache unpickles posts' zones as these objects too: smm.workspace.cache)."""
    return timezone(offset) if name is None else timezone(offset, name)


def local(day: date, at: time, tz: tzinfo) -> datetime:
    """`at` on `day` in `tz` as an instant: a time the clocks skip moves on by the gap, a time they
    repeat is the first one."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(timezone.utc).astimezone(tz)

"""Standard 5-field cron expressions, read exactly as crontab(5) reads them.

Each field expands to the set of values it names: ``0 7 * * 1-5`` is Monday to
Friday, and 0 and 7 are both Sunday. Only the grammar lives here, with no
scheduler, so that the configuration can refuse a bad expression when it is
read; ``feeds.schedule.cron`` turns a parsed expression into triggers.
"""

from __future__ import annotations

from dataclasses import dataclass

MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class CronError(ValueError):
    """An expression cron would not accept; the message says which field and why."""


@dataclass(frozen=True)
class Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0  # the value of names[0]


FIELDS = (
    Field("minute", 0, 59),
    Field("hour", 0, 23),
    Field("day of month", 1, 31),
    Field("month", 1, 12, _MONTHS, 1),
    Field("day of week", 0, 7, _DAYS, 0),
)


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the set of values each field allows."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]  # of the month
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    days_restricted: bool  # the field did not start with *
    weekdays_restricted: bool


def parse(text: str) -> Expression:
    expression = MACROS.get(text.strip().lower(), text)
    parts = expression.split()
    if text.strip().startswith("@") and text.strip().lower() not in MACROS:
        raise CronError(f"{text!r}: unknown macro (use one of {', '.join(sorted(MACROS))})")
    if len(parts) != 5:
        raise CronError(f"{text!r}: a cron expression has 5 fields (minute hour day-of-month "
                        f"month day-of-week), this has {len(parts)}")
    values = [_field(part, spec, text) for part, spec in zip(parts, FIELDS, strict=True)]
    weekdays = frozenset(v % 7 for v in values[4])  # 7 is Sunday too
    return Expression(text.strip(), values[0], values[1], values[2], values[3], weekdays,
                      days_restricted=not parts[2].startswith("*"),
                      weekdays_restricted=not parts[4].startswith("*"))


def _field(part: str, spec: Field, text: str) -> frozenset[int]:
    return frozenset().union(*(_item(item.lower(), spec, text) for item in part.split(",")))


def _item(item: str, spec: Field, text: str) -> set[int]:
    where = f"{text!r}: {spec.name} {item!r}"
    body, _, step_text = item.partition("/")
    step = 1
    if step_text:
        if not step_text.isdigit() or int(step_text) == 0:
            raise CronError(f"{where}: the step must be a positive number")
        step = int(step_text)
    if body == "*":
        low, high = spec.low, spec.high
    elif "-" in body:
        first, _, last = body.partition("-")
        low, high = _value(first, spec, where), _value(last, spec, where)
        if low > high:
            raise CronError(f"{where}: a range must go upwards")
    else:
        low = high = _value(body, spec, where)
        if step_text:  # "5/10" means 5-max/10, as in Vixie cron
            high = spec.high
    return set(range(low, high + 1, step))


def _value(text: str, spec: Field, where: str) -> int:
    if text in spec.names:
        return spec.names.index(text) + spec.name_base
    if not text.isdigit():
        raise CronError(f"{where}: {text!r} is not a number"
                        + (f" or a name ({', '.join(spec.names)})" if spec.names else ""))
    number = int(text)
    if not spec.low <= number <= spec.high:
        raise CronError(f"{where}: {number} is outside {spec.low}-{spec.high}")
    return number

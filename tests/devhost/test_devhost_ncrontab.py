"""NCRONTAB as Azure's timer trigger reads it: six fields, seconds first, UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devhost.functions import TimerFunction
from devhost.settings import SettingsError
from devhost.timers import parse_ncrontab, prepare_timers
from tests.devhost.sample_app import tick

START = datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)  # a Monday


def occurrences(expression: str, start: datetime = START, count: int = 3) -> list[datetime]:
    schedule = parse_ncrontab(expression)
    found: list[datetime] = []
    moment = start
    for _ in range(count):
        moment = schedule.next_after(moment)
        found.append(moment)
    return found


def test_first_field_is_seconds() -> None:
    # given a schedule at second 30 of every minute
    # when its next occurrences are computed
    # then they fall at :30 seconds, one minute apart
    assert occurrences("30 * * * * *") == [
        datetime(2024, 1, 1, 0, 0, 30, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 1, 30, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 2, 30, tzinfo=UTC),
    ]


def test_every_second_schedule_fires_each_second_strictly_after_the_start() -> None:
    # given an every-second schedule and a start time in the middle of a second
    start = datetime(2024, 1, 1, 8, 0, 0, 500_000, tzinfo=UTC)
    # then the next occurrences are the following whole seconds
    assert occurrences("*/1 * * * * *", start) == [
        datetime(2024, 1, 1, 8, 0, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 8, 0, 2, tzinfo=UTC),
        datetime(2024, 1, 1, 8, 0, 3, tzinfo=UTC),
    ]


def test_azure_documentation_examples() -> None:
    # every five minutes; daily 08:00 (the notification default); every 15 minutes (the revoke default)
    assert occurrences("0 */5 * * * *", count=2)[1] == datetime(2024, 1, 1, 0, 10, tzinfo=UTC)
    assert occurrences("0 0 8 * * *", count=2) == [
        datetime(2024, 1, 1, 8, 0, tzinfo=UTC),
        datetime(2024, 1, 2, 8, 0, tzinfo=UTC),
    ]
    assert occurrences("0 */15 * * * *", count=2)[1] == datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    # 09:30 on weekdays: Monday the 1st to Wednesday the 3rd
    assert [d.day for d in occurrences("0 30 9 * * 1-5")] == [1, 2, 3]


def test_day_of_month_and_day_of_week_must_both_match() -> None:
    # given the 13th AND a Friday (NCrontab ANDs them; Vixie cron would OR them)
    # then only Fridays the 13th come up
    found = occurrences("0 0 0 13 * 5", count=2)
    assert found == [datetime(2024, 9, 13, tzinfo=UTC), datetime(2024, 12, 13, tzinfo=UTC)]


def test_spaces_are_normalised() -> None:
    assert parse_ncrontab("  0  0   8 * * *  ").expression == "0 0 8 * * *"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 8 * * *", "has 5 fields"),
        ("0 0 0 8 * * *", "has 7 fields"),
        ("00:05:00", "TimeSpan"),
        ("0 0 61 * * *", "not a valid NCRONTAB"),
        ("banana * * * * *", "not a valid NCRONTAB"),
    ],
)
def test_invalid_expressions_are_rejected_with_a_reason(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ncrontab(expression)


def test_schedule_setting_comes_from_the_environment_first() -> None:
    # given the setting both in the environment and in the app's defaults
    timers = [_tick_function("%SAMPLE_TICK_SCHEDULE%")]
    prepared = prepare_timers(
        timers,
        environ={"SAMPLE_TICK_SCHEDULE": "0 0 1 * * *"},
        defaults={"SAMPLE_TICK_SCHEDULE": "0 0 2 * * *"},
    )
    # then the environment wins
    assert prepared[0].schedule.expression == "0 0 1 * * *"


def test_schedule_setting_falls_back_to_the_app_defaults() -> None:
    timers = [_tick_function("%SAMPLE_TICK_SCHEDULE%")]
    prepared = prepare_timers(timers, environ={}, defaults={"SAMPLE_TICK_SCHEDULE": "0 0 2 * * *"})
    assert prepared[0].schedule.expression == "0 0 2 * * *"


def test_unresolved_schedule_setting_names_the_setting() -> None:
    timers = [_tick_function("%NO_SUCH_SCHEDULE%")]
    with pytest.raises(SettingsError, match="NO_SUCH_SCHEDULE") as raised:
        prepare_timers(timers, environ={}, defaults={})
    assert "tick" in str(raised.value)


def test_invalid_resolved_schedule_names_the_timer_and_setting() -> None:
    timers = [_tick_function("%SAMPLE_TICK_SCHEDULE%")]
    with pytest.raises(SettingsError, match=r"timer 'tick' schedule '%SAMPLE_TICK_SCHEDULE%'.*has 5 fields"):
        prepare_timers(timers, environ={"SAMPLE_TICK_SCHEDULE": "0 8 * * *"}, defaults={})


def _tick_function(schedule: str) -> TimerFunction:
    return TimerFunction(
        name="tick",
        trigger_arg="timer",
        user_function=tick,
        wants_context=False,
        directory=".",
        schedule=schedule,
        run_on_startup=False,
    )

"""Timer triggers run by a real devhost process on their NCRONTAB schedules."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

from tests.devhost.harness import EVERY_SECOND, StartDevhost, devhost_env, wait_until

# Generous: an every-second timer, on a loaded two-core CI machine.
FIRE_TIMEOUT = 15.0


def ticks(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_timer_fires_on_its_schedule_from_an_environment_setting(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given the tick timer's %SAMPLE_TICK_SCHEDULE% set to every second in the environment
    tick_file = tmp_path / "ticks.jsonl"
    env = devhost_env(DEVHOST_DISABLE_TIMERS=None, SAMPLE_TICK_SCHEDULE=EVERY_SECOND, SAMPLE_TICK_FILE=str(tick_file))
    # when the host runs for a few seconds
    start_devhost(env=env)
    # then the timer has fired repeatedly, on whole seconds, with a real TimerRequest
    assert wait_until(lambda: len(ticks(tick_file)) >= 3, timeout=FIRE_TIMEOUT), "timer did not fire 3 times"
    runs = ticks(tick_file)
    # (past_due's value depends on machine load; test_devhost_scheduler pins it with a controlled clock)
    assert all(isinstance(run["pastDue"], bool) for run in runs)
    assert all(run["status"]["Next"].endswith("Z") for run in runs)
    starts = [run["start"] for run in runs]
    assert starts == sorted(starts)


def test_timer_schedule_setting_can_come_from_local_settings_json(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given a working directory whose local.settings.json holds the schedule and the output file,
    # and an environment that sets neither
    tick_file = tmp_path / "ticks-from-local-settings.jsonl"
    workdir = tmp_path / "project"
    workdir.mkdir()
    (workdir / "local.settings.json").write_text(
        json.dumps(
            {
                "IsEncrypted": False,
                "Values": {"SAMPLE_TICK_SCHEDULE": EVERY_SECOND, "SAMPLE_TICK_FILE": str(tick_file)},
            }
        ),
        encoding="utf-8",
    )
    env = devhost_env(DEVHOST_DISABLE_TIMERS=None, SAMPLE_TICK_SCHEDULE=None)
    # when the host starts there
    host = start_devhost(env=env, cwd=workdir)
    # then the settings were loaded and the timer fires
    assert wait_until(lambda: len(ticks(tick_file)) >= 1, timeout=FIRE_TIMEOUT)
    assert "Loaded 2 app setting(s)" in host.stderr


def test_environment_wins_over_local_settings_json(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given local.settings.json names one output file and the environment another
    from_file = tmp_path / "from-file.jsonl"
    from_env = tmp_path / "from-env.jsonl"
    workdir = tmp_path / "project"
    workdir.mkdir()
    (workdir / "local.settings.json").write_text(
        json.dumps({"Values": {"SAMPLE_TICK_SCHEDULE": EVERY_SECOND, "SAMPLE_TICK_FILE": str(from_file)}}),
        encoding="utf-8",
    )
    env = devhost_env(DEVHOST_DISABLE_TIMERS=None, SAMPLE_TICK_FILE=str(from_env))
    # when the timer runs
    start_devhost(env=env, cwd=workdir)
    # then it used the environment's value
    assert wait_until(lambda: len(ticks(from_env)) >= 1, timeout=FIRE_TIMEOUT)
    assert not from_file.exists()


def test_unresolved_schedule_setting_stops_start_up_naming_it(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given no SAMPLE_TICK_SCHEDULE anywhere (environment, local.settings.json or app defaults)
    env = devhost_env(SAMPLE_TICK_SCHEDULE=None)
    # when the host starts
    host = start_devhost(env=env, cwd=tmp_path, wait=False)
    # then it exits with an error that names the setting and the timer
    assert host.wait_exit() == 1
    assert "SAMPLE_TICK_SCHEDULE" in host.stderr
    assert "timer 'tick'" in host.stderr


def test_a_failing_run_is_logged_and_the_schedule_goes_on(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given a timer whose every run raises after writing its line
    tick_file = tmp_path / "ticks.jsonl"
    env = devhost_env(DEVHOST_DISABLE_TIMERS=None, SAMPLE_TICK_FILE=str(tick_file), SAMPLE_TICK_FAIL="1")
    host = start_devhost(env=env)
    # then it keeps running on schedule, and each failure is in the log with its traceback
    assert wait_until(lambda: len(ticks(tick_file)) >= 2, timeout=FIRE_TIMEOUT)
    assert "Timer function 'tick' failed" in host.stderr
    assert "tick failed on purpose" in host.stderr
    assert host.process.poll() is None


def test_a_run_is_not_started_while_the_previous_one_is_still_going(
    start_devhost: StartDevhost, tmp_path: Path
) -> None:
    # given an every-second timer whose runs take 2.5 seconds
    tick_file = tmp_path / "ticks.jsonl"
    env = devhost_env(DEVHOST_DISABLE_TIMERS=None, SAMPLE_TICK_FILE=str(tick_file), SAMPLE_TICK_SLEEP="2.5")
    host = start_devhost(env=env)
    # when two runs have completed
    assert wait_until(lambda: len(ticks(tick_file)) >= 2, timeout=FIRE_TIMEOUT)
    # then the runs never overlapped, and the skipped slots were logged
    runs = ticks(tick_file)
    for earlier, later in itertools.pairwise(runs):
        assert later["start"] >= earlier["end"]
    assert "skipping the run due at" in host.stderr


def test_timers_are_off_with_devhost_disable_timers(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given DEVHOST_DISABLE_TIMERS=1 (what the HTTP tests use)
    tick_file = tmp_path / "ticks.jsonl"
    host = start_devhost(env=devhost_env(DEVHOST_DISABLE_TIMERS="1", SAMPLE_TICK_FILE=str(tick_file)))
    # when several schedule slots pass
    time.sleep(2.5)
    # then nothing ran, and the banner says why
    assert ticks(tick_file) == []
    assert "timers disabled by DEVHOST_DISABLE_TIMERS" in host.stdout

"""Message templates: each kind's subject, text and HTML; EMAIL_TEMPLATES_DIR overrides; escaping;
links from PUBLIC_BASE_URL; the email settings that stop start-up; a misconfigured sender reported
once per run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, TemplateNotFound

from shared.db import Connection, connect
from shared.jobs.locked_run import JobDone
from shared.jobs.notifications import run_notification_job
from shared.mail.message import Reminder, reminder_message
from shared.mail.senders import SenderMisconfigured
from shared.mail.templates import MessageTemplates
from shared.platforms import all_platforms
from shared.settings import Settings, SettingsError, load_settings
from tests.http_support import invoke
from tests.jobs_support import add_request

DATABRICKS, PALANTIR = all_platforms(load_settings())


def palantir_reminder(kind: str, templates: MessageTemplates | None = None, public_base_url: str = "") -> Reminder:
    return reminder_message(platform=PALANTIR, request_key="REQ-9", request_fields={"projectId": "PRJ-7"},
                            recipient="ann@example.com", sender="governance@example.com", reminder_type=kind,
                            expires_on=datetime(2026, 12, 1, 9, 30, tzinfo=UTC), days_left=7,
                            templates=templates, public_base_url=public_base_url)


def test_a_stage_without_its_own_files_is_looked_up_on_disk_once_not_at_every_render(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given templates whose loader counts the files it is asked for
    templates = MessageTemplates()
    asked: list[str] = []
    get_source = FileSystemLoader.get_source

    def counted(loader: FileSystemLoader, env: Environment, name: str) -> tuple[str, str, Callable[[], bool]]:
        asked.append(name)
        return get_source(loader, env, name)

    monkeypatch.setattr(FileSystemLoader, "get_source", counted)

    # When a 30-day reminder (which falls back to reminder.*) is rendered twice
    first = palantir_reminder("30-Day Reminder", templates)
    looked_up = len(asked)
    second = palantir_reminder("30-Day Reminder", templates)

    # Then the second render asked for no file, and both are the same message
    assert looked_up > 0 and len(asked) == looked_up
    assert first == second


def test_each_reminder_kind_has_its_subject_text_and_html() -> None:
    first, last = palantir_reminder("30-Day Reminder"), palantir_reminder("7-Day Reminder")

    assert first.subject == "30-Day Reminder: your Palantir access expires in 7 days"
    assert last.subject == "7-Day Reminder: your Palantir access expires in 7 days"
    assert "This is the last reminder" in last.text and "This is the last reminder" in last.html
    assert "This is the last reminder" not in first.text + first.html
    for message in (first, last):
        assert "Project: PRJ-7" in message.text and "<td>PRJ-7</td>" in message.html
        assert "2026-12-01 09:30 UTC" in message.text and message.html.startswith("<html>")


def test_a_new_reminder_stage_uses_the_reminder_templates_and_an_unknown_kind_has_none() -> None:
    stage = palantir_reminder("14-Day Reminder")

    assert stage.subject.startswith("14-Day Reminder: ") and "Days left: 7" in stage.text
    with pytest.raises(TemplateNotFound):
        palantir_reminder("Access Ended")


def test_a_file_in_email_templates_dir_replaces_the_shipped_one_and_a_missing_file_falls_back(tmp_path: Path) -> None:
    # Given an override folder with only the 7-day subject
    (tmp_path / "7-day-reminder.subject.txt").write_text("Last call: {{ platform }} ends {{ when }}\n")

    message = palantir_reminder("7-Day Reminder", MessageTemplates(str(tmp_path)))

    assert message.subject == "Last call: Palantir ends in 7 days"
    assert "This is the last reminder" in message.text  # the shipped text and HTML
    assert palantir_reminder("30-Day Reminder", MessageTemplates(str(tmp_path))).subject.startswith("30-Day")


def test_every_value_is_escaped_in_html_and_left_as_is_in_text() -> None:
    # Given a context whose every value is markup (the real values are identifiers; this pins the engine)
    markup = '<img src=x onerror="alert(1)">&'
    context = {"kind": "7-Day Reminder", "platform": markup, "request_key": markup, "details": [(markup, markup)],
               "expires_on": markup, "days_left": 1, "when": markup, "link": f"https://x.example/{markup}"}

    rendered = MessageTemplates().render("7-Day Reminder", context)

    assert "<img" not in rendered.html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&amp;" in rendered.html
    assert rendered.html.count("&lt;img") == 8  # platform, key, label, value, when, expiry ×2, link
    assert markup in rendered.text


def test_links_go_to_the_ui_at_public_base_url_and_there_is_none_without_it() -> None:
    linked = palantir_reminder("30-Day Reminder", public_base_url="https://access.contoso.com")
    unlinked = palantir_reminder("30-Day Reminder")

    assert "Your requests: https://access.contoso.com/palantir/requests" in linked.text
    assert '<a href="https://access.contoso.com/palantir/requests">' in linked.html
    assert "https://" not in unlinked.text + unlinked.html and "<a" not in unlinked.html


@pytest.mark.parametrize(("settings", "named"), [
    ({"EMAIL_MODE": "acs"}, "ACS_ENDPOINT"),
    ({"EMAIL_MODE": "acs", "ACS_CONNECTION_STRING": "  "}, "ACS_CONNECTION_STRING"),
    ({"EMAIL_MODE": "graph"}, "GRAPH_SENDER"),
    ({"EMAIL_MODE": "acs", "ACS_ENDPOINT": "contoso.communication.azure.com"}, "ACS_ENDPOINT"),
    ({"EMAIL_TEMPLATES_DIR": "/no/such/folder"}, "EMAIL_TEMPLATES_DIR"),
    ({"PUBLIC_BASE_URL": "access.contoso.com"}, "PUBLIC_BASE_URL"),
    ({"PUBLIC_BASE_URL": "https://access.contoso.com/?x=1"}, "PUBLIC_BASE_URL"),
])
def test_an_incomplete_or_invalid_email_setting_stops_start_up_naming_it(settings: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(**settings)


def test_valid_email_settings_load_with_the_base_url_without_its_trailing_slash(tmp_path: Path) -> None:
    loaded = load_settings(EMAIL_MODE="acs", ACS_ENDPOINT="https://contoso.communication.azure.com/",
                           EMAIL_TEMPLATES_DIR=str(tmp_path), PUBLIC_BASE_URL="https://access.contoso.com/")

    assert loaded.acs_endpoint == "https://contoso.communication.azure.com"
    assert loaded.public_base_url == "https://access.contoso.com"


class RefusedSender:
    """Every send is refused for the service's credentials, as a provider's 401 would be."""

    timeout_seconds = 1.0

    def __init__(self) -> None:
        self.attempts = 0

    async def send(self, message: Reminder) -> None:
        self.attempts += 1
        raise SenderMisconfigured("ACS refused the service's credentials (401 Denied)")


def test_a_misconfigured_sender_is_reported_once_and_the_run_stops_sending(
    conn: Connection, settings: Settings
) -> None:
    # Given five reminders due and a sender the provider refuses
    for n in range(5):
        add_request(conn, DATABRICKS, f"user{n}@example.com", 3)
    sender = RefusedSender()
    one_at_a_time = settings.model_copy(update={"notify_max_parallel": 1})

    outcome = asyncio.run(run_notification_job(one_at_a_time, DATABRICKS, sender, started_by="test"))

    # Then one failure names the configuration error; the others are left for the next run, untried
    assert isinstance(outcome, JobDone)
    report = outcome.value
    assert [f.error for f in report.failures] == ["ACS refused the service's credentials (401 Denied)"]
    assert (report.not_started, sender.attempts, report.sent) == (4, 1, [])


# --- the preview endpoint --------------------------------------------------------------------------

def test_the_preview_renders_a_sample_reminder_of_the_kind_asked(api_settings: Settings) -> None:
    reply = invoke("palantir_email_preview", "?kind=7-Day%20Reminder")

    assert reply.status == 200, reply.body
    preview = reply.json()
    assert (preview["kind"], preview["requestKey"], preview["recipient"]) == ("7-Day Reminder", None,
                                                                               "requester@example.com")
    assert preview["subject"] == "7-Day Reminder: your Palantir access expires in 7 days"
    assert "This is the last reminder" in preview["text"] and "<td>SAMPLE-42</td>" in preview["html"]
    assert reply.headers["Cache-Control"] == "no-store"


def test_the_preview_renders_the_named_requests_reminder_without_its_typed_text(api_settings: Settings) -> None:
    with connect(api_settings) as conn:
        key = add_request(conn, DATABRICKS, "kim@example.com", 12)

    reply = invoke("databricks_email_preview", f"?kind=30-Day%20Reminder&requestKey={key}")

    assert reply.status == 200, reply.body
    preview = reply.json()
    assert (preview["requestKey"], preview["recipient"]) == (key, "kim@example.com")
    assert "expires in 12 days" in preview["subject"] and f"Request: {key}" in preview["text"]


@pytest.mark.parametrize(("query", "status"), [
    ("?kind=Access%20Ended", 400), ("?requestKey=999999", 404), ("?requestKey=not-a-key", 404),
])
def test_the_preview_answers_bad_input_with_a_problem(api_settings: Settings, query: str, status: int) -> None:
    reply = invoke("databricks_email_preview", query)

    assert (reply.status, reply.mimetype) == (status, "application/problem+json")


def test_the_preview_of_a_request_that_never_expires_is_422(api_settings: Settings) -> None:
    with connect(api_settings) as conn:
        key = add_request(conn, PALANTIR, "kim@example.com", None)

    reply = invoke("palantir_email_preview", f"?requestKey={key}")

    assert (reply.status, reply.mimetype) == (422, "application/problem+json")

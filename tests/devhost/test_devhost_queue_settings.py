"""The queue trigger's configuration: host.json `extensions.queues`, polling backoff, storage connections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devhost.queues import PollingBackoff
from devhost.settings import QueuesOptions, SettingsError, read_host_json
from devhost.storage import DEVELOPMENT_QUEUE_PORT, development_connection_string, resolve_storage


def host_json_with_queues(tmp_path: Path, queues: object) -> Path:
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"queues": queues}}))
    return tmp_path


def test_without_a_queues_section_the_extension_defaults_apply(tmp_path: Path) -> None:
    (tmp_path / "host.json").write_text('{"version": "2.0"}')
    options = read_host_json([tmp_path]).queues
    assert options == QueuesOptions()
    assert (options.max_polling_interval, options.visibility_timeout) == (60.0, 0.0)
    assert (options.batch_size, options.new_batch_threshold, options.max_dequeue_count) == (16, 8, 5)
    assert options.message_encoding == "base64"
    assert options.max_parallel == 24


def test_queues_section_is_read_with_timespans_and_a_threshold_defaulting_to_half_the_batch(tmp_path: Path) -> None:
    # given TimeSpan texts, a batch size and no newBatchThreshold
    directory = host_json_with_queues(
        tmp_path,
        {
            "maxPollingInterval": "00:00:02",
            "visibilityTimeout": "00:01:30.5",
            "batchSize": 6,
            "maxDequeueCount": 2,
            "messageEncoding": "None",
        },
    )
    # when host.json is read
    options = read_host_json([directory]).queues
    # then
    assert options.max_polling_interval == 2.0
    assert options.visibility_timeout == 90.5
    assert (options.batch_size, options.new_batch_threshold, options.max_dequeue_count) == (6, 3, 2)
    assert options.message_encoding == "none"


@pytest.mark.parametrize(
    ("queues", "message"),
    [
        ({"maxPollingInterval": 2000}, "maxPollingInterval must be a TimeSpan"),
        ({"maxPollingInterval": "00:00:00.05"}, "at least 00:00:00.1"),
        ({"visibilityTimeout": "30 seconds"}, "visibilityTimeout must be a TimeSpan"),
        ({"batchSize": 33}, "batchSize must be a whole number from 1 to 32"),
        ({"maxDequeueCount": 0}, "maxDequeueCount must be a whole number"),
        ({"messageEncoding": "utf8"}, "messageEncoding must be 'base64' or 'none'"),
        (["batchSize"], "extensions.queues must be an object"),
    ],
)
def test_bad_queues_settings_stop_start_up_naming_them(tmp_path: Path, queues: object, message: str) -> None:
    directory = host_json_with_queues(tmp_path, queues)
    with pytest.raises(SettingsError, match=message):
        read_host_json([directory])


def test_an_idle_queue_is_polled_ever_less_often_up_to_the_maximum_and_at_once_again_after_a_find() -> None:
    # given the backoff with its random factor pinned to the middle (x1.0) and a 2 s maximum
    backoff = PollingBackoff(2.0, jitter=lambda: 0.5)
    # when polls keep finding nothing
    waits = [backoff.after_poll(found_messages=False) for _ in range(6)]
    # then the wait doubles from 100 ms until the maximum
    assert waits == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
    # and a poll that finds messages brings it back to 100 ms
    assert backoff.after_poll(found_messages=True) == pytest.approx(0.1)
    assert backoff.after_poll(found_messages=False) == pytest.approx(0.2)


def test_the_random_factor_spreads_waits_between_0_8_and_1_2_times_the_doubling() -> None:
    assert PollingBackoff(60.0, jitter=lambda: 0.0).after_poll(found_messages=False) == pytest.approx(0.16)
    assert PollingBackoff(60.0, jitter=lambda: 1.0).after_poll(found_messages=False) == pytest.approx(0.24)


def resolve(environ: dict[str, str], port: int = DEVELOPMENT_QUEUE_PORT):  # type: ignore[no-untyped-def]
    return resolve_storage("AzureWebJobsStorage", environ=environ, defaults={}, development_port=port)


def test_development_storage_is_azurite_and_the_setting_is_kept_on_the_default_port() -> None:
    environ = {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}
    account = resolve(environ)
    assert account.development_port == DEVELOPMENT_QUEUE_PORT
    assert account.connection_string == development_connection_string(DEVELOPMENT_QUEUE_PORT)
    assert environ["AzureWebJobsStorage"] == "UseDevelopmentStorage=true"


def test_development_storage_on_another_port_rewrites_the_setting_so_the_app_reaches_the_same_azurite() -> None:
    environ = {"AzureWebJobsStorage": "usedevelopmentstorage=TRUE;"}
    account = resolve(environ, port=20001)
    assert account.development_port == 20001
    assert environ["AzureWebJobsStorage"] == development_connection_string(20001)
    assert "QueueEndpoint=http://127.0.0.1:20001/devstoreaccount1" in environ["AzureWebJobsStorage"]
    # and a second binding on the same setting is the development storage too
    assert resolve(environ, port=20001) == account


def test_a_connection_string_is_used_as_it_is() -> None:
    value = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net"
    account = resolve({"AzureWebJobsStorage": value})
    assert (account.connection_string, account.development_port) == (value, None)
    assert account.service_client().account_name == "acct"


def test_identity_based_connections_take_the_queue_service_uri_or_the_account_name() -> None:
    by_uri = resolve(
        {
            "AzureWebJobsStorage__queueServiceUri": "https://acct.queue.core.windows.net",
            "AzureWebJobsStorage__clientId": "00000000-0000-0000-0000-000000000001",
        }
    )
    assert by_uri.queue_service_uri == "https://acct.queue.core.windows.net"
    assert by_uri.client_id == "00000000-0000-0000-0000-000000000001"
    assert by_uri.connection_string is None
    assert by_uri.service_client().url.startswith("https://acct.queue.core.windows.net")
    by_name = resolve({"AzureWebJobsStorage__accountName": "other"})
    assert by_name.queue_service_uri == "https://other.queue.core.windows.net"
    assert by_name.client_id is None


def test_a_connection_left_unset_is_the_local_emulator_and_the_app_is_told_so() -> None:
    # Given no storage setting at all (a bare `python -m devhost`)
    environ: dict[str, str] = {}

    # When the queue binding's connection is resolved
    account = resolve_storage("AzureWebJobsStorage", environ=environ, defaults={},
                              development_port=DEVELOPMENT_QUEUE_PORT)

    # Then it is Azurite, and the setting the app's own queue clients read says so
    assert account.development_port == DEVELOPMENT_QUEUE_PORT
    assert environ["AzureWebJobsStorage"] == "UseDevelopmentStorage=true"

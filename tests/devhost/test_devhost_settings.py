"""local.settings.json and host.json, read as Core Tools reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devhost.settings import SettingsError, load_local_settings, read_host_json


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_local_settings_fill_in_only_what_the_environment_lacks(tmp_path: Path) -> None:
    # given local settings for two keys, one of them already in the environment
    path = write_json(
        tmp_path / "local.settings.json",
        {"IsEncrypted": False, "Values": {"A": "from-file", "B": "from-file", "N": 5, "F": True}},
    )
    environ = {"A": "from-env"}
    # when they are loaded
    loaded = load_local_settings(path, environ)
    # then the environment wins and the rest is added as strings
    assert environ == {"A": "from-env", "B": "from-file", "N": "5", "F": "true"}
    assert loaded.overridden == ("A",)
    assert set(loaded.applied) == {"B", "N", "F"}


def test_missing_local_settings_change_nothing(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    assert load_local_settings(tmp_path / "local.settings.json", environ).path is None
    assert environ == {}


def test_host_section_gives_port_and_cors(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "local.settings.json",
        {"Values": {}, "Host": {"LocalHttpPort": 7080, "CORS": "http://localhost:5173, http://a.test"}},
    )
    loaded = load_local_settings(path, {})
    assert loaded.local_http_port == 7080
    assert loaded.cors_origins == ("http://localhost:5173", "http://a.test")
    assert loaded.cors_credentials is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"IsEncrypted": True, "Values": {}}), "encrypted"),
        (json.dumps({"Values": ["A"]}), "'Values' must be an object"),
        (json.dumps({"Values": {"A": {"nested": 1}}}), "value of 'A'"),
    ],
)
def test_bad_local_settings_stop_start_up_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "local.settings.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError, match=message) as raised:
        load_local_settings(path, {})
    assert str(path) in str(raised.value)


def test_route_prefix_comes_from_the_first_host_json_found(tmp_path: Path) -> None:
    # given host.json beside the app module with a prefix, and another in the working directory
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    write_json(app_dir / "host.json", {"version": "2.0", "extensions": {"http": {"routePrefix": "/v1/"}}})
    write_json(tmp_path / "host.json", {"version": "2.0", "extensions": {"http": {"routePrefix": "other"}}})
    # then the app's own wins and slashes are trimmed
    assert read_host_json([app_dir, tmp_path]).route_prefix == "v1"


def test_route_prefix_defaults_to_api_and_may_be_empty(tmp_path: Path) -> None:
    assert read_host_json([tmp_path]).route_prefix == "api"
    write_json(tmp_path / "host.json", {"version": "2.0"})
    assert read_host_json([tmp_path]).route_prefix == "api"
    write_json(tmp_path / "host.json", {"version": "2.0", "extensions": {"http": {"routePrefix": ""}}})
    assert read_host_json([tmp_path]).route_prefix == ""

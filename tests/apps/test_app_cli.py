"""``twin app``: registered in the CLI, launches Streamlit offline on localhost."""

from __future__ import annotations

import pytest

from apps import app_cli
from apps.cli import build_parser, main


def test_twin_app_is_registered() -> None:
    args = build_parser().parse_args(["app", "--port", "8600", "--city", "medan"])
    assert args.func is app_cli._run
    assert args.port == 8600
    assert args.headless


def test_streamlit_command_is_offline_and_local() -> None:
    cmd = app_cli.streamlit_command(port=8601)
    assert cmd[cmd.index("run") + 1].endswith("apps/streamlit_app.py")
    for flag in (
        "--server.address=localhost",
        "--browser.gatherUsageStats=false",
        "--server.headless=true",
        "--server.port=8601",
    ):
        assert flag in cmd


def test_env_carries_city_snapshot_store(tmp_path) -> None:
    env = app_cli.app_env(city="medan", snapshot="medan-abc", store=str(tmp_path / "s.sqlite"))
    assert env["TWIN_CITY"] == "medan"
    assert env["TWIN_SNAPSHOT"] == "medan-abc"
    assert env["TWIN_STORE"] == str(tmp_path / "s.sqlite")


def test_bad_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["app", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("twin: error: --port 70000")
    assert "Traceback" not in err

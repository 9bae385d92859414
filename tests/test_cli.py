"""The `cdrp` console script: help lists every command; configuration errors are one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdrp.cli import main

CDRP = [sys.executable, "-m", "cdrp"]
# Only a guard against a hang: how long a command takes is no test's business (a busy 2-core
# machine is slow; time goes to the benchmarks in bench/).
HANG_GUARD = 1800  # seconds


def run(args, tmp_path, **env):
    environ = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CDRP_DATA_DIR",
            "CDRP_HTTPS",
            "CDRP_DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environ.update({"CDRP_DATA_DIR": str(tmp_path / "data")}, **env)
    return subprocess.run(
        CDRP + args, capture_output=True, text=True, env=environ, timeout=HANG_GUARD
    )


def test_help_lists_every_command_with_a_line_of_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ["demo", "serve", "worker", "migrate", "createsuperuser", "check"]:
        line = next(line for line in out.splitlines() if line.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 10, line
    assert out.index("cdrp commands") < out.index("migrate")


def test_a_bad_database_url_is_one_line_naming_the_setting(tmp_path):
    result = run(["migrate"], tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("cdrp: DATABASE_URL")
    assert "Traceback" not in result.stderr

    result = run(["check"], tmp_path, DATABASE_URL="mysql://x@y/z")
    assert result.returncode == 2 and result.stderr.startswith(
        "cdrp: DATABASE_URL has scheme 'mysql'"
    )


def test_an_unusable_data_dir_is_one_line_naming_the_setting(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run(["check"], tmp_path, CDRP_DATA_DIR=str(blocker))
    assert result.returncode == 2
    assert result.stderr == f"cdrp: CDRP_DATA_DIR={blocker} is not a directory\n"
    result = run(["check"], tmp_path, CDRP_DATA_DIR=str(blocker / "below"))
    assert result.returncode == 2 and result.stderr.startswith("cdrp: CDRP_DATA_DIR=")


def test_a_bad_boolean_names_the_setting(tmp_path):
    result = run(["check"], tmp_path, CDRP_DEBUG="maybe")
    assert result.returncode == 2 and result.stderr.startswith("cdrp: CDRP_DEBUG='maybe'")


def test_the_secret_key_is_generated_once_into_the_data_dir(tmp_path):
    assert run(["check"], tmp_path).returncode == 0
    key_file = tmp_path / "data" / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50 and oct(key_file.stat().st_mode)[-3:] == "600"
    assert run(["check"], tmp_path).returncode == 0
    assert key_file.read_text() == first


def test_check_deploy_with_production_settings_has_no_warnings(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"], tmp_path, ALLOWED_HOSTS="csp.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_serve_refuses_debug(tmp_path):
    result = run(["serve"], tmp_path, CDRP_DEBUG="1")
    assert result.returncode != 0 and "CDRP_DEBUG" in result.stderr


@pytest.mark.slow
def test_demo_no_serve_loads_and_a_second_run_changes_nothing(tmp_path):
    first = run(["demo", "--no-serve"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "http://127.0.0.1:8000/" in first.stdout and "demo-admin" in first.stdout
    password = first.stdout.rsplit("password is: ", 1)[1].split()[0]
    second = run(["demo", "--no-serve"], tmp_path)
    assert second.returncode == 0 and "already loaded" in second.stdout
    assert "0 new rows" in second.stdout
    assert password in second.stdout
    check = run(
        [
            "shell",
            "-c",
            "from django.contrib.auth import authenticate;"
            f"print(bool(authenticate(username='demo-admin', password='{password}')))",
        ],
        tmp_path,
    )
    assert check.stdout.strip().splitlines()[-1] == "True", check.stderr
    reset = run(["demo", "--no-serve", "--reset"], tmp_path)
    assert reset.returncode == 0 and "Lancashire South Strategic CDRP (created" in reset.stdout
    assert "578,766 records" in reset.stdout  # the bundled police.uk files, imported again
    assert Path(tmp_path / "data" / "cdrp.sqlite3").exists()


@pytest.mark.slow
def test_serve_runs_gunicorn_with_static_files_and_no_debug(tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert run(["migrate", "-v0"], tmp_path).returncode == 0
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CDRP_DEBUG"}}
    environ.update(CDRP_DATA_DIR=str(tmp_path / "data"), CDRP_HTTPS="0")
    server = subprocess.Popen(
        [*CDRP, "serve", "--port", str(port), "--workers", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Wait for the server however long it takes to start, unless it stops (or hangs).
        give_up = time.monotonic() + HANG_GUARD
        while True:
            try:
                health = urllib.request.urlopen(f"{base}/healthz", timeout=HANG_GUARD)
                break
            except OSError:
                assert server.poll() is None, "cdrp serve stopped before answering"
                assert time.monotonic() < give_up, "cdrp serve hangs without answering"
                time.sleep(0.2)
        assert health.status == 200
        css = urllib.request.urlopen(f"{base}/static/cdrp/cdrp.css", timeout=HANG_GUARD)
        assert css.status == 200 and b"govuk" in css.read()
        try:
            urllib.request.urlopen(f"{base}/no-such-page", timeout=HANG_GUARD)
        except urllib.error.HTTPError as err:
            assert err.code == 404 and b"Page not found" in err.read()  # not a DEBUG page
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=HANG_GUARD)
    assert "Serving on" in out and "gunicorn" in out.lower()


def test_a_database_that_is_not_migrated_says_run_migrate(tmp_path):
    result = run(["changepassword", "nobody"], tmp_path)
    assert result.returncode == 2
    assert "is not set up" in result.stderr and "run `cdrp migrate` first" in result.stderr

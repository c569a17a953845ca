"""The README's management commands work as written in a `make run` install: `make run`
writes var/dev.env (config/devenv.py) and manage.py reads it, so no variable is set by hand."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.devenv import DEV_ENV_CONTENT, load_dev_env, parse_dev_env

ROOT = Path(__file__).resolve().parents[2]
# Variables a developer's shell might hold that would hide what a fresh install lacks.
HAND_SET = {"DEBUG", "SECRET_KEY", "AUDIT_HMAC_KEY", "DATABASE_URL", "PALPATE_TESTING"}
NOT_COPIED = {".git", ".venv", "var", "tests", "docs", "staticfiles", ".hypothesis"}


def test_it_reads_key_value_lines_and_ignores_comments():
    assert parse_dev_env("# note\n\nDEBUG=1\n LOG_LEVEL = INFO \n") == {
        "DEBUG": "1",
        "LOG_LEVEL": "INFO",
    }


def test_it_names_the_line_of_a_malformed_entry():
    with pytest.raises(ValueError, match="line 2: write KEY=VALUE"):
        parse_dev_env("DEBUG=1\nDEBUG\n")


def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / "dev.env"
    path.write_text("DEBUG=1\nLOG_LEVEL=INFO\n")
    environ = {"DEBUG": "0"}
    assert load_dev_env(path, environ) == {"LOG_LEVEL": "INFO"}
    assert environ == {"DEBUG": "0", "LOG_LEVEL": "INFO"}


def test_a_database_url_in_the_environment_turns_the_file_off(tmp_path):
    """Production (and any PostgreSQL install) names its database: never development settings,
    even in a checkout where `make run` once wrote the file."""
    path = tmp_path / "dev.env"
    path.write_text("DEBUG=1\n")
    environ = {"DATABASE_URL": "postgres://palpate@db/palpate"}
    assert load_dev_env(path, environ) == {}
    assert "DEBUG" not in environ


def test_without_the_file_nothing_changes(tmp_path):
    environ = {}
    assert load_dev_env(tmp_path / "absent.env", environ) == {}
    assert environ == {}


def test_the_file_make_run_writes_turns_development_settings_on():
    assert parse_dev_env(DEV_ENV_CONTENT) == {"DEBUG": "1"}


def test_make_run_writes_it_before_migrating():
    lines = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), "run"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    written = next(i for i, line in enumerate(lines) if "-m config.devenv var/dev.env" in line)
    migrated = next(i for i, line in enumerate(lines) if "manage.py migrate" in line)
    assert written < migrated


def test_every_install_writes_it_so_manage_py_runs_without_hand_set_variables():
    lines = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), "install"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert any("-m config.devenv var/dev.env" in line for line in lines)


@pytest.fixture
def make_run_install(tmp_path):
    """A copy of the checkout (its own var/) with what `make run` leaves before serving:
    var/dev.env written the way the Makefile writes it, and the SQLite database migrated."""
    install = tmp_path / "palpate"
    install.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in NOT_COPIED or entry.name.endswith(".sqlite3"):
            continue
        if entry.is_dir():
            shutil.copytree(
                entry, install / entry.name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(entry, install / entry.name)
    env = {k: v for k, v in os.environ.items() if k not in HAND_SET and not k.startswith("DJANGO")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=install, env=env, capture_output=True, text=True
        )

    written = run("-m", "config.devenv", "var/dev.env")
    assert written.returncode == 0, written.stderr
    migrated = run("manage.py", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    return install, run


def test_the_readme_import_command_runs_as_written(make_run_install):
    install, run = make_run_install
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/python manage.py import_ncci_ptp FILE" in readme
    result = run("manage.py", "import_ncci_ptp", "fixtures/ncci_ptp_sample.txt")
    assert result.returncode == 0, result.stderr
    assert "SECRET_KEY" not in result.stderr
    assert "10 NCCI PTP row(s) read; 10 new" in result.stdout
    assert (install / "var" / "palpate.sqlite3").exists()  # the install's own database


def test_without_the_file_a_command_still_asks_for_the_secret_key(make_run_install):
    """Production (no var/dev.env) keeps failing loudly on a missing SECRET_KEY."""
    install, run = make_run_install
    (install / "var" / "dev.env").unlink()
    result = run("manage.py", "check")
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr

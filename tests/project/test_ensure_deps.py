"""`make test` on a fresh machine: scripts/ensure-deps installs the Debian packages the suite
needs when it can (root with apt-get), or stops before any test with the exact command."""

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ensure-deps"
PACKAGES = [
    "chromium",
    "chromium-driver",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
    "poppler-utils",
]


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def fake_debian(tmp_path):
    """A PATH where dpkg-query reports every package installed except those listed in
    $MISSING, and apt-get only writes down how it was called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    _tool(
        bin_dir,
        "dpkg-query",
        "for a; do pkg=$a; done\n"
        'for p in $MISSING; do [ "$p" = "$pkg" ] && exit 1; done\n'
        'printf "install ok installed"\n',
    )
    _tool(bin_dir, "apt-get", f'echo "$@" >> {calls}\n')

    def run(*, uid: int, missing: str = "", extra: tuple[str, ...] = ()):
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "MISSING": missing,
            "ENSURE_DEPS_UID": str(uid),
            "ENSURE_DEPS_SERVICES": "0",
        }
        result = subprocess.run([str(SCRIPT), *extra], env=env, capture_output=True, text=True)
        apt = calls.read_text().splitlines() if calls.exists() else []
        return result, apt

    return run


def test_it_does_nothing_and_fast_when_every_package_is_there(fake_debian):
    started = time.monotonic()
    result, apt = fake_debian(uid=0)
    assert result.returncode == 0, result.stderr
    assert apt == []
    assert result.stdout == result.stderr == ""
    assert time.monotonic() - started < 5


def test_it_stops_a_user_who_is_not_root_with_the_command_to_run(fake_debian):
    result, apt = fake_debian(uid=1000, missing="chromium poppler-utils")
    assert result.returncode == 1
    assert apt == []  # nothing tried
    assert "chromium poppler-utils" in result.stderr
    assert "sudo apt-get update && sudo apt-get install -y chromium poppler-utils" in result.stderr


def test_it_installs_what_is_missing_as_root_after_an_update(fake_debian):
    result, apt = fake_debian(uid=0, missing="libharfbuzz-subset0 fonts-dejavu-core")
    assert result.returncode == 0, result.stderr
    assert apt == ["update -qq", "install -y -qq libharfbuzz-subset0 fonts-dejavu-core"]


def test_it_checks_every_package_the_suite_needs(fake_debian):
    result, _apt = fake_debian(uid=1000, missing=" ".join(PACKAGES))
    assert f"apt-get install -y {' '.join(PACKAGES)}" in result.stderr


def test_it_also_installs_the_packages_it_is_given_as_the_benchmark_asks(fake_debian):
    result, apt = fake_debian(uid=0, missing="wrk", extra=("wrk", "time"))
    assert result.returncode == 0, result.stderr
    assert apt == ["update -qq", "install -y -qq wrk"]
    result, _apt = fake_debian(uid=1000, missing="wrk time", extra=("wrk", "time"))
    assert "sudo apt-get install -y wrk time" in result.stderr


def test_make_bench_ensures_wrk_before_it_runs():
    lines = _dry_run("bench")
    deps = next(i for i, line in enumerate(lines) if "scripts/ensure-deps wrk time" in line)
    assert deps < next(i for i, line in enumerate(lines) if "bench/run.py" in line)


def test_it_passes_on_this_machine(tmp_path):
    """The real check (no fakes): the packages the suite needs are here."""
    env = {**os.environ, "ENSURE_DEPS_SERVICES": "0", "ENSURE_DEPS_UID": "1000"}
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _dry_run(*targets: str) -> list[str]:
    out = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), *targets], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


@pytest.mark.parametrize("target", ["test", "test-fast", "screenshots"])
def test_make_runs_it_before_any_test(target):
    lines = _dry_run(target)
    deps = next(i for i, line in enumerate(lines) if "scripts/ensure-deps" in line)
    pytest_line = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert deps < pytest_line


def test_ci_uses_the_same_script():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/ensure-deps" in ci
    assert "apt-get" not in ci  # the one copy of the package list is in the script

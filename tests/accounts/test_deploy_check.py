import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "PALPATE_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        SECRET_KEY="k" * 20 + "-production-secret-of-enough-length-0123456789",
        AUDIT_HMAC_KEY="a" * 16 + "-production-audit-key-0123456789",
        ALLOWED_HOSTS="palpate.example.org",
        EMAIL_HOST="smtp.example.org",
        DATABASE_URL="postgres://palpate@db.example.org/palpate",
        PALPATE_TESTING="0",
        **extra,
    )
    return env


def test_it_passes_the_deploy_check_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_an_audit_key_when_debug_is_off():
    env = _production_env()
    del env["AUDIT_HMAC_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Set the environment variable AUDIT_HMAC_KEY" in result.stderr


def test_it_refuses_a_boolean_it_cannot_read():
    result = _manage("check", env=_production_env(DEBUG="ture"))
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr

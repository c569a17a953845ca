"""Local development settings for manage.py in a `make run` install.

`make run` writes `var/dev.env` (KEY=VALUE lines; today `DEBUG=1`). manage.py reads it before
Django loads the settings, so the README's commands (`.venv/bin/python manage.py import_ncci_ptp
FILE`) work in that install with no hand-set variables. A variable already set in the
environment wins over the file, and the file is ignored when DATABASE_URL is set. gunicorn
(`config.wsgi`) and Celery (`config.celery`) never read it.
"""

from collections.abc import MutableMapping
from pathlib import Path

DEV_ENV_CONTENT = "# Written by `make run`: manage.py reads it (config/devenv.py).\nDEBUG=1\n"


def parse_dev_env(text: str) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and lines starting with # are ignored."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"var/dev.env line {number}: write KEY=VALUE, not {raw!r}.")
        values[key.strip()] = value.strip()
    return values


def load_dev_env(path: Path, environ: MutableMapping[str, str]) -> dict[str, str]:
    """Put the file's values into `environ` where it has none; return what was applied.

    Only for the SQLite install `make run` makes: with DATABASE_URL set (production, or a
    PostgreSQL database) the file is ignored, so a checkout that once ran `make run` never
    starts a production process with development settings."""
    if "DATABASE_URL" in environ or not path.is_file():
        return {}
    applied = {}
    for key, value in parse_dev_env(path.read_text()).items():
        if key not in environ:
            environ[key] = value
            applied[key] = value
    return applied


if __name__ == "__main__":  # `python -m config.devenv PATH` writes the file (make run).
    import sys

    target = Path(sys.argv[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_text(DEV_ENV_CONTENT)

#!/usr/bin/env python
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    from config.devenv import load_dev_env

    # A `make run` install: development settings from var/dev.env (environment wins).
    load_dev_env(Path(__file__).resolve().parent / "var" / "dev.env", os.environ)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

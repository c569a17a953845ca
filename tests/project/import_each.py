"""Import every module of the project on its own, each in a process of its own.

Run by tests/project/test_imports.py as `python tests/project/import_each.py MODULE...`. The
process starts Django the way manage.py, gunicorn and Celery do (django.setup(): settings, every
app's models and admin); then, for each module not imported by that, a forked child imports it
and nothing else, so an import that only works after some other module was imported first
fails here. Prints one JSON line: {"failed": {module: traceback}, "by_setup": [...], ...}.
"""

import json
import os
import sys
import traceback

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PALPATE_TESTING", "1")


def main(modules: list[str]) -> None:
    import django

    django.setup()
    by_setup = sorted(m for m in modules if m in sys.modules)
    failed: dict[str, str] = {}
    alone = [m for m in modules if m not in sys.modules]
    for module in alone:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: import the one module, report, leave at once
            os.close(read)
            try:
                __import__(module)
            except BaseException:
                os.write(write, traceback.format_exc().encode())
                os._exit(1)
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            error = pipe.read().decode()
        _pid, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            failed[module] = error or f"exit status {os.waitstatus_to_exitcode(status)}"
    print(json.dumps({"failed": failed, "by_setup": by_setup, "alone": alone}))


if __name__ == "__main__":
    main(sys.argv[1:])

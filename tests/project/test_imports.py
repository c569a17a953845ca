"""No import cycles between the apps (issue 14): every module imports on its own, and the
app-level import graph built from the source has no cycle but the edges listed below."""

import ast
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Composition roots may import every app (settings, URLs, Celery, the benchmark); no app
# depends on them for anything but settings and the Celery app, so they are not graph nodes.
ROOTS = {"config", "bench"}
NOT_PROJECT = {"tests", "docs", "static", "templates", "fixtures", "scripts", "var"}

# Imports that still close a cycle, each with the reason and what removes it. An entry is
# (importing file, imported module). Add one only with a reason a reviewer would accept.
ALLOWED: dict[tuple[str, str], str] = {}


def apps() -> list[str]:
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").exists() and p.name not in NOT_PROJECT | ROOTS
    )


def project_modules() -> list[str]:
    packages = [*apps(), *sorted(ROOTS)]
    modules = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules.append(".".join(parts))
    return modules


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every absolute import in the file, at any depth (inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def app_graph() -> dict[tuple[str, str], list[str]]:
    """(app, imported app) -> the import lines that make the edge, allowed ones left out."""
    names = set(apps())
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for app in names:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue  # migrations name other apps as strings and dependencies, not imports
            for line, module in imports_of(path):
                target = module.split(".")[0]
                if target in names and target != app and (rel, module) not in ALLOWED:
                    edges[(app, target)].append(f"{rel}:{line} imports {module}")
    return edges


def find_cycle(edges) -> list[str] | None:
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_apps_import_each_other_without_a_cycle():
    edges = app_graph()
    cycle = find_cycle(edges)
    if cycle:
        steps = zip(cycle, cycle[1:], strict=False)
        lines = [f"  {a} -> {b}: " + "; ".join(edges[(a, b)]) for a, b in steps]
        pytest.fail(
            "Import cycle between apps " + " -> ".join(cycle) + ":\n" + "\n".join(lines) + "\n"
            "Move the code to the app that owns the data, pass it in from config/urls.py, or "
            "(with a reason) add the import to ALLOWED in tests/project/test_imports.py."
        )


def test_the_cycle_finder_finds_a_cycle_and_names_it():
    assert find_cycle({("a", "b"): [], ("b", "c"): [], ("c", "a"): []}) == ["a", "b", "c", "a"]
    assert find_cycle({("a", "b"): [], ("a", "c"): [], ("b", "c"): []}) is None


def test_the_graph_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from notes.models import Visit\n")
    assert imports_of(module) == [(1, "os"), (4, "notes.models")]


def test_billing_imports_nothing_from_notes_and_plancare_nothing_from_notes():
    edges = app_graph()
    assert ("billing", "notes") not in edges, edges.get(("billing", "notes"))
    assert ("plancare", "notes") not in edges, edges.get(("plancare", "notes"))


def test_every_allowed_import_names_a_reason():
    for (path, module), reason in ALLOWED.items():
        assert path.endswith(".py") and "." in module and len(reason) > 40, (path, module)


def test_every_module_imports_on_its_own_in_a_fresh_process():
    modules = project_modules()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "project" / "import_each.py"), *modules],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == {}, "\n\n".join(
        f"{module}:\n{error}" for module, error in report["failed"].items()
    )
    assert len(report["alone"]) + len(report["by_setup"]) == len(modules)
    assert "notes.views" in report["alone"]  # the views are imported alone, not by setup


def test_the_unit_rules_import_without_django():
    """billing/units.py is pure (DESIGN.md §1): plain data in, plain data out."""
    code = "import sys, billing.units; print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


WEB_LAYER = {"views.py", "access.py", "urls.py", "forms.py", "admin.py"}


@pytest.mark.parametrize("app", ["plancare", "billing"])
def test_domain_code_speaks_no_http(app):
    """Services, models and rules raise domain errors (PlanError, CmsFileError) with a message;
    only views and access helpers turn them into statuses (issue 14)."""
    offenders = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if path.name in WEB_LAYER or "migrations" in path.parts:
            continue
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in (
                "django.http",
                "django.shortcuts",
            ):
                offenders.append(f"{rel}:{node.lineno} imports {node.module}")
            if isinstance(node, ast.Name) and node.id in {"PermissionDenied", "Http404"}:
                offenders.append(f"{rel}:{node.lineno} uses {node.id}")
            raised = isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            if raised and any(k.arg == "status" for k in node.exc.keywords):
                offenders.append(f"{rel}:{node.lineno} raises an error with a status")
    assert offenders == []

"""Tests that need PostgreSQL itself (its row locks and advisory locks) are marked
`postgresql`; on SQLite they are left out and the run says so. CI runs them on PostgreSQL."""


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (locks between sessions)")


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    left_out = [item for item in items if "postgresql" in item.keywords]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]
        print(f"\nNot on PostgreSQL: {len(left_out)} lock test(s) left out.")

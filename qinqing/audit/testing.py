"""Test support for the audit trail: a pytest plugin and a tampering helper.

The root conftest loads this module as a plugin. A transactional test (live server,
threads) ends with Django's flush, which empties every table with TRUNCATE (PostgreSQL)
or DELETE (SQLite); the audit guards rightly refuse both. The plugin lets the test
database's flush through by switching the guards off inside the flush's own transaction
and on again before it commits. Production's `manage.py flush` stays refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .guards import GUARDED_TABLES, resume_statements, suspend_statements


def _flush_statements(vendor: str, statements: Iterable[str]) -> list[str]:
    sql_list = list(statements)
    if vendor not in {"postgresql", "sqlite"} or not any(
        t in sql for sql in sql_list for t in GUARDED_TABLES
    ):
        return sql_list
    if vendor == "postgresql":
        # USER, not names: works whether or not a test left the guards in place.
        off = [f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in GUARDED_TABLES]
        on = [f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in GUARDED_TABLES]
        return [*off, *sql_list, *on]
    return [*suspend_statements(vendor), *sql_list, *resume_statements(vendor)]


def pytest_configure(config: Any) -> None:
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush
    if getattr(original, "_audit_guards_aware", False):
        return

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: Iterable[str]) -> None:
        original(self, _flush_statements(self.connection.vendor, sql_list))

    execute_sql_flush._audit_guards_aware = True  # type: ignore[attr-defined]
    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign,assignment]


@contextmanager
def guards_suspended(using: str = "default") -> Iterator[None]:
    """Switch the guards off as the tables' owner can (a DBA turned attacker does the
    same), and on again afterwards."""
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        for sql in suspend_statements(connection.vendor):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in resume_statements(connection.vendor):
                cursor.execute(sql)


def tamper(sql: str, params: Sequence[Any] | None = None, *, using: str = "default") -> int:
    """Run one statement against the audit tables with the guards off; returns the rowcount."""
    from django.db import connections

    with guards_suspended(using), connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)

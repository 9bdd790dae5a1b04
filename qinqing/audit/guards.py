"""Database guards that make the audit tables append-only.

On PostgreSQL a trigger function refuses UPDATE and DELETE (per row) and TRUNCATE (per
statement) on the event and checkpoint tables; on SQLite, which has no TRUNCATE,
triggers refuse UPDATE and DELETE. The one update allowed is sealing: an event's
`seq`, `prev_hash` and `hash` going from empty to filled while every other column stays
as it was.

The guards stop mistakes and casual tampering (an ORM `.delete()`, `manage.py flush`,
a hand-written UPDATE). Whoever owns the tables can still switch them off; that is what
the hash chain and the signed checkpoints kept outside the database are for. In
production the web and worker processes should connect as a role that does not own the
tables (see docs/audit.md).
"""

from __future__ import annotations

from typing import Any

EVENT_TABLE = "audit_auditevent"
CHECKPOINT_TABLE = "audit_auditcheckpoint"
# Columns that never change after insert; sealing fills only seq, prev_hash and hash.
_CONTENT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "object_type",
    "object_id",
    "action",
    "before",
    "after",
    "request_id",
)
GUARDED_TABLES = (EVENT_TABLE, CHECKPOINT_TABLE)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = '{event}' THEN
        IF OLD.seq IS NULL AND OLD.hash IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
           AND ({new}) IS NOT DISTINCT FROM ({old}) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
""".format(
    event=EVENT_TABLE,
    new=", ".join(f"NEW.{c}" for c in _CONTENT_COLUMNS),
    old=", ".join(f"OLD.{c}" for c in _CONTENT_COLUMNS),
)

_SQLITE_SEALING = " AND ".join(
    ["OLD.seq IS NULL", "OLD.hash IS NULL", "NEW.seq IS NOT NULL", "NEW.hash IS NOT NULL"]
    + [f"NEW.{c} IS OLD.{c}" for c in _CONTENT_COLUMNS]
)


def _pg_triggers(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the PostgreSQL triggers on `table`."""
    short = "event" if table == EVENT_TABLE else "checkpoint"
    return [
        (
            f"audit_{short}_append_only",
            f"CREATE TRIGGER audit_{short}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        ),
        (
            f"audit_{short}_no_truncate",
            f"CREATE TRIGGER audit_{short}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        ),
    ]


def _sqlite_triggers(table: str) -> list[tuple[str, str]]:
    short = "event" if table == EVENT_TABLE else "checkpoint"
    update_when = f" WHEN NOT ({_SQLITE_SEALING})" if table == EVENT_TABLE else ""
    message = "the audit trail is append-only: {op} on " + table + " refused"
    return [
        (
            f"audit_{short}_no_update",
            f"CREATE TRIGGER IF NOT EXISTS audit_{short}_no_update BEFORE UPDATE ON {table}{update_when} "
            f"BEGIN SELECT RAISE(ABORT, '{message.format(op='UPDATE')}'); END",
        ),
        (
            f"audit_{short}_no_delete",
            f"CREATE TRIGGER IF NOT EXISTS audit_{short}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message.format(op='DELETE')}'); END",
        ),
    ]


def _triggers(vendor: str) -> list[tuple[str, str, str]]:
    """(table, name, CREATE statement) of every guard trigger for `vendor`."""
    make = _pg_triggers if vendor == "postgresql" else _sqlite_triggers
    return [(table, name, sql) for table in GUARDED_TABLES for name, sql in make(table)]


def _supported(connection: Any) -> bool:
    return connection.vendor in {"postgresql", "sqlite"}


def install_statements(vendor: str) -> list[str]:
    out = [_PG_FUNCTION] if vendor == "postgresql" else []
    for table, name, sql in _triggers(vendor):
        out.append(_drop(vendor, table, name))
        out.append(sql)
    return out


def remove_statements(vendor: str) -> list[str]:
    out = [_drop(vendor, table, name) for table, name, _sql in _triggers(vendor)]
    if vendor == "postgresql":
        out.append("DROP FUNCTION IF EXISTS audit_refuse_change()")
    return out


def _drop(vendor: str, table: str, name: str) -> str:
    if vendor == "postgresql":
        return f"DROP TRIGGER IF EXISTS {name} ON {table}"
    return f"DROP TRIGGER IF EXISTS {name}"


def install_guards(connection: Any) -> None:
    if not _supported(connection):
        return
    with connection.cursor() as cursor:
        for sql in install_statements(connection.vendor):
            cursor.execute(sql)


def remove_guards(connection: Any) -> None:
    if not _supported(connection):
        return
    with connection.cursor() as cursor:
        for sql in remove_statements(connection.vendor):
            cursor.execute(sql)


def guards_installed(connection: Any) -> bool | None:
    """Whether every guard trigger exists and is enabled (None: unknown database)."""
    if not _supported(connection):
        return None
    expected = {name for _table, name, _sql in _triggers(connection.vendor)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN (to_regclass(%s), to_regclass(%s))",
                [EVENT_TABLE, CHECKPOINT_TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                [EVENT_TABLE, CHECKPOINT_TABLE],
            )
        present = {row[0] for row in cursor.fetchall()}
    return expected <= present


def suspend_statements(vendor: str) -> list[str]:
    """Statements that switch the guards off, as a table owner can (tests, repairs)."""
    if vendor == "postgresql":
        return [f"ALTER TABLE {table} DISABLE TRIGGER {name}" for table, name, _sql in _triggers(vendor)]
    return [_drop(vendor, table, name) for table, name, _sql in _triggers(vendor)]


def resume_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"ALTER TABLE {table} ENABLE TRIGGER {name}" for table, name, _sql in _triggers(vendor)]
    return [sql for _table, _name, sql in _triggers(vendor)]

"""Shared set-up for benchmarks: a throwaway PostgreSQL database, Django, figures.

A benchmark creates its own database next to the one DATABASE_URL names (default
postgres://postgres@127.0.0.1:5432/test), migrates it, and drops it at the end.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin_connection(url: str) -> Any:
    import psycopg

    dsn = url.replace("postgres://", "postgresql://", 1)
    return psycopg.connect(dsn, autocommit=True)


def create_database(name: str, *, reuse: bool = False) -> str:
    """(Re)create database `name` beside DATABASE_URL's and point DATABASE_URL at it;
    with `reuse`, point at it as an earlier `--keep` run left it. Also gives the
    benchmark its own key and checkpoint file in a temporary folder."""
    base = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    with _admin_connection(base) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reuse and not exists:
            raise SystemExit(f"--reuse: database {name} does not exist; run once with --keep first")
        if not reuse:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["BENCH_ADMIN_URL"] = base
    os.environ["DATABASE_URL"] = _with_database(base, name)
    scratch = tempfile.mkdtemp(prefix="qinqing-bench-")
    os.environ["QINQING_VAR_DIR"] = scratch
    # STATIC_ROOT: WhiteNoise warns in every server process when it is missing.
    (Path(scratch) / "static").mkdir()
    os.environ["AUDIT_SIGNING_KEY_FILE"] = str(Path(scratch) / "keys" / "bench.key")
    os.environ["AUDIT_CHECKPOINT_FILE"] = str(Path(scratch) / "audit" / "checkpoints.jsonl")
    os.environ["CONN_MAX_AGE"] = "0"
    return os.environ["DATABASE_URL"]


def drop_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin_connection(os.environ["BENCH_ADMIN_URL"]) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django() -> None:
    """Set up Django in this process (parent or worker) from the environment."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its finished children (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb_self": round(own, 1), "peak_rss_mb_children": round(children, 1)}


def report(figures: dict[str, Any], goals: dict[str, Any], goals_met: dict[str, bool]) -> None:
    """Print the figures for people, then, as the last line, one JSON object."""
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"  {key:<{width}}  {value}")
    print(json.dumps({"figures": figures, "goals": goals, "goals_met": goals_met}, ensure_ascii=False))

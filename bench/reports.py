"""The ledger's reports and busiest pages over 1,000,000 problems (./run bench reports).

    ./run bench reports
    ./run bench reports --problems 100000 --duration 15     # a quicker look
    ./run bench reports --keep ; ./run bench reports --reuse --skip-report  # pages again
    DATABASE_URL=postgres://... ./run bench reports

Builds `qinqing_bench_reports` beside DATABASE_URL's database (dropped at the end;
`--keep` keeps it) and loads it with SQL (bench/_reports_data.py): 100 departments,
`--problems` problems over a year with about four ProblemTransition rows each (the
history the reports read), their return visits, walk-throughs and rules established.

1. **Quarterly progress report**, end to end, in a child process of its own: the
   request (`report_generate`) and the job (`report_run`: the figures computed in the
   database as of the quarter's end, the Excel workbook and the PDF written to storage).
   Timed, and the child's peak resident memory (RSS) taken from the kernel. The peer is
   one hand-written aggregate statement giving the per-department counts of the same
   quarter (DISTINCT ON for the last transition, FILTERed counts): the least the
   database must do. Then the figures alone, warm, for the breakdown.
2. **Pages under load**: gunicorn (`--workers`, settings `bench.api_settings`) and
   `--clients` locust clients for `--duration` seconds each against the minimal view
   (the peer), the department's queue (ledger:queue, 20 officers of different
   departments, each about 1/100 of the problems) and the commission's dashboard
   (ledger:dashboard, 20 supervisors of the city's commission), as bench/api.py does.

Goals (issue 5): the report under 30 s with peak RSS under 500 MB; each page's p99 under
200 ms at 20 clients. The load average is printed before and after each part (the
machine is shared). The last line is one JSON object with figures, goals and goals_met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402 - the bench folder is put on the path just above

DB_NAME = "qinqing_bench_reports"
PERIOD = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
GOAL_REPORT_S = 30.0
GOAL_RSS_MB = 500.0
GOAL_P99_MS = 200.0


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --- 1. the report ------------------------------------------------------------------------------


def _child_report() -> None:
    """In the child: ask for the report and run the job; print the timings as JSON."""
    _common.setup_django()
    import logging

    from django.core.files.storage import default_storage

    from qinqing.accounts.models import Organisation, User
    from qinqing.ledger.models import ReportKind, ReportStatus
    from qinqing.ledger.reports import Period, compute
    from qinqing.ledger.services.reports import report_generate, report_run

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    supervisor = User.objects.get(username="sup00")
    city = Organisation.objects.get(code="bench-city")
    started = time.perf_counter()
    requested = report_generate(
        actor=supervisor,
        kind=ReportKind.QUARTERLY_PROGRESS,
        scope=city,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )
    done = report_run(report_id=requested.public_id)
    total = time.perf_counter() - started
    if done.status != ReportStatus.READY:
        raise SystemExit(f"the report failed: {done.error}")
    again = time.perf_counter()
    figures = compute(ReportKind.QUARTERLY_PROGRESS, Period(city, *PERIOD))
    figures_s = time.perf_counter() - again
    assert figures == done.figures, "the same quarter gave other figures"
    out = {
        "report_s": round(total, 2),
        "figures_warm_s": round(figures_s, 2),
        "files_s_about": round(total - figures_s, 2),
        "xlsx_bytes": default_storage.size(done.xlsx_name),
        "pdf_bytes": default_storage.size(done.pdf_name),
        "registered": done.figures["totals"]["registered"],
        "rectified": done.figures["totals"]["rectified"],
        "headline_zh": done.figures["headlines"]["zh-hans"][0],
    }
    print(json.dumps(out, ensure_ascii=False), flush=True)


def _report_in_child() -> dict[str, Any]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child-report"],
        stdout=subprocess.PIPE,
        # Static files from the source folders, as bench/api.py's server has them.
        env=dict(os.environ, PYTHONPATH=str(_common.ROOT), COLLECTSTATIC="false"),
        cwd=_common.ROOT,
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    if status != 0:
        raise SystemExit(f"the report's child process failed ({status})")
    lines = [line for line in output.splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1])
    result["report_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return result


def _peer_sql_s(repeat: int = 3) -> float:
    """One hand-written statement: per department, the quarter's registered, rectified,
    closed and on-time counts and the overdue at its end."""
    from django.db import connection

    sql = """
        SELECT a.organisation_id,
               count(*) FILTER (WHERE p.registered_at >= %(start)s) AS registered,
               count(*) FILTER (WHERE p.registered_at >= %(start)s AND a.to_status IN ('verified', 'closed')),
               count(*) FILTER (WHERE p.registered_at >= %(start)s AND a.to_status = 'closed'),
               count(*) FILTER (WHERE p.registered_at >= %(start)s AND a.to_status IN ('verified', 'closed')
                                AND p.rectified_on <= a.due_date),
               count(*) FILTER (WHERE a.to_status IN ('registered', 'assigned', 'rectifying', 'submitted',
                                'withdrawal_requested') AND a.due_date < %(last)s)
        FROM (
            SELECT DISTINCT ON (problem_id) problem_id, to_status, organisation_id, due_date
            FROM ledger_problemtransition
            WHERE at < %(end)s
            ORDER BY problem_id, at DESC, id DESC
        ) a
        JOIN ledger_problem p ON p.id = a.problem_id
        GROUP BY a.organisation_id
    """
    params = {
        "start": dt.datetime(2026, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "end": dt.datetime(2026, 10, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "last": PERIOD[1],
    }
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- 2. pages -----------------------------------------------------------------------------------


def _pages(w: dict[str, Any], clients: int, duration: int, workers: int, port: int) -> dict[str, Any]:
    import api as api_bench  # bench/api.py: the server, logins and locust runs
    import requests
    from django.urls import reverse

    server = api_bench._start_server(port, workers)
    out: dict[str, Any] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        officers = [api_bench._login(base, name) for name in w["officers"][:clients]]
        supervisors = [api_bench._login(base, name) for name in w["supervisors"][:clients]]
        targets = {
            "minimal": ("/bench/minimal/", officers),
            "queue": (reverse("ledger:queue"), officers),
            "dashboard": (reverse("ledger:dashboard"), supervisors),
        }
        with tempfile.TemporaryDirectory(prefix="qinqing-bench-locust-") as folder:
            for name, (path, cookies) in targets.items():
                answer = requests.get(f"{base}{path}", cookies=cookies[0], timeout=120, allow_redirects=False)
                if answer.status_code != 200:
                    raise SystemExit(f"{path} answered {answer.status_code}")
                before = _load()
                stats = api_bench._run_locust(path, cookies, clients, duration, port, Path(folder))
                print(f"  {name} ({path}): {stats} load {before} → {_load()}", flush=True)
                for key in ("requests", "failures", "p50_ms", "p99_ms", "mean_ms", "throughput_rps"):
                    out[f"{name}_{key}"] = stats[key]
        out.update(api_bench._server_memory(server))
    finally:
        server.terminate()
        server.wait(timeout=30)
    for name in ("queue", "dashboard"):
        if out.get("minimal_p99_ms") and out.get(f"{name}_p99_ms"):
            out[f"{name}_p99_over_minimal"] = round(out[f"{name}_p99_ms"] / out["minimal_p99_ms"], 1)
        if out.get("minimal_throughput_rps"):
            out[f"{name}_throughput_share"] = round(
                out[f"{name}_throughput_rps"] / out["minimal_throughput_rps"], 3
            )
    return out


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=int, default=30, help="seconds per page")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left (implies --keep)"
    )
    parser.add_argument("--child-report", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_report:
        _child_report()
        return

    import _api_locust  # noqa: F401 - fail early when locust is missing

    args.keep = args.keep or args.reuse
    _common.create_database(DB_NAME, reuse=args.reuse)
    _common.setup_django()
    import _reports_data as data
    from api import PASSWORD

    figures: dict[str, Any] = {"problems": args.problems, "load_at_start": _load()}
    try:
        _common.migrate()
        from django.db import connection

        if args.reuse:
            w = data.names(supervisors=args.clients)
        else:
            started = time.perf_counter()
            w = data.world(PASSWORD, supervisors=args.clients)
            data.problems(args.problems, w)
            figures["load_s"] = round(time.perf_counter() - started, 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM ledger_problem")
            figures["problems"] = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM ledger_problemtransition")
            figures["transitions"] = cursor.fetchone()[0]
        print(
            f"{figures['problems']:,} problems, {figures['transitions']:,} transitions"
            + (f", loaded in {figures['load_s']} s" if "load_s" in figures else " (reused)")
        )
        connection.close()

        if not args.skip_report:
            figures["load_before_report"] = _load()
            report = _report_in_child()
            figures.update(report)
            figures["load_after_report"] = _load()
            peer = _peer_sql_s()
            figures["peer_sql_s"] = round(peer, 2)
            figures["report_over_peer_sql"] = round(report["report_s"] / peer, 1)
            print(
                f"report {report['report_s']} s (figures warm {report['figures_warm_s']} s), peak RSS "
                f"{report['report_peak_rss_mb']} MB, hand-written SQL {peer:.2f} s",
                flush=True,
            )
        if not args.skip_pages:
            connection.close()
            figures.update(_pages(w, args.clients, args.duration, args.workers, args.port))
        figures["load_at_end"] = _load()
        figures.update(_common.peak_memory_mb())
    finally:
        if not args.keep:
            _common.drop_database(DB_NAME)
    goals = {
        "report_under_30s": f"report_s < {GOAL_REPORT_S}",
        "report_rss_under_500mb": f"report_peak_rss_mb < {GOAL_RSS_MB}",
        "queue_p99_under_200ms": f"queue_p99_ms < {GOAL_P99_MS}",
        "dashboard_p99_under_200ms": f"dashboard_p99_ms < {GOAL_P99_MS}",
    }
    met = {
        "report_under_30s": figures.get("report_s", 999) < GOAL_REPORT_S,
        "report_rss_under_500mb": figures.get("report_peak_rss_mb", 9999) < GOAL_RSS_MB,
        "queue_p99_under_200ms": (figures.get("queue_p99_ms") or 9999) < GOAL_P99_MS,
        "dashboard_p99_under_200ms": (figures.get("dashboard_p99_ms") or 9999) < GOAL_P99_MS,
    }
    _common.report(figures, goals, met)


if __name__ == "__main__":
    main()

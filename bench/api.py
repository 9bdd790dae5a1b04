"""Pages under load (./run bench api): the enterprise's "my cases" page and the officer's
work queue, against gunicorn on PostgreSQL holding 100,000 cases.

    ./run bench api
    ./run bench api --duration 20 --cases 20000      # a quicker look
    DATABASE_URL=postgres://... ./run bench api

Builds a scratch database (`qinqing_bench_api` beside DATABASE_URL's, dropped at the end
unless --keep) and loads it with SQL: 20,000 enterprises, 10 departments, 50 policies,
100,000 cases across them (a fifth under review, most paid, the rest returned, paying,
rejected or withdrawn) with their steps, about 300,000; the 20 enterprises whose users
log in hold 25 cases each, and the officers' department holds a tenth of all cases.

Then starts gunicorn (`config.wsgi`, --workers sync workers, settings `bench.api_settings`:
the platform's own plus a bench URLconf) and logs in 20 enterprise users and 20 officers
through the login form. Each target is then requested for --duration seconds by
--clients locust clients (FastHttpUser, one real session cookie each, no think time):

- minimal: a view returning two bytes (no template, no query) behind the same
  middleware (session, authentication, CSRF, CSP...): the peer;
- frame: the platform's empty page (base.html with its navigation, inbox badge and
  language form, no content): what every page costs before its own content, a second
  peer (the goal is still against the minimal view);
- my_cases: /policies/mine/ (policies:my_cases) as an enterprise user;
- queue: /policies/office/queue/ (policies:officer_queue) as an officer.

Before the load, each target is requested 30 times in this process through Django's test
client: its queries, its time alone, and the CPU it costs (median; the steadier figure on
a shared machine). Goals: p99 < 200 ms for each page, throughput ≥ 40% of the minimal
view's. Prints the
peak resident memory of the gunicorn master and each worker, of locust and of this
process. The last line printed is one JSON object with the figures, goals and goals_met.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402 - the bench folder is put on the path just above
import _matching_data as data  # noqa: E402

DATABASE = "qinqing_bench_api"
PASSWORD = "Bench-api-2026"
GOAL_P99_MS = 200.0
GOAL_THROUGHPUT_SHARE = 0.4
VENV = _common.ROOT / ".venv" / "bin"
STEPS = [
    ("accept", "review", "officer", 2),
    ("review", "review", "officer", 5),
    ("recheck", "review", "department_head", 3),
    ("notice", "notice", "officer", 5),
    ("disburse", "payment", "officer", 2),
]


# --- data ------------------------------------------------------------------------------------


def _seed(cases: int, enterprises: int) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from qinqing.accounts.models import Organisation, Role, RoleAssignment, User
    from qinqing.policies.models import Policy, PolicyVersion

    started = time.perf_counter()
    city = Organisation.objects.create(code="qz", name="泉州市", kind="city", region_code="350500")
    city.path = f"/{city.pk}/"
    city.save(update_fields=["path"])
    depts = []
    for k in range(10):
        dept = Organisation.objects.create(
            code=f"dept-{k}", name=f"市直部门{k}", kind="department", parent=city
        )
        dept.path, dept.depth = f"{city.path}{dept.pk}/", 1
        dept.save(update_fields=["path", "depth"])
        depts.append(dept)
    with connection.cursor() as cursor:
        cursor.execute(data.enterprise_insert_sql("postgresql", enterprises, city.pk))
        cursor.execute("SELECT min(id) FROM enterprises_enterprise")
        first_enterprise = cursor.fetchone()[0]
    today = timezone.localdate()
    rule = {
        "conditions": {"attr": "status", "op": "eq", "value": "active"},
        "award": {"kind": "fixed", "amount": "600000"},
    }
    now = timezone.now()
    for k in range(50):
        policy = Policy.objects.create(
            department=depts[k % 10],
            code=f"policy-{k}",
            title=f"惠企政策{k}",
            basis_number="泉政文〔2026〕1号",
            basis_title=f"惠企政策{k}",
            status="published",
            published_at=now,
            valid_from=today.replace(month=1, day=1),
            valid_until=today.replace(year=today.year + 1),
            budget_total="100000000000.00",
        )
        PolicyVersion.objects.create(policy=policy, number=1, rule=rule, published_at=now)
    hashed = make_password(PASSWORD)
    enterprise_users, officers = [], []
    for k in range(20):
        user = User.objects.create(username=f"ent-{k}", display_name=f"企业用户{k}", password=hashed)
        RoleAssignment.objects.create(user=user, role=Role.ENTERPRISE, enterprise_id=first_enterprise + k)
        enterprise_users.append(user.username)
        user = User.objects.create(username=f"officer-{k}", display_name=f"经办人{k}", password=hashed)
        RoleAssignment.objects.create(user=user, role=Role.OFFICER, organisation=depts[0])
        officers.append(user.username)
    clerk = User.objects.create(username="clerk", display_name="前序经办人", password=hashed)
    RoleAssignment.objects.create(user=clerk, role=Role.OFFICER, organisation=depts[0])
    _cases_sql(cases, enterprises, first_enterprise, clerk.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM policies_casestep")
        steps = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM policies_casestep s JOIN policies_case c ON c.id = s.case_id "
            "WHERE s.ended_at IS NULL AND c.organisation_id = %s",
            [depts[0].pk],
        )
        open_steps = cursor.fetchone()[0]
    return {
        "cases": cases,
        "case_steps": steps,
        "open_steps_in_officers_department": open_steps,
        "enterprises_loaded": enterprises,
        "load_s": round(time.perf_counter() - started, 1),
        "enterprise_users": enterprise_users,
        "officers": officers,
    }


def _cases_sql(cases: int, enterprises: int, first_enterprise: int, clerk_id: int) -> None:
    """Cases i = 1..N: the first 500 belong to the 20 enterprises whose users log in (25
    each, policies 0..24); the others spread over the rest, one per policy and enterprise."""
    from django.db import connection

    status = (
        f"(CASE WHEN {data.h('i', 373587883, 100)} < 20 THEN 'in_review' "
        f"WHEN {data.h('i', 373587883, 100)} < 23 THEN 'returned' "
        f"WHEN {data.h('i', 373587883, 100)} < 25 THEN 'paying' "
        f"WHEN {data.h('i', 373587883, 100)} < 85 THEN 'paid' "
        f"WHEN {data.h('i', 373587883, 100)} < 95 THEN 'rejected' ELSE 'withdrawn' END)"
    )
    spread = max(1, enterprises - 20)
    steps_values = ", ".join(
        f"({n}, '{key}', '{kind}', '{role}', {limit})" for n, (key, kind, role, limit) in enumerate(STEPS)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO policies_case (created_at, updated_at, public_id, reference, policy_id, version_id,
                enterprise_id, organisation_id, period, origin, invitation_id, applicant_id, status, revision,
                current_step, steps_plan, facts, award_computed, award, explanation, reserved, submitted_at,
                decided_at, paid_at, notice_until, reason)
            SELECT s.submitted, s.submitted, gen_random_uuid(), 'ZC2026' || lpad(s.i::text, 7, '0'), p.id, v.id,
                s.enterprise, p.department_id, 'once', 'invitation', NULL, NULL, s.status, 1,
                CASE s.status WHEN 'in_review' THEN s.step5 WHEN 'returned' THEN s.step5 % 2
                    WHEN 'rejected' THEN s.step5 % 3 WHEN 'withdrawn' THEN 0 ELSE 4 END,
                p.steps, '{{}}'::jsonb, 600000, 600000, '{{}}'::jsonb,
                CASE WHEN s.status IN ('paying', 'paid') THEN 600000 ELSE 0 END,
                s.submitted,
                CASE WHEN s.status IN ('paying', 'paid', 'rejected') THEN s.submitted + interval '12 days' END,
                CASE WHEN s.status = 'paid' THEN s.submitted + interval '13 days' END,
                NULL, ''
            FROM (
                SELECT i, {status} AS status, {data.h("i", 393342739, 5)} AS step5,
                    now() - ({data.h("i", 413158511, 90 * 24)} * interval '1 hour') AS submitted,
                    CASE WHEN i <= 500 THEN (i - 1) / 20 ELSE i % 50 END AS policy_index,
                    CASE WHEN i <= 500 THEN {first_enterprise} + (i - 1) % 20
                         ELSE {first_enterprise} + 20 + (i / 50) % {spread} END AS enterprise
                FROM generate_series(1, {int(cases)}) AS i
            ) s
            JOIN (SELECT id, department_id, steps, row_number() OVER (ORDER BY id) - 1 AS k
                  FROM policies_policy) p ON p.k = s.policy_index
            JOIN policies_policyversion v ON v.policy_id = p.id
            """
        )
        cursor.execute(
            f"""
            INSERT INTO policies_casestep (case_id, organisation_id, position, attempt, key, name, kind, role, limit_days,
                started_at, due_date, ended_at, outcome, actor_id, assignee_id, comment, deadline_id)
            SELECT c.id, c.organisation_id, p.pos, 1, p.key, '', p.kind, p.role, p.lim,
                c.submitted_at + p.pos * interval '2 days',
                (c.submitted_at + (p.pos * 2 + p.lim + 2) * interval '1 day')::date,
                CASE WHEN o.open THEN NULL ELSE c.submitted_at + (p.pos * 2 + 1) * interval '1 day' END,
                CASE WHEN o.open THEN ''
                     WHEN c.status = 'rejected' AND p.pos = c.current_step THEN 'rejected'
                     WHEN c.status = 'withdrawn' THEN 'closed' ELSE 'approved' END,
                CASE WHEN o.open THEN NULL ELSE {clerk_id} END, NULL, '', NULL
            FROM policies_case c
            JOIN (VALUES {steps_values}) AS p(pos, key, kind, role, lim) ON p.pos <= c.current_step
            CROSS JOIN LATERAL (SELECT p.pos = c.current_step AND c.status IN ('in_review', 'returned') AS open) o
            """
        )
        # As autovacuum leaves a table in service: statistics, and the visibility map that
        # lets the queue's count read its covering indexes without visiting the rows.
        cursor.execute("VACUUM ANALYZE")


# --- server and clients ----------------------------------------------------------------------


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.api_settings",
        CONN_MAX_AGE="60",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        COLLECTSTATIC="false",
        PYTHONPATH=str(_common.ROOT),
    )
    return env


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    import requests

    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            # On a loaded machine a worker's first import of the URLconf can take longer
            # than gunicorn's default 30 s, which then kills it before it answers.
            "--timeout",
            "120",
        ],
        cwd=_common.ROOT,
        env=_server_env(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/bench/minimal/", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def _login(base: str, username: str) -> dict[str, str]:
    """A real login through the form; the session's cookies."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if match is None:
        raise SystemExit("no CSRF token on the login page")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login of {username} failed ({answer.status_code})")
    return {k: v or "" for k, v in session.cookies.get_dict().items()}


def _target_path(name: str) -> tuple[str, str]:
    """The real page's path, or the bench's fallback view if the page does not exist."""
    from django.urls import NoReverseMatch, reverse

    real = {"my_cases": "policies:my_cases", "queue": "policies:officer_queue"}
    fallback = {
        "my_cases": "/bench/my-cases/",
        "queue": "/bench/queue/",
        "minimal": "/bench/minimal/",
        "frame": "/bench/frame/",
    }
    if name in real:
        try:
            return reverse(real[name], urlconf="bench.api_urls"), real[name]
        except NoReverseMatch:
            return fallback[name], "bench fallback view over the selector"
    return fallback[name], "bench minimal view" if name == "minimal" else "bench empty page (base.html)"


def _run_locust(
    path: str, cookies: list[dict[str, str]], clients: int, duration: int, port: int, out: Path
) -> dict[str, Any]:
    import requests

    # Warm-up: every worker imports the page's code and fills its caches.
    jar = cookies[0]
    for _ in range(20):
        requests.get(f"http://127.0.0.1:{port}{path}", cookies=jar, timeout=30, allow_redirects=False)
    env = dict(os.environ, BENCH_PATH=path, BENCH_COOKIES=json.dumps(cookies))
    prefix = out / path.strip("/").replace("/", "_")
    proc = subprocess.Popen(
        [
            str(VENV / "locust"),
            "-f",
            str(Path(__file__).resolve().parent / "_api_locust.py"),
            "--headless",
            "--users",
            str(clients),
            "--spawn-rate",
            str(clients),
            "--run-time",
            f"{duration}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _pid, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")

    def number(text: str) -> float | None:  # locust writes N/A when nothing was measured
        return float(text) if text not in ("", "N/A") else None

    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "p50_ms": number(row["50%"]),
        "p99_ms": number(row["99%"]),
        "mean_ms": round(float(row["Average Response Time"]), 1),
        "throughput_rps": round(float(row["Requests/s"]), 1),
        "bytes": round(float(row["Average Content Size"])),
        "locust_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def _server_memory(server: subprocess.Popen[bytes]) -> dict[str, Any]:
    import psutil

    workers = [p.pid for p in psutil.Process(server.pid).children()]
    return {
        "gunicorn_master_peak_rss_mb": _peak_rss_mb(server.pid),
        "gunicorn_workers_peak_rss_mb": [_peak_rss_mb(pid) for pid in workers],
    }


def _in_process(targets: dict[str, tuple[str, str]], repeat: int = 30) -> dict[str, Any]:
    """Diagnostics, not the measurement: each page requested in this process through
    Django's test client (logged in through the same form), its SQL queries counted, its
    time taken alone and the CPU it cost this process (medians of `repeat`), with no
    other request running. The CPU is the steadier figure on a shared machine: waiting
    for a core or for the database does not count in it."""
    import statistics

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    out: dict[str, Any] = {}
    with override_settings(ROOT_URLCONF="bench.api_urls", ALLOWED_HOSTS=["*"]):
        for name, (path, username) in targets.items():
            client = Client()
            if not client.login(username=username, password=PASSWORD):
                raise SystemExit(f"could not log in {username}")
            client.get(path)
            times, cpu = [], []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
            out[f"{name}_alone_ms"] = round(statistics.median(times) * 1000, 1)
            out[f"{name}_cpu_ms"] = round(statistics.median(cpu) * 1000, 2)
            out[f"{name}_queries"] = len(queries.captured_queries)
            out[f"{name}_query_ms"] = round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1)
            print(
                f"  {name}: alone {out[f'{name}_alone_ms']} ms, CPU {out[f'{name}_cpu_ms']} ms, "
                f"{out[f'{name}_queries']} queries ({out[f'{name}_query_ms']} ms in the database)",
                flush=True,
            )
    minimal_cpu = out.get("minimal_cpu_ms") or 1.0
    for name in targets:
        if name != "minimal":
            out[f"{name}_cpu_share_of_minimal"] = round(minimal_cpu / out[f"{name}_cpu_ms"], 2)
    return out


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60, help="seconds per target")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    import tempfile

    url = _common.create_database(DATABASE)
    # As `./run serve` runs locally: plain HTTP, static files from the app folders.
    os.environ.update(_server_env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    (Path(os.environ["QINQING_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    _common.setup_django()
    print(f"API benchmark on {url.rsplit('@', 1)[-1]} ({os.cpu_count()} CPUs)", flush=True)
    figures: dict[str, Any] = {"load_average_start": round(os.getloadavg()[0], 1)}
    server: subprocess.Popen[bytes] | None = None
    try:
        _common.migrate()
        seeded = _seed(args.cases, args.enterprises)
        enterprise_users, officers = seeded.pop("enterprise_users"), seeded.pop("officers")
        figures |= seeded
        print(
            f"loaded {args.cases:,} cases ({seeded['case_steps']:,} steps) in {seeded['load_s']} s; "
            f"starting gunicorn with {args.workers} workers",
            flush=True,
        )
        print("one request at a time, in this process (diagnostics):", flush=True)
        figures |= _in_process(
            {
                "minimal": (_target_path("minimal")[0], enterprise_users[0]),
                "frame": (_target_path("frame")[0], enterprise_users[0]),
                "my_cases": (_target_path("my_cases")[0], enterprise_users[0]),
                "queue": (_target_path("queue")[0], officers[0]),
            }
        )
        server = _start_server(args.port, args.workers)
        base = f"http://127.0.0.1:{args.port}"
        enterprise_cookies = [_login(base, u) for u in enterprise_users]
        officer_cookies = [_login(base, u) for u in officers]
        out = Path(tempfile.mkdtemp(prefix="qinqing-bench-api-"))
        results: dict[str, dict[str, Any]] = {}
        for name, cookies in (
            ("minimal", enterprise_cookies),
            ("frame", enterprise_cookies),
            ("my_cases", enterprise_cookies),
            ("queue", officer_cookies),
        ):
            path, what = _target_path(name)
            print(f"{name}: GET {path} ({what}), {args.clients} clients for {args.duration} s", flush=True)
            result = _run_locust(path, cookies, args.clients, args.duration, args.port, out)
            results[name] = result | {"path": path}
            print(
                f"  {result['requests']:,} requests, {result['failures']} failures, "
                f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
                f"{result['throughput_rps']} requests/s, {result['bytes']:,} bytes",
                flush=True,
            )
        figures |= _server_memory(server)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            _common.drop_database(DATABASE)
    minimal = results["minimal"]["throughput_rps"] or 1.0
    for name, result in results.items():
        for key, value in result.items():
            figures[f"{name}_{key}"] = value
        if name != "minimal":
            figures[f"{name}_throughput_share_of_minimal"] = round(result["throughput_rps"] / minimal, 2)
        if name in ("my_cases", "queue") and "frame" in results:
            figures[f"{name}_throughput_share_of_frame"] = round(
                result["throughput_rps"] / (results["frame"]["throughput_rps"] or 1.0), 2
            )
    figures |= {
        "gunicorn_workers": args.workers,
        "clients": args.clients,
        "duration_s": args.duration,
        "load_average_end": round(os.getloadavg()[0], 1),
    }
    figures |= _common.peak_memory_mb()
    goals = {"p99_ms": f"< {GOAL_P99_MS}", "throughput_share_of_minimal": f">= {GOAL_THROUGHPUT_SHARE}"}
    met = {}
    for name in ("my_cases", "queue"):
        met[f"{name}_p99_under_200ms"] = (
            figures[f"{name}_requests"] > 0
            and figures[f"{name}_p99_ms"] is not None
            and figures[f"{name}_p99_ms"] < GOAL_P99_MS
            and not figures[f"{name}_failures"]
        )
        met[f"{name}_throughput_40pct_of_minimal"] = (
            figures[f"{name}_throughput_share_of_minimal"] >= GOAL_THROUGHPUT_SHARE
        )
    if args.cases < 100_000 or args.duration < 60 or args.clients < 20:
        goals["note"] = "scaled down: the goals are for 100,000 cases, 20 clients, 60 s"
    _common.report(figures, goals, met)


if __name__ == "__main__":
    main()

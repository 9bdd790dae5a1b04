"""run_scheduler's options, and run_stack: three children, a clean stop on Ctrl-C or
SIGTERM, and a loud stop when one of them dies."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from qinqing.scheduling.management.commands.run_stack import display_width, format_table
from qinqing.scheduling.models import ScheduledRun


@pytest.mark.django_db
def test_run_scheduler_once_enqueues_the_registered_jobs():
    out = io.StringIO()
    call_command("run_scheduler", "--now", "2025-03-04T09:00+08:00", stdout=out)

    names = set(ScheduledRun.objects.values_list("job_name", flat=True))
    assert {
        "notifications.daily_digest",
        "scheduling.prune_task_results",
        "scheduling.reap_lost_tasks",
    } <= names
    # 09:00: the 08:00 digest and the 03:30 prune of the day are due, as is the 09:00 reap.
    assert ScheduledRun.objects.get(job_name="notifications.daily_digest").period_key == "2025-03-04"
    assert "enqueued notifications.daily_digest 2025-03-04" in out.getvalue()


@pytest.mark.parametrize("now", ["yesterday", "2025-03-04T09:00"])
def test_run_scheduler_refuses_a_bad_now(now):
    with pytest.raises(CommandError):
        call_command("run_scheduler", "--now", now, stdout=io.StringIO())


def test_run_scheduler_refuses_a_bad_interval():
    with pytest.raises(CommandError):
        call_command("run_scheduler", "--interval", "0", stdout=io.StringIO())


def test_login_table_aligns_chinese_labels():
    table = format_table(("role", "username"), [("经办人", "jingban"), ("admin", "admin")])
    lines = table.splitlines()
    assert len({display_width(line) for line in lines}) == 1
    assert "| 经办人 | jingban  |" in table


# --- run_stack, as a real process tree ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_env(var_dir) -> dict[str, str]:
    """Point the stack at this test's database, already migrated, and at a scratch var
    directory (the children run every app's periodic jobs, some of which write files)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env["QINQING_VAR_DIR"] = str(var_dir)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = db["USER"] + (":" + db["PASSWORD"] if db["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    env.update(
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        COLLECTSTATIC="false",
    )
    return env


class Stack:
    def __init__(self, var_dir) -> None:
        self.port = _free_port()
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_stack", "--port", str(self.port), "--stop-timeout", "10"],
            cwd=str(settings.BASE_DIR),
            env=_child_env(var_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def pids(self) -> dict[str, int]:
        return {m[0]: int(m[1]) for m in re.findall(r"started (\w+) \(pid (\d+)\)", self.output)}

    def wait_for_login_page(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/accounts/login/"
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local test server
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                return exc.code
            except OSError:
                time.sleep(0.3)
        raise AssertionError("the web server never answered:\n" + self.output)

    def wait_for_pids(self, timeout: float = 30) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.pids()
            if len(pids) == 3:
                return pids
            time.sleep(0.1)
        raise AssertionError(self.output)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie waits only for its parent's wait(); it runs no more.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ")[1].startswith("Z")


def _port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_run_stack_serves_and_stops_everything_on_a_signal(how, tmp_path):
    stack = Stack(tmp_path)
    try:
        status = stack.wait_for_login_page()
        pids = stack.wait_for_pids()
        assert status == 200
        assert set(pids) == {"web", "worker", "scheduler"}

        stack.process.send_signal(how)
        code = stack.process.wait(timeout=40)
        stack.reader.join(timeout=5)
    finally:
        stack.kill()

    assert code == 0, stack.output
    assert f"Qinqing is running at http://127.0.0.1:{stack.port}/" in stack.output
    assert "stopped web, worker and scheduler" in stack.output
    assert all(_gone(pid) for pid in pids.values()), stack.output
    assert _port_closed(stack.port)


@pytest.mark.django_db(transaction=True)
def test_run_stack_stops_the_rest_and_fails_when_a_child_dies(tmp_path):
    stack = Stack(tmp_path)
    try:
        stack.wait_for_login_page()
        pids = stack.wait_for_pids()

        os.kill(pids["worker"], signal.SIGKILL)
        code = stack.process.wait(timeout=40)
        stack.reader.join(timeout=5)
    finally:
        stack.kill()

    assert code == 1, stack.output
    assert "the worker process exited unexpectedly" in stack.output
    assert _gone(pids["web"]) and _gone(pids["scheduler"])
    assert _port_closed(stack.port)

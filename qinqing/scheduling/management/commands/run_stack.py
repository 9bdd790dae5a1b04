"""`manage.py run_stack --port N`: the whole platform in one terminal, for `./run demo`.

Starts three children: the web server (gunicorn, or Django's runserver when gunicorn
is missing), a job worker and the scheduler. Ctrl-C or SIGTERM stops all three and
exits 0; if one of them dies, the others are stopped and the command exits 1 naming it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from argparse import ArgumentParser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POLL_SECONDS = 0.2


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, children get SIGTERM if this supervisor is killed outright, so that a
    `kill -9` of the demo leaves no orphan server behind."""
    if not sys.platform.startswith("linux"):
        return None
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    pr_set_pdeathsig = 1

    def preexec() -> None:
        # Own process group: the terminal's Ctrl-C reaches only the supervisor, which
        # then stops the children in order (and can kill a child's whole group).
        os.setpgid(0, 0)
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(pad(h, w) for h, w in zip(header, widths, strict=True)) + " |", line]
    out.extend("| " + " | ".join(pad(c, w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows)
    out.append(line)
    return "\n".join(out)


def demo_logins() -> list[tuple[str, str, str]]:
    """The demo's (role, username, password) rows, when the demo module exists."""
    if importlib.util.find_spec("qinqing.demo") is None:
        return []
    module = importlib.import_module("qinqing.demo")
    logins = getattr(module, "logins", None)
    if logins is None:
        return []
    return [(str(role), str(user), str(password)) for role, user, password in logins()]


class Command(BaseCommand):
    help = "Run the web server, a job worker and the scheduler together (the demo)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=10.0,
            help="Seconds to wait for children before killing them.",
        )

    def handle(
        self, *args: Any, port: int, host: str, web_workers: int, stop_timeout: float, **options: Any
    ) -> None:
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535")
        self.stop_timeout = stop_timeout
        self.stopping = False
        self.signals_received = 0
        children = self.children(host=host, port=port, web_workers=web_workers)
        previous = {sig: signal.signal(sig, self.on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start(children)
            dead = self.supervise(children, host=host, port=port)
        finally:
            self.stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if dead is not None:
            code = dead.process.returncode if dead.process else None
            raise CommandError(
                f"the {dead.name} process exited unexpectedly (exit code {code}); stopped the others"
            )
        self.stdout.write("stopped web, worker and scheduler")

    def children(self, *, host: str, port: int, web_workers: int) -> list[Child]:
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        if importlib.util.find_spec("gunicorn") is not None:
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(web_workers),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                str(max(1, int(self.stop_timeout) - 1)),
            ]
        else:
            web = [*manage, "runserver", "--noreload", f"{host}:{port}"]
        return [
            Child("web", web),
            Child("worker", [*manage, "run_worker", "--interval", "1"]),
            Child("scheduler", [*manage, "run_scheduler"]),
        ]

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signals_received += 1
        self.stopping = True

    def start(self, children: list[Child]) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        preexec = _die_with_parent()
        for child in children:
            child.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                child.argv,
                cwd=str(settings.BASE_DIR),
                env=env,
                preexec_fn=preexec,  # noqa: PLW1509 - the supervisor runs no threads
            )
            self.stdout.write(f"started {child.name} (pid {child.process.pid})")
        self.stdout.flush()

    def supervise(self, children: list[Child], *, host: str, port: int) -> Child | None:
        """Wait until a signal (None) or a child's death (that child)."""
        announced = False
        while not self.stopping:
            for child in children:
                assert child.process is not None
                if child.process.poll() is not None:
                    return child
            if not announced and _port_open(host, port):
                self.announce(host, port)
                announced = True
            time.sleep(POLL_SECONDS)
        return None

    def announce(self, host: str, port: int) -> None:
        self.stdout.write("")
        self.stdout.write(f"Qinqing is running at http://{host}:{port}/  (Ctrl-C stops it)")
        rows = demo_logins()
        if rows:
            self.stdout.write(format_table(("role", "username", "password"), rows))
        self.stdout.flush()

    def stop(self, children: list[Child]) -> None:
        running = [c for c in children if c.process is not None and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            assert child.process is not None
            # A second Ctrl-C means: do not wait.
            while child.process.poll() is None and time.monotonic() < deadline and self.signals_received < 2:
                time.sleep(POLL_SECONDS / 2)
            if child.process.poll() is None:
                self.stderr.write(f"{child.name} did not stop in time; killing it")
                _kill_group(child.process)
                child.process.wait()
        # Reap the children's own children (gunicorn's workers) if any were left.
        for child in children:
            if child.process is not None:
                _kill_group(child.process, quiet=True)


def _kill_group(process: subprocess.Popen[bytes], *, quiet: bool = False) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        if not quiet:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False

"""The locust users of `./run bench api` (not run on its own).

Each simulated client holds the session cookie of one real login (done by the bench
before the run, through the login form) and requests BENCH_PATH in a closed loop, no
think time. A redirect (to the login page) or any status but 200 counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("BENCH_PATH", "/bench/minimal/")
COOKIES: list[dict[str, str]] = json.loads(os.environ.get("BENCH_COOKIES", "[{}]"))
_next = itertools.count()


class Client(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        jar = COOKIES[next(_next) % len(COOKIES)]
        self.cookie = "; ".join(f"{k}={v}" for k, v in jar.items())

    @task
    def page(self) -> None:
        with self.client.get(
            PATH, headers={"Cookie": self.cookie}, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

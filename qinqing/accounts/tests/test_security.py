"""Deployment settings and the Content-Security-Policy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-entropy-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "qinqing.example.gov.cn",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_COOKIES": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_scripts(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_templates_hold_no_inline_script_or_style():
    """The CSP would block them in the browser; catch them before that."""
    offenders = []
    for path in (ROOT / "qinqing").rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for marker in ("<script>", " style=", "onclick=", "onchange=", "onsubmit=", "javascript:"):
            if marker in text:
                offenders.append(f"{path.relative_to(ROOT)}: {marker}")
        for line in text.splitlines():
            if "<script" in line and "src=" not in line and 'type="application/json"' not in line:
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


@pytest.mark.django_db
def test_responses_carry_a_request_id(client):
    response = client.get(reverse("accounts:login"))
    assert len(response["X-Request-ID"]) == 32
    echoed = client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID="trace-abc-12345")
    assert echoed["X-Request-ID"] == "trace-abc-12345"

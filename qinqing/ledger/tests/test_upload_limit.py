"""The ledger's evidence keeps the materials' limit now that it is held while the request
is read (qinqing/common/upload_handlers.py): a file past it is refused on its field,
with what was typed kept, and nothing is registered."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qinqing.ledger.models import Category, Problem

from .conftest import PDF, World, pdf

MB = 1024 * 1024


def _report(world: World, *evidence: SimpleUploadedFile) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.city.enterprise_user)
    return client.post(
        reverse("ledger:report"),
        {
            "evidence": list(evidence),
            "title": "消防验收排队两个月",
            "description": "提交材料后两个月没有安排验收。",
            "category": Category.GOVERNMENT,
            "subcategory": "efficiency",
            "location": "丰泽区东海街道",
        },
    )


def test_evidence_over_the_limit_is_refused_on_its_field(ledger: World, settings: Any) -> None:
    settings.POLICY_UPLOAD_MAX_BYTES = 1 * MB
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (2 * MB), content_type="application/pdf")

    response = _report(ledger, big)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-evidence"' in html
    assert "The file is larger than 1 MB." in html
    assert "消防验收排队两个月" in html  # kept
    assert not Problem.objects.filter(title="消防验收排队两个月").exists()


def test_evidence_within_the_limit_is_registered(ledger: World, settings: Any) -> None:
    settings.POLICY_UPLOAD_MAX_BYTES = 1 * MB
    at_limit = SimpleUploadedFile("at.pdf", PDF + b"0" * (MB - len(PDF)), content_type="application/pdf")

    response = _report(ledger, pdf(), at_limit)

    assert response.status_code == 302
    problem = Problem.objects.get(title="消防验收排队两个月")
    assert sorted(f.size for f in problem.files.all()) == [len(PDF), MB]

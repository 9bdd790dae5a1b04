"""The upload limit held while the request is read (qinqing/common/upload_handlers.py):
a file past its limit is refused with the form's usual message, nothing past the limit
is handed on to be spooled, the other answers are kept, and each domain keeps its own
limit."""

from __future__ import annotations

import io
import json
from typing import Any, ClassVar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from django.utils import timezone

from qinqing.common.errors import ValidationFailed
from qinqing.common.upload_handlers import REQUEST_TOO_LARGE, TOO_LARGE, RefusedUpload
from qinqing.policies.models import Case, CaseMaterial, Policy
from qinqing.policies.uploads import check_upload

from .factories import make_policy
from .workflow import THREE_STEPS, World

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
LIMIT = 10 * MB
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXPORT_RULE: dict[str, Any] = {
    "facts": {"export_value": "money", "first_export": "bool", "customs_code": "code"},
    "conditions": {
        "all": [
            {"attr": "status", "op": "eq", "value": "active"},
            {"fact": "export_value", "op": "ge", "value": "500000"},
        ]
    },
    "award": {"kind": "fixed", "amount": "100000"},
}


class CountingHandler(FileUploadHandler):
    """Put right after the limit handler: counts, per file, the bytes handed on to
    Django's own handlers (memory or temporary file), i.e. what gets spooled."""

    received: ClassVar[list[int]] = []

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        CountingHandler.received.append(0)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        CountingHandler.received[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@pytest.fixture
def spooled(settings: Any, file_storage: Any) -> list[int]:
    """The bytes of each file handed on past the limit handler, in order."""
    settings.FILE_UPLOAD_HANDLERS = [
        "qinqing.common.upload_handlers.UploadLimitHandler",
        f"{__name__}.CountingHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    CountingHandler.received.clear()
    return CountingHandler.received


@pytest.fixture
def export_policy(world: World) -> Policy:
    return make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        title="首次出口奖励",
        rule=EXPORT_RULE,
        materials=[{"key": "customs", "name": "报关单", "required": True, "accepted": ["pdf"]}],
        mode="application",
        steps=THREE_STEPS,
        valid_until=timezone.localdate().replace(month=12, day=31),
    )


def _pdf_of(size: int, name: str = "报关单.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"0" * (size - len(PDF)), content_type="application/pdf")


def _apply(world: World, policy: Policy, *files: SimpleUploadedFile) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.spot_user)
    # The file comes first in the body: the answers after it must be read all the same.
    data: dict[str, Any] = {
        "material_customs": list(files),
        "fact_export_value": "800000.00",
        "fact_first_export": "yes",
        "fact_customs_code": "c39",
    }
    return client.post(f"/policies/{policy.public_id}/apply/", data)


# --- The materials' limit -------------------------------------------------------------------


def test_one_byte_over_the_limit_is_refused_with_the_message_and_answers_kept(world, export_policy, spooled):
    response = _apply(world, export_policy, _pdf_of(LIMIT + 1))

    assert response.status_code == 400
    html = response.content.decode()
    assert "The file is larger than 10 MB." in html
    assert 'data-testid="error-material-customs"' in html
    # The enterprise's answers, sent after the file, are on the form again.
    assert 'value="800000.00"' in html
    assert 'value="c39"' in html
    assert 'data-testid="files-lost"' in html
    # Not one byte past the limit was handed on to be spooled.
    assert len(spooled) == 1
    assert spooled[0] <= LIMIT
    assert not Case.objects.filter(policy=export_policy).exists()
    assert not CaseMaterial.objects.exists()


def test_reading_stops_at_the_limit_however_large_the_file(world, export_policy, spooled, settings):
    settings.POLICY_UPLOAD_MAX_BYTES = 1 * MB

    response = _apply(world, export_policy, _pdf_of(8 * MB))

    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    assert spooled[0] <= 1 * MB  # of 8 MB sent


def test_a_file_at_the_limit_passes(world, export_policy, spooled):
    response = _apply(world, export_policy, _pdf_of(LIMIT))

    assert response.status_code == 302, response.content.decode()[:2000]
    material = CaseMaterial.objects.get(case__policy=export_policy)
    assert material.size == LIMIT
    assert spooled == [LIMIT]


def test_the_api_refuses_it_on_the_material_field(world, export_policy, spooled):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.spot_user)
    body = {
        "customs": _pdf_of(LIMIT + 1),
        "facts": json.dumps({"export_value": "800000", "first_export": True, "customs_code": "C39"}),
    }

    response = client.post(f"/api/v1/policies/{export_policy.public_id}/apply", body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"materials.customs": ["The file is larger than 10 MB."]}
    assert spooled[0] <= LIMIT
    assert not Case.objects.filter(policy=export_policy).exists()


# --- The request's cap ----------------------------------------------------------------------


def test_files_beyond_the_request_cap_are_refused_with_their_own_message(
    world, export_policy, spooled, settings
):
    settings.POLICY_UPLOAD_MAX_BYTES = 2 * MB
    settings.UPLOAD_MAX_REQUEST_BYTES = 3 * MB

    response = _apply(
        world, export_policy, _pdf_of(MB + MB // 2, "a.pdf"), _pdf_of(MB + MB // 2 + 1, "b.pdf")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The files sent together are larger than 3 MB; send fewer at once." in html
    assert 'value="800000.00"' in html
    # The first file whole; of the second, nothing past the cap.
    assert spooled[0] == MB + MB // 2
    assert sum(spooled) <= 3 * MB
    assert not CaseMaterial.objects.exists()


# --- Each domain keeps its own limit --------------------------------------------------------


def test_a_registry_import_keeps_its_own_larger_limit(city, spooled, settings):
    settings.POLICY_UPLOAD_MAX_BYTES = 1 * MB
    settings.ENTERPRISE_IMPORT_MAX_BYTES = 2 * MB
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(city.admin)

    upload = SimpleUploadedFile("registry.pdf", PDF + b"0" * (MB + MB // 2), content_type="application/pdf")
    response = client.post("/enterprises/import/", {"file": upload})
    # Past the materials' limit but within the import's: read whole, judged by the view.
    assert spooled == [len(PDF) + MB + MB // 2]
    assert "larger than" not in response.content.decode()

    spooled.clear()
    upload = SimpleUploadedFile("registry.csv", b"x" * (3 * MB), content_type="text/csv")
    response = client.post("/enterprises/import/", {"file": upload})
    assert response.status_code == 400
    assert "The file is larger than 2.0\xa0MB" in response.content.decode()
    assert spooled[0] <= 2 * MB


# --- The refused file itself ----------------------------------------------------------------


def test_a_refused_file_keeps_no_content_and_says_why(settings):
    settings.POLICY_UPLOAD_MAX_BYTES = LIMIT
    too_large = RefusedUpload(
        name="a.pdf", content_type="application/pdf", size=LIMIT + 1, reason=TOO_LARGE, limit=LIMIT
    )
    with pytest.raises(ValidationFailed) as exc:
        too_large.read()
    assert "10" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc:
        check_upload(too_large, name="a.pdf", accepted=["pdf"], field="materials.customs")
    assert list(exc.value.fields) == ["materials.customs"]
    beyond = RefusedUpload(name="b.pdf", content_type="", size=10, reason=REQUEST_TOO_LARGE, limit=3 * MB)
    with pytest.raises(ValidationFailed) as exc:
        check_upload(beyond, name="b.pdf", accepted=["pdf"], field="f")
    assert exc.value.fields["f"] == [beyond.message]


def test_a_declared_size_over_the_limit_is_refused_before_reading(settings):
    settings.POLICY_UPLOAD_MAX_BYTES = LIMIT
    data = io.BytesIO(PDF)
    upload = SimpleUploadedFile("a.pdf", PDF)
    upload.size = LIMIT + 1
    with pytest.raises(ValidationFailed):
        check_upload(upload, name="a.pdf", accepted=["pdf"], field="f")
    assert check_upload(data, name="a.pdf", accepted=["pdf"], field="f").data == PDF

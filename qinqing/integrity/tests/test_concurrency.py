"""Officials declaring the same relation at once: one declaration, the rest refused."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict
from qinqing.integrity import services
from qinqing.integrity.models import RelationDeclaration, RelationKind

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_the_same_relation_declared_at_once_is_stored_once(city, monkeypatch):
    barrier = threading.Barrier(THREADS)
    original = services.official_organisation

    def after_the_check(user):
        # Every thread has passed the "already declared?" read before any inserts, so
        # only the partial unique index can keep the second one out.
        barrier.wait(timeout=30)
        return original(user)

    monkeypatch.setattr(services, "official_organisation", after_the_check)
    outcomes: list[object] = []

    def declare() -> None:
        try:
            services.relation_declare(
                actor=city.officer, enterprise=city.enterprise, kind=RelationKind.SHAREHOLDING
            )
            outcomes.append("declared")
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=declare) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes.count("declared") == 1, outcomes
    refused = [o for o in outcomes if o != "declared"]
    assert len(refused) == THREADS - 1
    assert all(isinstance(o, Conflict) and o.code == "relation_already_declared" for o in refused), refused
    assert RelationDeclaration.objects.count() == 1
    assert AuditEvent.objects.filter(action="relation.declare").count() == 1

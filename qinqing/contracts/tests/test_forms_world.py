"""The project the page tests of the write side run against (this module holds no tests).

The API tests' world (`test_api_world.build_world`: in the conftest's Taishang zone a
project of the conftest's enterprise, an investment agreement with one clause and three
obligations: the enterprise's construction start, due in a month, its investment target,
due in two months, 100 million yuan, and the development and reform commission's filing,
due five days ago), with the filing's alarm fired. A second committee member of the zone
decides disputes (four eyes); the other enterprise's user sees nothing of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qinqing.accounts.models import User

from .conftest import PNG, fire_alarm
from .test_api_world import PDF, World
from .test_api_world import build_world as build_api_world

__all__ = ["PNG", "World", "fire_alarm"]


def pdf(name: str = "evidence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def build_world(city: Any) -> World:
    world = build_api_world(city)
    fire_alarm(world.permit)
    return world


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)

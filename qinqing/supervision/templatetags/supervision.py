"""{% load supervision %}{% timeline_url record %}: link a record to its audit timeline."""

from __future__ import annotations

from django import template
from django.db import models

from qinqing.supervision import links

register = template.Library()


@register.simple_tag
def timeline_url(obj: models.Model) -> str:
    return links.timeline_url(obj)

from __future__ import annotations

from django import template
from django.utils.functional import Promise

from qinqing.enterprises.labels import display_name

register = template.Library()


@register.filter
def label_name(key: str) -> Promise | str:
    """A label's name in the reader's language (`high_tech` → 高新技术企业)."""
    return display_name(key)

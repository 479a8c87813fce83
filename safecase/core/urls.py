"""``url_for``: reverse() for the many links of a page, resolved once per URL name.

A 50-row list, or a case's nine tabs, would otherwise resolve the same pattern once per link.
The URL is resolved once with a placeholder UUID, then filled in by string joining.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.urls import reverse

_PLACEHOLDER = uuid.UUID(int=0)


@lru_cache(maxsize=256)
def _split(url_name: str) -> tuple[str, str]:
    """The URL of ``url_name`` for one UUID argument, as the text before and after it."""
    before, after = reverse(url_name, args=[_PLACEHOLDER]).split(str(_PLACEHOLDER))
    return before, after


def url_for(url_name: str, pk: uuid.UUID | str) -> str:
    """reverse(url_name, args=[pk]) for a URL whose only argument is a UUID. Raises
    NoReverseMatch, as reverse() does, for a name with no such URL."""
    before, after = _split(url_name)
    return f"{before}{uuid.UUID(str(pk))}{after}"

"""The API client fixture of the API tests, for this part's API tests."""

from safecase.api.tests.conftest import api

__all__ = ["api"]

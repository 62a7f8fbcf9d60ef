"""The Accept Referral page fixtures, for the name-search test."""

from tests.pages.conftest import as_provider  # noqa: F401

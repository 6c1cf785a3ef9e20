"""Suite-wide settings, and the standing users of the Django-side tests: alice owns what a test
makes, carol is staff (she sees everything and decides approvals by default), bob is an outsider
(none of alice's things exist for him). Each has the password "<name>-password"."""
import os

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings

# Property tests explore the same examples on every run (no flaky suite); set
# HYPOTHESIS_PROFILE=explore to search new ground while developing.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def users_db(db):
    """The database the standing users are made in. A directory whose server runs in other
    threads or processes overrides it with one whose rows are committed."""


def _person(username, **flags):
    return get_user_model().objects.create_user(username, password=f"{username}-password", **flags)


@pytest.fixture
def alice(users_db):
    return _person("alice")


@pytest.fixture
def bob(users_db):
    return _person("bob")


@pytest.fixture
def carol(users_db):
    return _person("carol", is_staff=True)

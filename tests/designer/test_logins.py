"""Failed logins are throttled per user and per client (django-axes, settings AXES_*): issue 9, 5
found 10 wrong passwords followed by a successful login. The site's login page and the admin's
each say why, in their own look, with HTTP 429."""
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LIMIT = 5


def log_in(username, password, address="192.0.2.1", page=LOGIN, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    return client, client.post(page, {"username": username, "password": password, "next": "/"})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_ten_wrong_passwords_then_the_right_one_is_refused(alice):
    for _ in range(10):
        client, response = log_in("alice", "guess")
        assert not logged_in(client)
    client, response = log_in("alice", "alice-password")
    assert response.status_code == 429
    assert not logged_in(client)
    assert b"Too many failed logins for this user or from this address" in response.content
    assert b"locked for 15 minutes" in response.content
    assert b"Please enter a correct username" not in response.content  # the password was never checked


def test_the_limit_is_five_failures(alice):
    for _ in range(LIMIT - 1):
        log_in("alice", "guess")
    client, response = log_in("alice", "alice-password")
    assert response.status_code == 302 and logged_in(client)


def test_a_user_is_locked_whatever_address_the_guesses_come_from(alice):
    for n in range(LIMIT):
        log_in("alice", "guess", address=f"198.51.100.{n}")
    client, response = log_in("alice", "alice-password", address="203.0.113.9")
    assert response.status_code == 429 and not logged_in(client)


def test_a_client_is_locked_whatever_users_it_tries(alice, bob):
    for n in range(LIMIT):
        log_in(f"someone{n}", "guess", address="198.51.100.7")
    client, response = log_in("bob", "bob-password", address="198.51.100.7")
    assert response.status_code == 429 and not logged_in(client)
    # bob himself, from elsewhere, is not locked out
    client, response = log_in("bob", "bob-password", address="203.0.113.9")
    assert response.status_code == 302 and logged_in(client)


def test_the_lockout_ends_fifteen_minutes_after_the_last_failure(alice):
    for _ in range(LIMIT):
        log_in("alice", "guess")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    client, response = log_in("alice", "alice-password")
    assert response.status_code == 302 and logged_in(client)


def test_the_admin_login_is_throttled_and_says_so_in_its_own_page(carol):
    for _ in range(LIMIT):
        log_in("carol", "guess", page=ADMIN_LOGIN)
    client, response = log_in("carol", "carol-password", page=ADMIN_LOGIN)
    assert response.status_code == 429 and not logged_in(client)
    assert b"Too many failed logins" in response.content
    assert b'id="login-form"' in response.content  # the admin's own login page


def test_failures_on_either_page_count_together(carol):
    for page in [LOGIN, ADMIN_LOGIN] * 3:
        log_in("carol", "guess", page=page)
    client, response = log_in("carol", "carol-password", page=LOGIN)
    assert response.status_code == 429


def test_a_spoofed_x_forwarded_for_changes_nothing_without_a_trusted_proxy(alice):
    for n in range(LIMIT):
        log_in(f"someone{n}", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    client, response = log_in("alice", "alice-password", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429


def test_behind_the_trusted_proxy_the_client_is_the_address_it_forwarded(alice, settings):
    settings.STATELIGHT_TRUSTED_PROXY = True
    proxy = "10.0.0.2"
    for n in range(LIMIT):
        # what the client wrote itself comes first; the proxy appends the address it saw
        log_in(f"someone{n}", "guess", address=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.7")
    client, response = log_in("alice", "alice-password", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429
    # another client behind the same proxy is not locked out
    client, response = log_in("alice", "alice-password", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert response.status_code == 302 and logged_in(client)

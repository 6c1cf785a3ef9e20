"""The password reset form answers the same, in content and in the work done while the request
waits, whether or not the address has an account (issue 9, 5: a known address took 20 times
longer, because its mail was made and sent during the request); requests are throttled."""
import re
import threading

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from designer import password_reset

pytestmark = pytest.mark.django_db(transaction=True)  # the mail thread reads the users too

RESET = "/accounts/password_reset/"
WAIT = 30  # seconds: only a guard against a hang, never reached when the code works


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice_with_mail(alice):
    alice.email = "alice@example.com"
    alice.save()
    return alice


@pytest.fixture
def held_mail_thread():
    """The mail thread, kept busy until the test lets it go: what a request queues waits."""
    gate = threading.Event()
    busy = password_reset.send_later(gate.wait)
    yield gate
    gate.set()
    busy.result(WAIT)


def mail_thread_done():
    password_reset.send_later(lambda: None).result(WAIT)


def ask(email, address="192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email})


def test_the_mail_is_sent_by_the_mail_thread_after_the_answer(alice_with_mail, held_mail_thread):
    response = ask("alice@example.com")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []  # answered, and nothing was sent while the request waited
    held_mail_thread.set()
    mail_thread_done()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert re.search(r"http://testserver/accounts/reset/\S+/\S+/", message.body)


def test_known_and_unknown_addresses_get_the_same_answer_after_the_same_work(alice_with_mail, monkeypatch):
    queued = []
    monkeypatch.setattr(password_reset, "send_later", lambda function, *args: queued.append((function, args[0])))
    answers, queries = [], []
    for email in ("alice@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as captured:
            response = ask(email)
        answers.append((response.status_code, response.headers.get("Location"), response.content))
        queries.append([query["sql"] for query in captured.captured_queries])
    assert answers[0] == answers[1]
    assert queries[0] == queries[1]  # the request never looks the address up
    assert queued == [(password_reset.send_reset_mail, "alice@example.com"),
                      (password_reset.send_reset_mail, "nobody@example.com")]


def test_an_unknown_address_gets_no_mail(alice_with_mail):
    ask("nobody@example.com")
    mail_thread_done()
    assert mail.outbox == []


def test_the_link_in_the_mail_sets_a_new_password(alice_with_mail):
    ask("alice@example.com")
    mail_thread_done()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    browser = Client()
    form_page = browser.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    done = browser.post(form_page.redirect_chain[-1][0],
                        {"new_password1": "a new pass phrase", "new_password2": "a new pass phrase"})
    assert done.status_code == 302
    logged_in = Client().post("/accounts/login/", {"username": "alice", "password": "a new pass phrase"})
    assert logged_in.status_code == 302


@pytest.mark.parametrize("email", ["alice@example.com", "nobody@example.com"])
def test_three_requests_per_hour_for_one_address_known_or_not(alice_with_mail, email):
    assert [ask(email, address=f"198.51.100.{n}").status_code for n in range(3)] == [302] * 3
    refused = ask(email.upper(), address="198.51.100.9")
    assert refused.status_code == 429
    assert b"Too many password reset requests" in refused.content


def test_ten_requests_per_hour_from_one_client():
    assert [ask(f"someone{n}@example.com").status_code for n in range(10)] == [302] * 10
    refused = ask("someone.else@example.com")
    assert refused.status_code == 429
    assert b"Too many password reset requests" in refused.content
    assert ask("someone.else@example.com", address="203.0.113.9").status_code == 302

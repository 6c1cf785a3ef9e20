"""The login throttle (designer/logins.py) is for password logins only: the AWS API signs its
requests with access keys, so a user locked out of the login page keeps using the API, and
neither a wrong signature nor an unknown key counts as a failed login."""
import httpx
import pytest
from axes.models import AccessAttempt
from botocore.exceptions import ClientError


def log_in(server, password) -> int:
    with httpx.Client(base_url=server) as browser:
        browser.get("/accounts/login/")
        return browser.post("/accounts/login/", headers={"Referer": f"{server}/accounts/login/"},
                            data={"username": "alice", "password": password,
                                  "csrfmiddlewaretoken": browser.cookies["csrftoken"]}).status_code


def test_a_user_locked_out_of_the_login_page_still_uses_the_api(server, client_for, alice):
    # the fifth failure already answers with the lockout page
    assert [log_in(server, "guess") for _ in range(5)] == [200, 200, 200, 200, 429]
    assert log_in(server, "alice-password") == 429
    assert client_for(alice).list_state_machines()["stateMachines"] == []


def test_wrong_signatures_are_no_failed_logins(client_for, alice, api_db):
    stranger = client_for(("AKIAAAAAAAAAAAAAAAAA", "x" * 40))
    for _ in range(6):
        with pytest.raises(ClientError):
            stranger.list_state_machines()
    assert not AccessAttempt.objects.exists()

"""Every page carries the Content-Security-Policy (settings.SECURE_CSP): scripts only from our own
files, never inline or eval'd; <style> elements only with the page's nonce, which the page hands
its scripts in <meta name="csp-nonce"> (CodeMirror's). The browser side: tests/browser/test_pages_csp.py."""
import re

import pytest

from tests.helpers import make_machine

pytestmark = pytest.mark.django_db

PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def policy(response) -> dict:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {name: values for name, *values in directives}


def test_every_page_has_the_policy_with_its_own_nonce(client, carol):
    machine = make_machine(carol, "Csp", PASS)
    client.force_login(carol)
    nonces = set()
    for path in ["/", f"/machines/{machine.pk}/", f"/machines/{machine.pk}/runs/", "/approvals/", "/keys/",
                 "/machines/new", "/admin/", "/accounts/password_reset/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        rules = policy(response)
        assert rules["script-src"] == ["'self'"], path
        assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
        # a page of ours hands out its nonce; Django names it in the policy only when a page did (not the admin)
        given = re.search(rb'<meta name="csp-nonce" content="([^"]+)">', response.content)
        named = [value[len("'nonce-"):-1] for value in rules["style-src"] if value.startswith("'nonce-")]
        assert named == ([given.group(1).decode()] if given else []), path
        nonces.update(named)
    assert len(nonces) == 7  # a new one for each answer


def test_the_login_page_has_it_before_anyone_logs_in(client):
    rules = policy(client.get("/accounts/login/"))
    assert "'unsafe-inline'" not in rules["script-src"] + rules["style-src"]
    assert "'unsafe-eval'" not in rules["script-src"]

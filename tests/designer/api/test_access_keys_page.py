"""The access keys page: list, create (secret shown once) and revoke your own keys."""
from django.test import Client

from designer import access_keys, accounts
from designer.models import AccessKey


def test_it_asks_anonymous_users_to_log_in(client, api_db):
    r = client.get("/keys/")
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")


def test_it_lists_only_your_own_keys(alice_client, alice, bob):
    mine, _ = access_keys.issue(alice, "laptop")
    theirs, _ = access_keys.issue(bob)
    r = alice_client.get("/keys/")
    html = r.content.decode()
    assert mine.access_key_id in html and "laptop" in html
    assert theirs.access_key_id not in html


def test_it_shows_your_account_id(alice_client, alice, bob, django_user_model, settings):
    admin = django_user_model.objects.create_superuser("admin", password="x")
    mine = accounts.account_id(alice)
    assert mine != accounts.account_id(bob) and len(mine) == 12 and mine.isdigit()
    assert accounts.account_id(admin) == settings.STATELIGHT_ACCOUNT_ID  # the first admin keeps it
    assert f"<code data-account-id>{mine}</code>" in alice_client.get("/keys/").content.decode()


def test_it_shows_a_new_secret_once(alice_client, alice):
    r = alice_client.post("/keys/", {"description": "ci"})
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    key = AccessKey.objects.get(user=alice)
    html = r.content.decode()
    assert f"AWS_ACCESS_KEY_ID={key.access_key_id}" in html
    assert f"AWS_SECRET_ACCESS_KEY={key.secret}" in html
    assert key.description == "ci"
    again = alice_client.get("/keys/").content.decode()
    assert key.access_key_id in again and key.secret not in again


def test_it_revokes_your_key_and_only_yours(alice_client, alice, bob):
    mine, _ = access_keys.issue(alice)
    theirs, _ = access_keys.issue(bob)
    r = alice_client.post(f"/keys/{mine.pk}/revoke")
    assert (r.status_code, r["Location"]) == (302, "/keys/")
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert "revoked" in alice_client.get("/keys/").content.decode()
    assert alice_client.post(f"/keys/{theirs.pk}/revoke").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert alice_client.get(f"/keys/{mine.pk}/revoke").status_code == 405


def test_it_needs_the_csrf_token_in_its_forms(alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/keys/", {"description": "x"}).status_code == 403
    assert not AccessKey.objects.exists()
    html = strict.get("/keys/").content.decode()
    assert html.count("csrfmiddlewaretoken") >= 2  # create, and log out

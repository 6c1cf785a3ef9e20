from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from designer.models import Account

pytestmark = pytest.mark.django_db


def ensure_admin():
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_superuser_env(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)


def test_it_creates_admin_with_a_generated_password_printed_once(django_user_model, settings):
    out = ensure_admin()
    password = out.split("Log in as: admin / ")[1].split()[0]
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    assert Account.objects.get(user=admin).account_id == settings.STATELIGHT_ACCOUNT_ID  # its ARNs' account

    again = ensure_admin()
    assert password not in again
    assert "Log in as: admin" in again
    assert django_user_model.objects.count() == 1


def test_it_keeps_an_existing_superuser(django_user_model):
    django_user_model.objects.create_superuser("root", password="x" * 12)
    out = ensure_admin()
    assert "Log in as: root" in out
    assert not django_user_model.objects.filter(username="admin").exists()


def test_it_uses_the_account_from_the_environment(django_user_model, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-password")
    ensure_admin()
    assert django_user_model.objects.get(username="ops").check_password("first-password")

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "second-password")
    out = ensure_admin()
    ops = django_user_model.objects.get(username="ops")
    assert ops.is_superuser
    assert ops.check_password("second-password")
    assert "second-password" not in out
    assert django_user_model.objects.count() == 1


def test_it_refuses_a_username_without_a_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD is not"):
        ensure_admin()

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler

from statelight import config

ROOT = Path(__file__).resolve().parents[2]


# --- secret key -----------------------------------------------------------

def test_it_creates_the_secret_key_file_once_with_private_permissions(tmp_path):
    key_file = tmp_path / ".secret_key"
    key = config.secret_key(None, key_file)
    assert len(key) >= 50
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # no temporary files left behind
    assert [p.name for p in tmp_path.iterdir()] == [".secret_key"]


def test_it_reuses_the_secret_key_file(tmp_path):
    key_file = tmp_path / ".secret_key"
    first = config.secret_key(None, key_file)
    assert config.secret_key("", key_file) == first
    assert config.secret_key(None, key_file) == first


def test_it_prefers_the_environment_over_the_file(tmp_path):
    key_file = tmp_path / ".secret_key"
    assert config.secret_key("from-env", key_file) == "from-env"
    assert not key_file.exists()


def test_it_gives_racing_processes_one_secret_key(tmp_path):
    key_file = tmp_path / ".secret_key"
    keys = []
    barrier = threading.Barrier(8)

    def make():
        barrier.wait()
        keys.append(config.secret_key(None, key_file))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [".secret_key"]


def test_it_refuses_an_empty_secret_key_file(tmp_path):
    key_file = tmp_path / ".secret_key"
    key_file.write_text("\n")
    with pytest.raises(RuntimeError, match="is empty"):
        config.secret_key(None, key_file)


# --- DATABASE_URL ---------------------------------------------------------

@pytest.mark.parametrize("url", [None, "", "  "])
def test_it_defaults_to_sqlite_in_the_project(url, tmp_path):
    db = config.database_config(url, tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "db.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] > 0


def test_it_parses_an_absolute_sqlite_url(tmp_path):
    db = config.database_config("sqlite:////var/lib/statelight/db.sqlite3", tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/var/lib/statelight/db.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_it_parses_a_postgres_url(scheme, tmp_path):
    db = config.database_config(f"{scheme}://sl:s%40cret@db.example:6543/statelight", tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "statelight"
    assert db["USER"] == "sl"
    assert db["PASSWORD"] == "s@cret"
    assert db["HOST"] == "db.example"
    assert db["PORT"] == 6543
    # SQLite's options would break the PostgreSQL driver
    assert "transaction_mode" not in db.get("OPTIONS", {})


def test_it_opens_sqlite_in_wal_mode_with_immediate_transactions(tmp_path, django_db_blocker):
    connection = ConnectionHandler({"default": config.database_config(None, tmp_path)})["default"]
    with django_db_blocker.unblock():  # a private database, not the test database
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone()[0] == 20_000
            assert connection.transaction_mode == "IMMEDIATE"
        finally:
            connection.close()


# --- DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, REDIS_URL -------------------------

@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("TRUE", True), ("yes", True), (" Yes ", True),
    (None, False), ("", False), ("0", False), ("false", False), ("no", False), ("on", False),
])
def test_it_reads_django_debug(value, expected):
    assert config.env_bool(value) is expected


def test_it_defaults_allowed_hosts_to_local_names():
    assert config.allowed_hosts(None) == ["localhost", "127.0.0.1", "[::1]", "testserver"]


def test_it_splits_allowed_hosts():
    assert config.allowed_hosts(" flows.example.com, .internal ,") == ["flows.example.com", ".internal"]


def test_it_uses_the_in_memory_channel_layer_without_redis():
    assert config.channel_layers(None)["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_it_uses_redis_when_redis_url_is_set():
    layer = config.channel_layers("redis://127.0.0.1:6379/2")["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layer["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/2"]


# --- the settings module itself, as a fresh process sees the environment ---

PRINT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE": {k: settings.DATABASES["default"][k] for k in ("ENGINE", "NAME")},
    "LAYER": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "SECRET_KEY": settings.SECRET_KEY,
}))
"""


def settings_in_fresh_process(**env):
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    environ.update(DJANGO_SETTINGS_MODULE="statelight.settings", **env)
    out = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], env=environ, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_it_reads_settings_from_the_environment():
    s = settings_in_fresh_process(
        DJANGO_DEBUG="yes",
        DJANGO_ALLOWED_HOSTS="flows.example.com",
        DATABASE_URL="postgres://u:p@db:5432/flows",
        REDIS_URL="redis://cache:6379/0",
        DJANGO_SECRET_KEY="k" * 60,
    )
    assert s["DEBUG"] is True
    assert s["ALLOWED_HOSTS"] == ["flows.example.com"]
    assert s["DATABASE"] == {"ENGINE": "django.db.backends.postgresql", "NAME": "flows"}
    assert s["LAYER"] == "channels_redis.core.RedisChannelLayer"
    assert s["SECRET_KEY"] == "k" * 60


def test_it_has_safe_defaults():
    s = settings_in_fresh_process()
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]", "testserver"]
    assert s["DATABASE"] == {"ENGINE": "django.db.backends.sqlite3", "NAME": str(ROOT / "db.sqlite3")}
    assert s["LAYER"] == "channels.layers.InMemoryChannelLayer"
    # the same key as every other process started here
    assert s["SECRET_KEY"] == (ROOT / ".secret_key").read_text().strip()


# --- STATELIGHT_HTTPS: the production switch ----------------------------------

def check_deploy(**env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STATELIGHT_"))}
    environ.update(DJANGO_SETTINGS_MODULE="statelight.settings", **env)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          env=environ, cwd=ROOT, capture_output=True, text=True)


def test_check_deploy_is_clean_in_production_mode_behind_https():
    checked = check_deploy(DJANGO_DEBUG="0", STATELIGHT_HTTPS="1")
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_check_deploy_names_what_is_missing_without_the_https_switch():
    checked = check_deploy(DJANGO_DEBUG="0")
    assert checked.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in checked.stderr


REQUESTS_OVER_HTTPS = """
import json
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
plain, proxied = Client(), Client(HTTP_X_FORWARDED_PROTO="https")
answers = {
    "plain": plain.get("/accounts/login/"),
    "plain healthz": plain.get("/healthz"),
    "forwarded https": proxied.get("/accounts/login/"),
}
print(json.dumps({name: {"status": r.status_code, "location": r.headers.get("Location"),
                         "hsts": r.headers.get("Strict-Transport-Security"),
                         "secure cookie": bool(r.cookies.get("csrftoken") and r.cookies["csrftoken"]["secure"])}
                  for name, r in answers.items()}))
"""


def requests_over_https(**env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STATELIGHT_"))}
    environ.update(DJANGO_SETTINGS_MODULE="statelight.settings", STATELIGHT_HTTPS="1", **env)
    out = subprocess.run([sys.executable, "-c", REQUESTS_OVER_HTTPS], env=environ, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_behind_a_trusted_proxy_https_is_what_the_proxy_forwards():
    answers = requests_over_https(STATELIGHT_TRUSTED_PROXY="1")
    assert answers["plain"]["status"] == 301
    assert answers["plain"]["location"] == "https://testserver/accounts/login/"
    # the health check answers plain HTTP: probes from inside do not follow redirects to TLS
    assert answers["plain healthz"]["status"] == 200
    served = answers["forwarded https"]
    assert served["status"] == 200
    assert served["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert served["secure cookie"]


def test_without_a_trusted_proxy_x_forwarded_proto_is_not_believed():
    answers = requests_over_https()
    assert answers["forwarded https"]["status"] == 301


# --- caches and mail -------------------------------------------------------------

def test_it_caches_in_memory_without_redis_and_in_redis_with_it():
    assert config.caches(None)["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    redis = config.caches("redis://cache:6379/1")["default"]
    assert (redis["BACKEND"], redis["LOCATION"]) == ("django.core.cache.backends.redis.RedisCache",
                                                     "redis://cache:6379/1")


def test_without_an_email_url_mail_is_printed():
    assert config.email_settings(None) == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example.com", {"EMAIL_HOST": "mail.example.com", "EMAIL_PORT": 25, "EMAIL_USE_TLS": False,
                                 "EMAIL_USE_SSL": False, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}),
    ("smtp+starttls://me%40example.com:p%3Ass@mail.example.com?from=flows%40example.com",
     {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_HOST_USER": "me@example.com",
      "EMAIL_HOST_PASSWORD": "p:ss", "DEFAULT_FROM_EMAIL": "flows@example.com"}),
    ("smtps://u:p@mail.example.com:2465", {"EMAIL_PORT": 2465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False}),
])
def test_it_reads_the_email_url(url, expected):
    mail = config.email_settings(url)
    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert {key: mail[key] for key in expected} == expected


@pytest.mark.parametrize("url", ["mail.example.com", "http://mail.example.com", "smtp://"])
def test_it_refuses_an_email_url_it_cannot_use(url):
    with pytest.raises(ValueError, match="STATELIGHT_EMAIL_URL must look like smtp://"):
        config.email_settings(url)

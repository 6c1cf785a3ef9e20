"""Reading the environment into settings.

Small pure functions, kept apart from settings.py so tests can call them with
any environment and any directory without reloading Django's settings.
"""

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url

TRUE_VALUES = {"1", "true", "yes"}

DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

# SQLite is the embedded default and several threads (the server, the
# runtime) write to it at once: WAL lets readers run beside the writer,
# IMMEDIATE takes the write lock at BEGIN (so a transaction never fails
# half-way when it upgrades from read to write) and the timeout (seconds)
# makes a writer wait for the lock instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def env_bool(value: str | None) -> bool:
    """`1`, `true` and `yes` (any case) are true; anything else, or unset, is false."""
    return (value or "").strip().lower() in TRUE_VALUES


def allowed_hosts(value: str | None) -> list[str]:
    if not value or not value.strip():
        return list(DEFAULT_ALLOWED_HOSTS)
    return [host.strip() for host in value.split(",") if host.strip()]


def database_config(url: str | None, base_dir: Path) -> dict:
    """One entry of DATABASES from a DATABASE_URL (unset: db.sqlite3 in base_dir)."""
    if not url or not url.strip():
        url = f"sqlite:///{Path(base_dir) / 'db.sqlite3'}"
    config = dj_database_url.parse(url.strip())
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


def channel_layers(redis_url: str | None) -> dict:
    """In-memory layer for the single-process default, Redis when REDIS_URL is set."""
    if not redis_url or not redis_url.strip():
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url.strip()]},
        }
    }


def caches(redis_url: str | None) -> dict:
    """Each process's memory for the embedded default (one web process), Redis when REDIS_URL is set."""
    if not redis_url or not redis_url.strip():
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url.strip(),
                        "KEY_PREFIX": "statelight"}}


# scheme of STATELIGHT_EMAIL_URL -> (EMAIL_USE_TLS: STARTTLS, EMAIL_USE_SSL: TLS from the start, default port)
EMAIL_SCHEMES = {"smtp": (False, False, 25), "smtp+starttls": (True, False, 587), "smtps": (False, True, 465)}


def email_settings(url: str | None) -> dict:
    """Django's EMAIL_* settings from `smtp[+starttls|s]://user:password@host:port?from=address`;
    unset: the console backend (a mail is printed to the server's output, where its admin reads it)."""
    if not url or not url.strip():
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url.strip())
    if parts.scheme not in EMAIL_SCHEMES or not parts.hostname:
        raise ValueError(f"STATELIGHT_EMAIL_URL must look like smtp://user:password@host:port (or smtp+starttls://, "
                         f"smtps://), not {parts.scheme or 'no scheme'}://{parts.hostname or ''}")
    starttls, tls, default_port = EMAIL_SCHEMES[parts.scheme]
    sender = parse_qs(parts.query).get("from")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": tls,
        "EMAIL_TIMEOUT": 30,
        **({"DEFAULT_FROM_EMAIL": sender[0]} if sender else {}),
    }


def secret_key(value: str | None, key_file: Path) -> str:
    """DJANGO_SECRET_KEY when set; else the key in key_file, made on first use.

    Every process must read the same key (sessions, and secrets encrypted
    by one process are decrypted by the next), so the file is published
    atomically: written to a private temporary file, then hard-linked into
    place. os.link fails when the name exists, so when two processes race
    exactly one key wins, and nobody ever reads a half-written file.
    """
    if value and value.strip():
        return value.strip()
    key_file = Path(key_file)
    try:
        return _read_key(key_file)
    except FileNotFoundError:
        pass
    fd, tmp_name = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key.")
    try:
        # mkstemp creates the file 0600 already
        with os.fdopen(fd, "w") as tmp:
            tmp.write(secrets.token_urlsafe(50) + "\n")
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            os.link(tmp_name, key_file)
        except FileExistsError:
            pass  # another process won the race: use its key
    finally:
        os.unlink(tmp_name)
    return _read_key(key_file)


def _read_key(key_file: Path) -> str:
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty: delete it to make a new secret key")
    return key


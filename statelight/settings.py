"""Django settings, driven by the environment (see README.md, Configuration).

Nothing here needs editing to move from the embedded default (SQLite,
in-memory channel layer, one process) to a scale-out set-up (PostgreSQL,
Redis): set DATABASE_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.utils.csp import CSP

from statelight import config

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = config.secret_key(os.environ.get("DJANGO_SECRET_KEY"), BASE_DIR / ".secret_key")
DEBUG = config.env_bool(os.environ.get("DJANGO_DEBUG"))
ALLOWED_HOSTS = config.allowed_hosts(os.environ.get("DJANGO_ALLOWED_HOSTS"))

INSTALLED_APPS = [
    # Before daphne: designer's `runserver` (Daphne's ASGI server plus the
    # embedded runtime) must win over daphne's own; commands are looked up
    # first-app-wins.
    "designer",
    # before django.contrib.staticfiles, so that `runserver` is Daphne's ASGI server
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, as django-axes asks: it turns a locked-out login's answer into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "statelight.urls"
ASGI_APPLICATION = "statelight.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {"default": config.database_config(os.environ.get("DATABASE_URL"), BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CHANNEL_LAYERS = config.channel_layers(os.environ.get("REDIS_URL"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# No STATIC_ROOT and no `collectstatic`: WhiteNoise serves straight from
# STATICFILES_DIRS (the front-end bundle included, built into static/build/),
# so the embedded default has nothing to collect.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Where the home page finds the sample workflows (`*.asl.json`).
STATELIGHT_EXAMPLES_DIR = BASE_DIR / "examples"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO" if DEBUG else "WARNING"},
}

# The account id in every ARN Statelight issues.
STATELIGHT_ACCOUNT_ID = os.environ.get("STATELIGHT_ACCOUNT_ID", "123456789012")

# Behind a reverse proxy (README, Using the AWS SDKs and CLI). API signatures
# cover the host and path the client called: with STATELIGHT_TRUSTED_PROXY on,
# X-Forwarded-Host (and X-Forwarded-Proto) count, so only set it when a proxy
# you run sets them; STATELIGHT_PATH_PREFIX is the path the proxy strips off.
# The client's address (login and password reset throttles) is then the last X-Forwarded-For entry.
STATELIGHT_TRUSTED_PROXY = config.env_bool(os.environ.get("STATELIGHT_TRUSTED_PROXY"))
if STATELIGHT_TRUSTED_PROXY:
    USE_X_FORWARDED_HOST = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
FORCE_SCRIPT_NAME = os.environ.get("STATELIGHT_PATH_PREFIX", "").rstrip("/") or None

# --- security: HTTPS, Content-Security-Policy, login throttle (README, Limits and safety) ---

# Served over HTTPS (directly, or behind a proxy that terminates TLS and sets X-Forwarded-Proto,
# with STATELIGHT_TRUSTED_PROXY on): plain HTTP is redirected, browsers are told to use HTTPS only
# (HSTS, a year; includeSubDomains covers names under this host only, and preload does nothing until
# someone submits the domain to the browsers' list) and cookies are sent over HTTPS only.
STATELIGHT_HTTPS = config.env_bool(os.environ.get("STATELIGHT_HTTPS"))
if STATELIGHT_HTTPS:
    SECURE_SSL_REDIRECT = True
    # a health probe from inside (a load balancer, a container runtime) speaks plain HTTP
    SECURE_REDIRECT_EXEMPT = [r"(^|/)healthz$"]
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Scripts only from our own files (the bundles; configuration rides in json_script data blocks),
# never inline or eval'd. Styles: our stylesheets, and the <style> elements CodeMirror makes, which
# carry the page's nonce (<meta name="csp-nonce">); React and React Flow set element.style through
# the CSSOM, which CSP does not govern, so no 'unsafe-inline' is needed for style attributes either.
# Images: data: and blob: for the graph's exported PNG/SVG. The websockets are 'self' too.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Failed logins (the login page and the admin's; not the AWS API, which signs requests with keys):
# after 5 failures within 15 minutes, that user name, and that client address, may not log in for
# 15 minutes, counted from the last failure (django-axes).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "designer.logins.client_address"
AXES_LOCKOUT_CALLABLE = "designer.logins.locked_out"

# Password reset requests are throttled per client address and per email address
# (designer/password_reset.py), counted in the cache: with REDIS_URL, shared by every web process.
CACHES = config.caches(os.environ.get("REDIS_URL"))
# Its mail goes through STATELIGHT_EMAIL_URL's server; unset, it is printed to the server's output.
globals().update(config.email_settings(os.environ.get("STATELIGHT_EMAIL_URL")))

# --- the runtime (designer/runtime) and task resources (designer/resources) ---

# Modules whose @engine.task_handler registrations answer Task states, imported
# once when the runtime first needs a handler (comma-separated in the environment).
STATELIGHT_HANDLERS = [
    name.strip() for name in os.environ.get("STATELIGHT_HANDLERS", "examples.handlers").split(",") if name.strip()
]
# What a Python handler logs (any logger, this level and up) and prints during a
# task attempt is kept with the attempt and shown in the execution viewer.
STATELIGHT_TASK_LOG_LEVEL = os.environ.get("STATELIGHT_TASK_LOG_LEVEL", "INFO")
# http:invoke refuses private, loopback and link-local addresses (server-side
# request forgery) unless this is on.
STATELIGHT_HTTP_ALLOW_PRIVATE = config.env_bool(os.environ.get("STATELIGHT_HTTP_ALLOW_PRIVATE"))
# A Step Functions Local MockConfigFile; SFN_MOCK_CONFIG is Step Functions Local's own name for it.
STATELIGHT_MOCK_CONFIG = os.environ.get("STATELIGHT_MOCK_CONFIG") or os.environ.get("SFN_MOCK_CONFIG") or ""
# `manage.py runserver` runs the runtime inside the server process; turn off
# when `manage.py statelight_worker` processes do the work instead.
STATELIGHT_RUNTIME_EMBEDDED = config.env_bool(os.environ.get("STATELIGHT_RUNTIME_EMBEDDED", "1"))
# Threads performing task resources (handlers, HTTP calls) per process.
STATELIGHT_RUNTIME_TASK_THREADS = int(os.environ.get("STATELIGHT_RUNTIME_TASK_THREADS", "8"))
# How often an idle worker looks for work it was not told about (seconds).
STATELIGHT_RUNTIME_POLL_SECONDS = float(os.environ.get("STATELIGHT_RUNTIME_POLL_SECONDS", "0.2"))
# How long a worker's claim on an execution or a running task counts without
# being renewed; a worker killed on another machine is taken over after this.
STATELIGHT_RUNTIME_LEASE_SECONDS = float(os.environ.get("STATELIGHT_RUNTIME_LEASE_SECONDS", "30"))
# This machine's name in worker ids (default: the host name). A worker takes over the work of a
# dead process of its own machine at once; of another machine, when that one's lease runs out.
STATELIGHT_RUNTIME_HOST = os.environ.get("STATELIGHT_RUNTIME_HOST", "")
# How long an EXPRESS execution may run (AWS's quota: 5 minutes); lower it for tests.
STATELIGHT_EXPRESS_MAX_SECONDS = float(os.environ.get("STATELIGHT_EXPRESS_MAX_SECONDS", "300"))

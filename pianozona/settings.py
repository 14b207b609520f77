"""Settings for PianoZona, read from the environment.

Defaults suit a developer's machine (SQLite file, console e-mail, eager Celery). Production sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL; it then passes
``manage.py check --deploy`` with no warnings.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Without SECRET_KEY a development key is used; its "django-insecure-" prefix makes
# `check --deploy` fail (security.W009), so a production deployment cannot miss it.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-dev-only-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "django_ratelimit",
    "django_htmx",
    "bootstrap_italia_template",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "ambiti",
    "tavoli",
    "accordi",
    "risorse",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A rate-limited public form answers with RATELIMIT_VIEW (429), not with a 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "pianozona.urls"
WSGI_APPLICATION = "pianozona.wsgi.application"
ASGI_APPLICATION = "pianozona.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ambiti.context_processors.ruoli",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ambiti.Utente"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accordi:home"
LOGOUT_REDIRECT_URL = "accordi:home"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # signed-out users hold no object permissions

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Bootstrap Italia names files it does not ship, so the manifest storage cannot be used.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # port 465
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PianoZona <noreply@pianozona.local>")

# Celery: without REDIS_URL, tasks run in-process so a laptop needs no broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL

# The cache holds the rate-limit counters of the public forms (django-ratelimit): shared by
# every worker through Redis in production, in-process on a laptop.
# A Redis outage must not fail the pages: ambiti.cache answers as an empty cache (short socket
# timeouts, a warning in the log) and the limits then let requests through (fail open).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "ambiti.cache.RedisCacheTollerante", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATELIMIT_VIEW = "accordi.views_portale.troppe_richieste"
RATELIMIT_FAIL_OPEN = True
# Sign-in: failed attempts allowed per username and per client address in a window (a number
# and a period like django-ratelimit's: "5/15m" is five in fifteen minutes); then refused (429).
PIANOZONA_ACCESSO_LIMITE_UTENTE = os.environ.get("PIANOZONA_ACCESSO_LIMITE_UTENTE", "5/15m")
PIANOZONA_ACCESSO_LIMITE_INDIRIZZO = os.environ.get("PIANOZONA_ACCESSO_LIMITE_INDIRIZZO", "20/h")
# Behind the reverse proxy of docker-compose the client's address is in X-Forwarded-For.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY", "REMOTE_ADDR")
# Without Redis (a laptop, one process) the in-process cache is enough for the limits.
# Django's own RedisCache counts atomically (W001 only says django-ratelimit does not list it).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "concludi-piani-scaduti": {
        "task": "accordi.tasks.concludi_piani_scaduti",
        "schedule": crontab(hour=1, minute=15),
    },
}

# Security: strict when DEBUG is off (production); relaxed for the local demo over plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions read from the shared cache (Redis), written through to the database: a page no longer
# queries the session table, and a session outlives a restart or an eviction of the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline <script>, no event-handler attributes, no style="" attributes, no eval. Images may be
# data: URIs (the QR codes of the sealed acts). Nothing may frame the site (with X_FRAME_OPTIONS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The nonce only reaches the header on pages that use it: the rich-text editor (Trix)
        # inserts its own <style> elements carrying the nonce of <meta name="trix-csp-nonce">.
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],  # Bootstrap Italia's CSS embeds an icon font
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG and env_bool("PIANOZONA_HTTPS", True):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Probes with a forged Host header: the proxy drops them; no traceback per request.
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}

# Upload limit for documents (bytes); used by the document and signature services.
PIANOZONA_MAX_UPLOAD_BYTES = int(os.environ.get("PIANOZONA_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
PIANOZONA_SITE_URL = os.environ.get("PIANOZONA_SITE_URL", "http://127.0.0.1:8000")
# Largest attachment (statute, balance sheet…) a Terzo Settore body may add to an adesione request.
PIANOZONA_ADESIONE_MAX_ALLEGATO = int(os.environ.get("PIANOZONA_ADESIONE_MAX_ALLEGATO", 10 * 1024 * 1024))

# Documents and signatures. The development PKI (python manage.py crea_pki_sviluppo) lives in
# var/pki; production points these at the body's real seal and at its trust roots.
PIANOZONA_PKI_DIR = Path(os.environ.get("PIANOZONA_PKI_DIR", BASE_DIR / "var" / "pki"))
PIANOZONA_SIGILLO_P12 = Path(os.environ.get("PIANOZONA_SIGILLO_P12", PIANOZONA_PKI_DIR / "sigillo.p12"))
PIANOZONA_SIGILLO_PASSPHRASE = os.environ.get("PIANOZONA_SIGILLO_PASSPHRASE", "pianozona-sviluppo")
PIANOZONA_TSA_URL = os.environ.get("PIANOZONA_TSA_URL", "")
PIANOZONA_TRUST_DIR = Path(os.environ.get("PIANOZONA_TRUST_DIR", PIANOZONA_PKI_DIR / "fiducia"))
PIANOZONA_TRUSTED_LIST = os.environ.get("PIANOZONA_TRUSTED_LIST", "")
# In-browser signing with the certificates the development CA issued (clearly labelled as such).
PIANOZONA_FIRMA_DEMO = env_bool("PIANOZONA_FIRMA_DEMO", DEBUG)
PIANOZONA_FIRMA_DEMO_DIR = Path(os.environ.get("PIANOZONA_FIRMA_DEMO_DIR", PIANOZONA_PKI_DIR / "persone"))
PIANOZONA_FIRMA_DEMO_PASSPHRASE = os.environ.get("PIANOZONA_FIRMA_DEMO_PASSPHRASE", "pianozona-sviluppo")
# Acts asked for while the broker was down stay «in coda»: sent again after a few minutes.
PIANOZONA_RIACCODA_DOPO_MINUTI = int(os.environ.get("PIANOZONA_RIACCODA_DOPO_MINUTI", "5"))
CELERY_BEAT_SCHEDULE["riaccoda-documenti-fermi"] = {
    "task": "accordi.tasks.riaccoda_documenti_fermi",
    "schedule": crontab(minute="*/5"),
}
# Fault tests only (a worker killed in the middle of a PDF): seconds to wait before rendering.
PIANOZONA_RITARDO_GENERAZIONE_TEST = float(os.environ.get("PIANOZONA_RITARDO_GENERAZIONE_TEST", "0"))
# A task whose worker died (kill -9, out of memory) goes back to the queue once this many
# seconds have passed without an acknowledgement (Redis broker; default one hour). Longer than
# any task, countdowns of retries included. kombu looks for such tasks every
# unacked_restore_interval seconds but, by default, scans Redis only on every tenth look
# (about every 100 s): a scan at each look (every 10 s, at most the timeout) is cheap and
# sends the task back on time.
_VISIBILITA = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITA,
    "unacked_restore_interval": max(1, min(10, _VISIBILITA)),
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE["promemoria-firme"] = {
    "task": "accordi.tasks.promemoria_firme",
    "schedule": crontab(hour=8, minute=30),
}
# A union that did not give its parere by the deadline is recorded as silent.
CELERY_BEAT_SCHEDULE["segna-silenzi-sindacati"] = {
    "task": "accordi.tasks_consultazione.segna_silenzi",
    "schedule": crontab(minute="*/15"),
}
# Registrations of Terzo Settore bodies not confirmed within seven days are deleted.
CELERY_BEAT_SCHEDULE["elimina-registrazioni-scadute"] = {
    "task": "accordi.tasks_portale.elimina_registrazioni_scadute",
    "schedule": crontab(hour=3, minute=40),
}

# Wiring between apps: the Assemblea (tavoli) issues its acts through the document service of
# accordi without importing it (imports run accordi -> tavoli, never back).
PIANOZONA_RICHIEDI_ATTO = "accordi.services_documenti.atto_richiedi"
# Demo data of the apps that build on accordi's demo plans, loaded after them by `manage.py demo`.
PIANOZONA_DEMO_ESTENSIONI = ["risorse.demo.carica_demo_risorse"]

# The open REST API (risorse/api): read-only JSON. A token (``manage.py drf_create_token``) or
# the browser's session authenticates; TokenAuthentication comes first so that an anonymous
# call to a private endpoint gets 401 with ``WWW-Authenticate: Token``. Anonymous use is
# throttled per client address in the shared cache (the same address django-ratelimit reads).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "risorse.api.paginazione.Paginazione",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "risorse.api.permessi.LimiteAnonimi",
        "risorse.api.permessi.LimiteUtenti",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonimi": os.environ.get("PIANOZONA_API_LIMITE_ANONIMI", "60/minute"),
        "utenti": os.environ.get("PIANOZONA_API_LIMITE_UTENTI", "600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PianoZona – API aperta",
    "DESCRIPTION": (
        "Accesso in sola lettura agli ambiti territoriali, ai Piani di Zona e al loro iter, agli "
        "Accordi di Programma e ai loro aderenti, al quadro delle risorse. Gli endpoint sotto "
        "/pubblico/ e /ambiti/ non richiedono autenticazione e mostrano solo dati pubblici (piani "
        "approvati, Accordi in vigore); gli altri richiedono un token (intestazione "
        "«Authorization: Token …») e rispettano gli stessi permessi delle pagine riservate. "
        "Gli importi sono in centesimi di euro (interi) e in euro (stringa decimale)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatoPiano": "accordi.models.piano.Stato",
        "StatoAdesione": "accordi.models.adesioni.StatoAdesione",
    },
    # Swagger UI and Redoc served from the vendored assets of drf-spectacular-sidecar: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Without deep links: they put a link inside each operation's toggle button, a control nested
    # in another that keyboards and screen readers cannot reach (WCAG 4.1.2).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
}

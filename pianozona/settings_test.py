"""Test settings: the production settings with HTTPS-only cookies off (the test servers speak
plain HTTP) and a fast password hasher."""

import os

from .settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# One folder per pytest-xdist worker: two workers number their acts alike and must not share files.
MEDIA_ROOT = BASE_DIR / "var" / f"test-media-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"  # noqa: F405
# Static files straight from the finders: no collectstatic before the tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Rate-limit counters per test process, never shared with a running instance through Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

"""Production settings (DEBUG off, a real SECRET_KEY, HTTPS behind the proxy): Django's deployment
checklist passes with no warning, cookies are Secure, HttpOnly (the session's) and SameSite=Lax,
HSTS is on for a year with subdomains, and a page served over HTTPS carries them all."""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

RADICE = Path(__file__).resolve().parents[2]
# variables of the test run that a deployment never sets
ESCLUSE = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "ALLOWED_HOSTS",
           "DATABASE_URL", "REDIS_URL", "PIANOZONA_HTTPS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}


def _chiave() -> str:
    alfabeto = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alfabeto) for _ in range(50))


def _produzione(**altro) -> dict[str, str]:
    ambiente = {k: v for k, v in os.environ.items() if k not in ESCLUSE}
    ambiente.update(DEBUG="false", SECRET_KEY=_chiave(), ALLOWED_HOSTS="example.org",
                    DJANGO_SETTINGS_MODULE="pianozona.settings", DATABASE_URL="sqlite://:memory:")
    ambiente.update(altro)
    return ambiente


def _python(codice: str, ambiente: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", codice], cwd=RADICE, env=ambiente, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def impostazioni() -> dict:
    codice = ("import json, django; django.setup()\n"
              "from django.conf import settings as s\n"
              "nomi = ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',\n"
              "        'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS',\n"
              "        'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER',\n"
              "        'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'MIDDLEWARE',\n"
              "        'PIANOZONA_FIRMA_DEMO']\n"
              "print(json.dumps({n: getattr(s, n) for n in nomi}))")
    esito = _python(codice, _produzione())
    assert esito.returncode == 0, esito.stderr
    return json.loads(esito.stdout)


def test_check_deploy_senza_avvisi_con_le_impostazioni_di_produzione():
    esito = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                           cwd=RADICE, env=_produzione(), capture_output=True, text=True, timeout=120)
    assert esito.returncode == 0, esito.stdout + esito.stderr
    assert "System check identified no issues" in esito.stdout


def test_check_deploy_segnala_il_debug_acceso():
    esito = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                           cwd=RADICE, env=_produzione(DEBUG="true"), capture_output=True, text=True, timeout=120)
    assert esito.returncode != 0
    assert "security.W018" in esito.stdout + esito.stderr


def test_in_produzione_debug_spento_e_firma_dimostrativa_disattiva(impostazioni):
    assert impostazioni["DEBUG"] is False
    assert impostazioni["PIANOZONA_FIRMA_DEMO"] is False


def test_cookie_sicuri_in_produzione(impostazioni):
    assert impostazioni["SESSION_COOKIE_SECURE"] is True
    assert impostazioni["CSRF_COOKIE_SECURE"] is True
    assert impostazioni["SESSION_COOKIE_HTTPONLY"] is True
    assert impostazioni["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert impostazioni["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_https_obbligatorio_e_hsts_per_un_anno(impostazioni):
    assert impostazioni["SECURE_SSL_REDIRECT"] is True
    assert impostazioni["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert impostazioni["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert impostazioni["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_intestazioni_di_sicurezza_e_csp_attive(impostazioni):
    assert impostazioni["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert impostazioni["X_FRAME_OPTIONS"] == "DENY"
    assert impostazioni["SECURE_REFERRER_POLICY"] == "same-origin"
    assert "csp.middleware.CSPMiddleware" in impostazioni["MIDDLEWARE"]
    assert impostazioni["MIDDLEWARE"][0] == "django.middleware.security.SecurityMiddleware"


def test_una_pagina_servita_in_https_porta_cookie_e_intestazioni_sicure():
    """The sign-in page, asked through the proxy over HTTPS, with the production settings."""
    codice = (
        "import json, django; django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "c = Client(HTTP_HOST='example.org', HTTP_X_FORWARDED_PROTO='https')\n"
        "r = c.get('/account/accedi/')\n"
        "piano = Client(HTTP_HOST='example.org').get('/account/accedi/')\n"
        "k = r.cookies['csrftoken']\n"
        "print(json.dumps({'stato': r.status_code, 'hsts': r.get('Strict-Transport-Security'),\n"
        "  'csp': r.get('Content-Security-Policy'), 'secure': bool(k['secure']), 'samesite': k['samesite'],\n"
        "  'nosniff': r.get('X-Content-Type-Options'), 'frame': r.get('X-Frame-Options'),\n"
        "  'http': piano.status_code, 'verso': piano.get('Location')}))\n"
    )
    esito = _python(codice, _produzione())
    assert esito.returncode == 0, esito.stderr
    r = json.loads(esito.stdout.strip().splitlines()[-1])
    assert r["stato"] == 200
    assert r["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in r["csp"] and "frame-ancestors 'none'" in r["csp"]
    assert r["secure"] is True and r["samesite"] == "Lax"
    assert r["nosniff"] == "nosniff" and r["frame"] == "DENY"
    # plain HTTP is redirected to HTTPS
    assert r["http"] == 301 and r["verso"] == "https://example.org/account/accedi/"

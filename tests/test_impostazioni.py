"""Production settings pass Django's deployment checklist; a forgotten SECRET_KEY does not."""

import os
import subprocess
import sys
from pathlib import Path

RADICE = Path(__file__).resolve().parents[1]


def _check_deploy(**env):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests; a deployment never sets it.
    via = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    ambiente = {k: v for k, v in os.environ.items() if k not in via}
    ambiente.update(env, DJANGO_SETTINGS_MODULE="pianozona.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=RADICE, env=ambiente, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_senza_avvisi_in_produzione():
    esito = _check_deploy(DEBUG="false", SECRET_KEY="k" * 20 + "Zq8#xP1!vR5@mN3$tL7^wB9&cD2*" + "y" * 10,
                          ALLOWED_HOSTS="pianozona.comune.pv.it")
    assert esito.returncode == 0, esito.stdout + esito.stderr
    assert "no issues" in esito.stdout


def test_check_deploy_segnala_la_chiave_mancante():
    esito = _check_deploy(DEBUG="false", ALLOWED_HOSTS="pianozona.comune.pv.it")
    assert esito.returncode != 0
    assert "security.W009" in esito.stdout + esito.stderr

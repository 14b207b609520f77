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



def test_a_worker_knows_every_task_module_of_the_apps():
    """A worker discovers tasks by module name: every ``tasks*.py`` of the apps must be found
    (in a fresh interpreter, as a worker starts), or its messages would be rejected as
    unregistered."""
    moduli = {f"{p.parent.name}.{p.stem}" for app_dir in ("ambiti", "accordi", "tavoli", "risorse")
              for p in (RADICE / app_dir).glob("tasks*.py")}
    codice = ("import django; django.setup()\n"
              "from pianozona.celery import app\n"
              "app.loader.import_default_modules()\n"
              "print('\\n'.join(sorted({n.rsplit('.', 1)[0] for n in app.tasks if not n.startswith('celery.')})))")
    ambiente = dict(os.environ, DJANGO_SETTINGS_MODULE="pianozona.settings", DEBUG="true")
    esito = subprocess.run([sys.executable, "-c", codice], cwd=RADICE, env=ambiente, capture_output=True,
                           text=True, timeout=120)
    assert esito.returncode == 0, esito.stderr
    assert moduli and moduli <= set(esito.stdout.split())

"""Load test: gunicorn + PostgreSQL with the national-scale data, under locust on loopback.

    .venv/bin/python benchmarks/bench_carico.py [--utenti 50] [--durata 5m]
    .venv/bin/python benchmarks/bench_carico.py --utenti 5 --durata 30s     # a quick check

The database is DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/pianozona_bench_scala;
its name must contain "bench" (the script writes the national dataset, see genera_dati_scala,
and a few users into it). gunicorn runs with production-like settings (DEBUG off, a random
SECRET_KEY, Redis for the cache on database index 3 of REDIS_URL's server) and two workers;
plain HTTP on loopback, so PIANOZONA_HTTPS=false. The limits of the sign-in and of the API
are raised: here 50 users come from one address.

The scenario is benchmarks/locustfile.py (anonymous citizens, a regional officer, an Ufficio
di Piano; think time 1–3 s). During the run the resident memory (RSS) of gunicorn's workers is
read every 10 s. Exit status 1 if any request failed (an answer not 2xx/3xx, or a page that
sends to the login form), with the failures printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess  # nosec B404 - starts gunicorn and locust from this virtualenv
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from macchina import cpu_model, ram_gib  # noqa: E402  (benchmarks/, beside this script)

DB_PREDEFINITO = "postgres://postgres@127.0.0.1:5432/pianozona_bench_scala"
REDIS_PREDEFINITO = "redis://127.0.0.1:6379/3"
BIN = Path(sys.executable).parent
PASSWORD = "carico-" + secrets.token_urlsafe(12)


def _ambiente(database_url: str, redis_url: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "pianozona.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PIANOZONA_HTTPS": "false",
        "SECURE_SSL_REDIRECT": "false",
        "PIANOZONA_ACCESSO_LIMITE_UTENTE": "100000/m",
        "PIANOZONA_ACCESSO_LIMITE_INDIRIZZO": "100000/m",
        "PIANOZONA_API_LIMITE_ANONIMI": "1000000/minute",
        "PIANOZONA_API_LIMITE_UTENTI": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    })
    return env


def _prepara(env: dict) -> dict:
    """Dataset, users with a password, the URLs of the scenario. Runs in this process."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from accordi.models import CicloProgrammazione, PianoDiZona, Stato
    from accordi.selectors import piani_pubblici
    from ambiti.models import Ambito, Incarico, Provincia, Regione, Utente
    from ambiti.services import incarico_assegna
    from risorse import scala as generatore
    from risorse.scala import PREFISSO_AMBITO, PREFISSO_UTENTE

    call_command("migrate", verbosity=0)
    inizio = time.perf_counter()
    esito = generatore.genera(scala=1.0)
    if not esito.gia_presenti:
        print(f"Dati generati in {time.perf_counter() - inizio:.1f} s.")
    print("Dati: " + ", ".join(f"{k} {v:,}".replace(",", ".") for k, v in esito.conteggi.items()))

    regione = Regione.objects.annotate(n=Count("asl__ambiti")).order_by("-n", "pk").first()
    ufficiale = Incarico.objects.filter(ruolo=Incarico.Ruolo.OPERATORE_REGIONALE, regione=regione,
                                        utente__username__startswith=PREFISSO_UTENTE).first().utente
    ambito = (Ambito.objects.filter(codice__startswith=PREFISSO_AMBITO, asl__regione=regione)
              .annotate(n=Count("comuni")).order_by("-n", "pk").first())
    udp, _creato = Utente.objects.get_or_create(username=f"{PREFISSO_UTENTE}udp.carico",
                                                defaults={"first_name": "Ufficio", "last_name": "di Piano"})
    if not Incarico.objects.filter(utente=udp, ruolo=Incarico.Ruolo.RESPONSABILE_UDP, ambito=ambito).exists():
        incarico_assegna(utente=udp, ruolo=Incarico.Ruolo.RESPONSABILE_UDP, ambito=ambito,
                         dal=datetime.date(2019, 1, 1))
    for utente in (ufficiale, udp):
        utente.set_password(PASSWORD)
        utente.is_active = True
        utente.save(update_fields=["password", "is_active"])

    piani_ambito = PianoDiZona.objects.filter(ambiti=ambito).exclude(stato=Stato.ANNULLATO)
    piano = (piani_ambito.filter(vigente_dal__isnull=False).order_by("-vigente_dal", "pk").first()
             or piani_ambito.order_by("-pk").first())
    pubblico = piani_pubblici().filter(ambiti=ambito).order_by("-vigente_dal", "pk").first() or piani_pubblici().first()
    provincia = Provincia.objects.filter(regione=regione, comuni__ambiti=ambito).first()
    ciclo_prec = CicloProgrammazione.objects.filter(regione=regione).order_by("-anno_inizio")[1]
    print(f"Regione {regione.nome} ({regione.n} ambiti), ambito {ambito.codice} ({ambito.n} comuni), "
          f"piano {piano.pk} ({piano.stato}), piano pubblico {pubblico.pk}")

    # Static files for whitenoise (production serves them from STATIC_ROOT).
    from django.conf import settings
    if not Path(settings.STATIC_ROOT).is_dir() or not any(Path(settings.STATIC_ROOT).iterdir()):
        print("collectstatic…")
        call_command("collectstatic", interactive=False, verbosity=0)

    return {
        "utenti": {"regione": {"username": ufficiale.username, "password": PASSWORD},
                   "udp": {"username": udp.username, "password": PASSWORD}},
        "anonimo": {
            "home": "/", "piani_pubblici": "/pubblico/piani/", "piano_pubblico": f"/pubblico/piani/{pubblico.pk}/",
            "accordi_vigenti": "/pubblico/accordi/", "portale": "/terzo-settore/",
            "api": ["/api/v1/pubblico/piani/", "/api/v1/pubblico/accordi/", "/api/v1/ambiti/"],
        },
        "regione": {
            "scrivania": "/", "cruscotto_regionale": "/regione/cruscotto/",
            "cruscotto_regionale_filtri": (f"/regione/cruscotto/?ciclo={ciclo_prec.pk}&provincia={provincia.pk}"
                                           "&tipo=consuntivo&ordine=quota"),
            "cruscotto_ambito": f"/ambiti/{ambito.pk}/cruscotto/", "piani": "/piani/", "piano": f"/piani/{piano.pk}/",
        },
        "udp": {"piano": f"/piani/{piano.pk}/", "quadro": f"/piani/{piano.pk}/risorse/",
                "monitoraggio": f"/piani/{piano.pk}/monitoraggio/"},
    }


def _porta_libera() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _aspetta(porta: int, processo: subprocess.Popen, secondi: float = 60) -> None:
    fine = time.monotonic() + secondi
    while time.monotonic() < fine:
        if processo.poll() is not None:
            raise SystemExit(f"gunicorn è uscito con codice {processo.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", porta), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn non risponde")


def _rss_mib(pid: int) -> float | None:
    try:
        for riga in Path(f"/proc/{pid}/status").read_text().splitlines():
            if riga.startswith("VmRSS:"):
                return int(riga.split()[1]) / 1024
    except OSError:
        return None
    return None


def _lavoratori(master: int) -> list[int]:
    try:
        figli = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(p) for p in figli)


class Campionatore(threading.Thread):
    """RSS of every gunicorn worker and the load average, every `passo` seconds."""

    def __init__(self, master: int, passo: float = 10):
        super().__init__(daemon=True)
        self.master, self.passo = master, passo
        self.rss: dict[int, list[tuple[float, float]]] = {}  # pid → [(seconds from the start, MiB)]
        self.carico: list[float] = []
        self.fermo = threading.Event()
        self.inizio = time.monotonic()

    def campiona(self):
        adesso = time.monotonic() - self.inizio
        for pid in _lavoratori(self.master):
            valore = _rss_mib(pid)
            if valore is not None:
                self.rss.setdefault(pid, []).append((adesso, valore))
        self.carico.append(os.getloadavg()[0])

    def run(self):
        self.campiona()
        while not self.fermo.wait(self.passo):
            self.campiona()

    def ferma(self):
        self.fermo.set()
        self.join()
        self.campiona()


def _leggi_csv(percorso: Path) -> list[dict]:
    if not percorso.exists():
        return []
    with percorso.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utenti", type=int, default=50, help="utenti simultanei (50)")
    parser.add_argument("--durata", default="5m", help="durata, come per locust: 30s, 5m… (5m)")
    parser.add_argument("--ritmo", type=float, default=10, help="utenti avviati al secondo (10)")
    parser.add_argument("--lavoratori", type=int, default=2, help="worker di gunicorn (2)")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DB_PREDEFINITO)
    import dj_database_url

    nome = str(dj_database_url.parse(database_url)["NAME"])
    if "bench" not in nome:
        print(f"DATABASE_URL punta al database «{nome}»: il benchmark vi scrive un intero dataset "
              "nazionale, quindi accetta solo database con «bench» nel nome.", file=sys.stderr)
        return 2
    redis_url = os.environ.get("PIANOZONA_CARICO_REDIS_URL", REDIS_PREDEFINITO)
    env = _ambiente(database_url, redis_url)
    config = _prepara(env)

    cartella = Path(tempfile.mkdtemp(prefix="pianozona-carico-"))
    (cartella / "config.json").write_text(json.dumps(config), encoding="utf-8")
    env["PIANOZONA_CARICO_CONFIG"] = str(cartella / "config.json")
    porta = _porta_libera()
    gunicorn = subprocess.Popen(  # nosec B603 - fixed arguments
        [str(BIN / "gunicorn"), "pianozona.wsgi:application", "--bind", f"127.0.0.1:{porta}",
         "--workers", str(args.lavoratori), "--timeout", "60", "--error-logfile", str(cartella / "gunicorn.log")],
        cwd=ROOT, env=env)
    try:
        _aspetta(porta, gunicorn)
        time.sleep(1)
        campioni = Campionatore(gunicorn.pid)
        campioni.start()
        comando = [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
                   "-u", str(args.utenti), "-r", str(args.ritmo), "-t", args.durata,
                   "--host", f"http://127.0.0.1:{porta}", "--csv", str(cartella / "carico"),
                   "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"]
        print(f"gunicorn su 127.0.0.1:{porta} ({args.lavoratori} worker); locust: {args.utenti} utenti per "
              f"{args.durata}; file in {cartella}", flush=True)
        inizio = time.monotonic()
        locust = subprocess.run(comando, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,  # nosec B603
                                stderr=open(cartella / "locust.log", "w"))
        durata = time.monotonic() - inizio
        campioni.ferma()
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
    return _rapporto(cartella, campioni, args, durata, locust.returncode)


def _rapporto(cartella: Path, campioni: Campionatore, args, durata: float, codice_locust: int) -> int:
    import django
    from django.db import connection

    statistiche = _leggi_csv(cartella / "carico_stats.csv")
    errori = _leggi_csv(cartella / "carico_failures.csv")
    eccezioni = _leggi_csv(cartella / "carico_exceptions.csv")
    connection.ensure_connection()
    numero = connection.cursor().connection.info.server_version
    carico = campioni.carico
    print(f"\nData: {datetime.date.today():%Y-%m-%d}")
    print(f"Macchina: {os.cpu_count()} CPU, {cpu_model()}, {ram_gib()} di RAM, {platform.system()} "
          f"{platform.release()} {platform.machine()}, Python {platform.python_version()}, "
          f"Django {django.get_version()}, PostgreSQL {numero // 10000}.{numero % 10000}")
    if carico:
        print(f"Load average (1 min) durante la prova: media {sum(carico) / len(carico):.2f}, "
              f"max {max(carico):.2f}")
    print(f"Utenti {args.utenti}, durata {args.durata} ({durata:.0f} s con avvio e arresto), "
          f"gunicorn {args.lavoratori} worker\n")
    print(f"{'Gruppo di pagine':<44} {'richieste':>9} {'errori':>6} {'req/s':>7} {'p50':>6} {'p95':>6} "
          f"{'p99':>6} {'max':>6}  (ms)")
    for riga in statistiche:
        nome = riga["Name"] if riga["Name"] != "Aggregated" else "Totale"
        if nome == "Totale":
            print("-" * 100)
        print(f"{nome:<44} {int(riga['Request Count']):>9} {int(riga['Failure Count']):>6} "
              f"{float(riga['Requests/s']):>7.2f} {riga['50%']:>6} {riga['95%']:>6} {riga['99%']:>6} "
              f"{float(riga['Max Response Time']):>6.0f}")
    # A worker imports most of the project at its first requests: the memory it reaches after the
    # first minute is the baseline that must stay flat, not the idle figure before the load.
    print("\nMemoria dei worker di gunicorn (RSS, MiB, un campione ogni 10 s): a riposo, dopo il "
          "primo minuto, fine, max; deriva = fine − dopo il primo minuto")
    for pid, campioni_pid in sorted(campioni.rss.items()):
        valori = [v for _t, v in campioni_pid]
        caldo = next((v for t, v in campioni_pid if t >= 60), valori[-1])
        print(f"  worker {pid}: a riposo {valori[0]:.1f}, dopo 1 min {caldo:.1f}, fine {valori[-1]:.1f}, "
              f"max {max(valori):.1f}, deriva {valori[-1] - caldo:+.1f} ({len(valori)} campioni)")
    totale = next((r for r in statistiche if r["Name"] == "Aggregated"), None)
    fallite = int(totale["Failure Count"]) if totale else -1
    if errori or eccezioni or fallite != 0 or codice_locust != 0:
        print(f"\nRichieste fallite: {fallite} (locust è uscito con {codice_locust})", file=sys.stderr)
        for riga in errori:
            print(f"  {riga['Method']} {riga['Name']}: {riga['Error']} ×{riga['Occurrences']}", file=sys.stderr)
        for riga in eccezioni:
            print(f"  eccezione ×{riga['Count']}: {riga['Message']}", file=sys.stderr)
        print(f"  (log: {cartella}/locust.log, {cartella}/gunicorn.log)", file=sys.stderr)
        return 1
    print("\nNessuna richiesta fallita.")
    shutil.rmtree(cartella, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

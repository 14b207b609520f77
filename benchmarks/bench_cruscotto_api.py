"""Benchmark of the dashboards and the API list endpoints on a national-scale dataset, against a
bare Django view that reads one row, in the same run on the same machine.

    .venv/bin/python benchmarks/bench_cruscotto_api.py [--runs N] [--scala S] [--redis URL] [--profilo]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pianozona_bench_scala \\
        .venv/bin/python benchmarks/bench_cruscotto_api.py --redis redis://127.0.0.1:6379/3

Without DATABASE_URL it works on a SQLite file kept in /tmp (/tmp/pianozona-bench-scala/), so
that the dataset is generated once (``migrate`` + ``genera_dati_scala``, about 20 s) and reused
by the next runs. With DATABASE_URL the database name must contain "bench": the script writes
a national dataset and test users into it.

Every page goes through Django's test Client and the whole middleware stack (session, locale,
CSRF, authentication…), the bare view too, so that the ratio measures the page's own work.
The pages are timed in turns (bare, page 1, page 2, … then again), so that a change of load
on the machine touches them all alike; queries are counted in a separate request
(CaptureQueriesContext forces the debug cursor, which costs time). Goal: each page within 3×
the bare view, and a number of queries that does not grow with the data.

Dashboards and lists are cached (risorse/cache_pagine.py): each is timed as it is read again,
and again right after a change of the data (marked "dopo una modifica": a change of every
family of models is signalled, untimed, before the first of them in each round, and they all
come last in the round); the lists also after a row of a quadro delle risorse of the region
is saved ("dopo una voce del quadro": the money's family and the region move), the dashboards
after one of another region ("dopo una voce in un'altra regione"). The
cache is in memory unless --redis names a Redis database, as in production (the script writes
its entries there; they expire within a minute).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from macchina import cpu_model, ram_gib  # noqa: E402  (benchmarks/, beside this script)

os.environ["DJANGO_SETTINGS_MODULE"] = "pianozona.settings_test"
# The API's throttles would answer 429 after a few hundred requests: not what is measured.
os.environ.setdefault("PIANOZONA_API_LIMITE_ANONIMI", "1000000/minute")
os.environ.setdefault("PIANOZONA_API_LIMITE_UTENTI", "1000000/minute")
SQLITE_PREDEFINITO = Path("/tmp/pianozona-bench-scala/bench.sqlite3")
SENZA_CACHE = "– dopo una modifica"
DOPO_IL_QUADRO = "– dopo una voce del quadro"
DOPO_ALTRA_REGIONE = "– dopo una voce in un'altra regione"
# What a change of the data does to the cache (bumps the data versions): run, untimed, in each
# round before the first of the pages marked with the suffix. SENZA_CACHE: a change of every
# family of models in every region, so that the pages compute everything; DOPO_IL_QUADRO: a
# row of a quadro delle risorse of the measured region saved, which the lists that do not show
# money survive; DOPO_ALTRA_REGIONE: the same in another region, which the dashboards survive.
MODIFICHE: dict[str, list] = {DOPO_IL_QUADRO: [], DOPO_ALTRA_REGIONE: [], SENZA_CACHE: []}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="richieste misurate per pagina (20)")
    parser.add_argument("--scala", type=float, default=1.0, help="scala dei dati se vanno generati (1)")
    parser.add_argument("--redis", metavar="URL",
                        help="cache su Redis (come in produzione) invece che in memoria, per esempio "
                             "redis://127.0.0.1:6379/3")
    parser.add_argument("--profilo", action="store_true",
                        help="profila con cProfile le pagine ricalcolate dopo una modifica dei dati")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        import dj_database_url

        nome = str(dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"])
        if "bench" not in nome:
            print(f"DATABASE_URL punta al database «{nome}»: il benchmark vi scrive un intero dataset "
                  "nazionale, quindi accetta solo database con «bench» nel nome.", file=sys.stderr)
            return 2
    else:
        SQLITE_PREDEFINITO.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PREDEFINITO}"
    return run(args)


def _urlconf():
    """The project's URLs plus the bare view (one row read, a few bytes of text) and, to tell
    the page's own cost from the site's frame, the same row in an empty page of the site
    (``base.html``: header, menu with the user's roles, footer)."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import include, path

    from ambiti.models import Regione

    def riga(request):
        regione = Regione.objects.only("nome").order_by("pk").first()
        return HttpResponse(regione.nome, content_type="text/plain; charset=utf-8")

    pagina = engines["django"].from_string(
        '{% extends "base.html" %}{% block content %}<h1>{{ regione.nome }}</h1>{% endblock %}')

    def riga_in_pagina(request):
        regione = Regione.objects.only("nome").order_by("pk").first()
        return HttpResponse(pagina.render({"regione": regione}, request))

    modulo = types.ModuleType("bench_urlconf")
    modulo.urlpatterns = [path("bench/riga/", riga), path("bench/pagina/", riga_in_pagina),
                          path("", include(settings.ROOT_URLCONF))]
    sys.modules["bench_urlconf"] = modulo
    return "bench_urlconf"


def _prepara(scala: float):
    from django.core.management import call_command

    from risorse import scala as generatore

    call_command("migrate", verbosity=0)
    inizio = time.perf_counter()
    esito = generatore.genera(scala=scala)
    if not esito.gia_presenti:
        print(f"Dati generati in {time.perf_counter() - inizio:.1f} s (scala {scala}).")
    print("Dati: " + ", ".join(f"{k} {v:,}".replace(",", ".") for k, v in esito.conteggi.items()))


def _utenti():
    """The regional officer of the region with most ambiti, and the Ufficio di Piano of its
    ambito with most Comuni (created once; they only log in through force_login)."""
    from django.db.models import Count

    from ambiti.models import Ambito, Incarico, Regione, Utente
    from ambiti.services import incarico_assegna
    from risorse.scala import PREFISSO_AMBITO, PREFISSO_UTENTE

    generati = Ambito.objects.filter(codice__startswith=PREFISSO_AMBITO)
    regione = Regione.objects.annotate(n=Count("asl__ambiti")).order_by("-n", "pk").first()
    ufficiale = Incarico.objects.filter(ruolo=Incarico.Ruolo.OPERATORE_REGIONALE, regione=regione,
                                        utente__username__startswith=PREFISSO_UTENTE).first().utente
    ambito = (generati.filter(asl__regione=regione).annotate(n=Count("comuni")).order_by("-n", "pk").first())
    udp, _creato = Utente.objects.get_or_create(username=f"{PREFISSO_UTENTE}udp.bench",
                                                defaults={"first_name": "Ufficio", "last_name": "di Piano"})
    incarico_assegna(utente=udp, ruolo=Incarico.Ruolo.RESPONSABILE_UDP, ambito=ambito,
                     dal=datetime.date(2019, 1, 1))
    return regione, ufficiale, ambito, udp


def _pagine(regione, ufficiale, ambito, udp):
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from accordi.models import CicloProgrammazione
    from ambiti.models import Provincia

    def cliente(utente=None):
        c = Client()
        if utente is not None:
            c.force_login(utente)
        return c

    c_ufficiale, c_udp, c_anonimo = cliente(ufficiale), cliente(udp), cliente()
    provincia = Provincia.objects.filter(regione=regione, comuni__ambiti=ambito).first()
    ciclo_prec = CicloProgrammazione.objects.filter(regione=regione).order_by("-anno_inizio")[1]
    pagine = [("Vista minima (una riga)", c_ufficiale, "/bench/riga/"),
              ("Pagina vuota del sito (base.html, una riga)", c_ufficiale, "/bench/pagina/")]
    # Dashboards and lists are cached: also time them right after a change of the data (what a
    # write does to the cache's keys; where it lived in earlier versions, for comparisons).
    try:
        from risorse.versioni import dati_cambiati
    except ImportError:
        try:
            from risorse.selectors_cruscotti import _dati_cambiati as dati_cambiati
        except ImportError:
            dati_cambiati = None
    cruscotti = []
    try:
        regionale = reverse("risorse:cruscotto_regionale")
        cruscotti = [
            (f"Cruscotto regionale ({regione.nome}, {regione.n} ambiti)", c_ufficiale, regionale),
            (f"Cruscotto regionale, {provincia.sigla} e ciclo prec.", c_ufficiale,
             f"{regionale}?ciclo={ciclo_prec.pk}&provincia={provincia.pk}&tipo=consuntivo&ordine=quota"),
            (f"Cruscotto d'ambito ({ambito.comuni.count()} comuni)", c_udp,
             reverse("risorse:cruscotto_ambito", args=[ambito.pk])),
        ]
    except NoReverseMatch:
        print("Cruscotti non ancora presenti negli URL: misurate solo le liste dell'API.")
    liste = [
        ("API /api/v1/ambiti/ (anonimo)", c_anonimo, "/api/v1/ambiti/"),
        ("API /api/v1/pubblico/piani/ (anonimo)", c_anonimo, "/api/v1/pubblico/piani/"),
        ("API /api/v1/pubblico/accordi/ (anonimo)", c_anonimo, "/api/v1/pubblico/accordi/"),
        ("API /api/v1/piani/ (operatore regionale)", c_ufficiale, "/api/v1/piani/"),
    ]
    pagine += cruscotti + liste
    if dati_cambiati is not None:  # last in each round: the change comes before the first of them
        try:  # versions per family of models and per region
            from risorse.versioni import righe_cambiate
        except ImportError:
            pass
        else:
            from risorse.models import VoceRisorsa

            voce_qui = VoceRisorsa.objects.filter(piano__ciclo__regione=regione).first()
            voce_altrove = VoceRisorsa.objects.exclude(piano__ciclo__regione=regione).first()
            # the other region first: the region's own row changes its dashboards' version
            pagine += [(f"{nome} {DOPO_ALTRA_REGIONE}", c, url) for nome, c, url in cruscotti]
            MODIFICHE[DOPO_ALTRA_REGIONE].append(lambda: righe_cambiate(VoceRisorsa, [voce_altrove]))
            pagine += [(f"{nome} {DOPO_IL_QUADRO}", c, url) for nome, c, url in liste]
            MODIFICHE[DOPO_IL_QUADRO].append(lambda: righe_cambiate(VoceRisorsa, [voce_qui]))
        pagine += [(f"{nome} {SENZA_CACHE}", c, url) for nome, c, url in cruscotti + liste]
        MODIFICHE[SENZA_CACHE].append(dati_cambiati)
    return pagine


def _segnala_prima_di(pagine) -> dict[str, list]:
    """The changes to signal before each page: those of its group, before the group's first."""
    prima: dict[str, list] = {}
    for suffisso, segnali in MODIFICHE.items():
        primo = next((nome for nome, _c, _u in pagine if nome.endswith(suffisso)), None)
        if primo is not None:
            prima[primo] = segnali
    return prima


def _misura(pagine, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tempi = {nome: [] for nome, _c, _u in pagine}
    for nome, client, url in pagine:  # warm up: templates, URL resolver, the database's cache
        for _ in range(2):
            risposta = client.get(url)
            if risposta.status_code != 200:
                raise SystemExit(f"{nome}: {url} risponde {risposta.status_code}")
    # One change before the first of a group invalidates what it touches (the group's pages follow
    # each other, after the cached pages): each is computed once, and read from the cache in the
    # next round.
    prima = _segnala_prima_di(pagine)
    for _ in range(runs):
        for nome, client, url in pagine:
            for segnala in prima.get(nome, ()):
                segnala()
            inizio = time.perf_counter()
            client.get(url)
            tempi[nome].append((time.perf_counter() - inizio) * 1000)
    query, dimensioni = {}, {}
    for nome, client, url in pagine:
        for segnala in prima.get(nome, ()):
            segnala()
        with CaptureQueriesContext(connection) as q:
            risposta = client.get(url)
        query[nome], dimensioni[nome] = len(q), len(risposta.content)
    return tempi, query, dimensioni


def _profila(pagine):
    import cProfile
    import io
    import pstats

    # the pages computed after a change of the data: what a cached page costs is in the timings
    for nome, client, url in pagine:
        if not nome.endswith(SENZA_CACHE):
            continue
        profilo = cProfile.Profile()
        for _ in range(5):
            for segnala in MODIFICHE[SENZA_CACHE]:
                segnala()
            profilo.enable()
            client.get(url)
            profilo.disable()
        for ordine in ("cumulative", "tottime"):
            testo = io.StringIO()
            pstats.Stats(profilo, stream=testo).sort_stats(ordine).print_stats(35)
            print(f"\n== Profilo: {nome} (5 richieste, per {ordine}) ==")
            print("\n".join(testo.getvalue().splitlines()[:75]))


def run(args) -> int:
    import django

    django.setup()
    from django.conf import settings

    if args.redis:  # before the first use of the cache, which reads the setting then
        settings.CACHES = {"default": {"BACKEND": "ambiti.cache.RedisCacheTollerante", "LOCATION": args.redis}}
    from django.core.cache import caches
    from django.db import connection
    from django.urls import clear_url_caches

    _prepara(args.scala)
    settings.ROOT_URLCONF = _urlconf()
    clear_url_caches()
    regione, ufficiale, ambito, udp = _utenti()
    pagine = _pagine(regione, ufficiale, ambito, udp)
    tempi, query, dimensioni = _misura(pagine, args.runs)

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        versione_db = f"SQLite {connection.Database.sqlite_version}"
    else:
        numero = connection.cursor().connection.info.server_version  # 150020 → 15.20
        versione_db = f"PostgreSQL {numero // 10000}.{numero % 10000}"
    carico = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Data: {datetime.date.today():%Y-%m-%d}")
    print(f"Macchina: {os.cpu_count()} CPU, {cpu_model()}, {ram_gib()} di RAM, {platform.system()} "
          f"{platform.release()} {platform.machine()}, Python {platform.python_version()}, "
          f"Django {django.get_version()}, {versione_db}; load average {carico}")
    print(f"Cache: {type(caches['default']).__name__}{' ' + args.redis if args.redis else ' (in memoria)'}")
    print(f"Richieste per pagina: {args.runs} (dopo 2 di riscaldamento)\n")
    base = statistics.median(tempi[pagine[0][0]])
    print(f"{'Pagina':<84} {'mediana':>9} {'min':>8} {'max':>8} {'×base':>6} {'query':>6} {'KiB':>7}")
    for nome, _c, _u in pagine:
        t = tempi[nome]
        med = statistics.median(t)
        print(f"{nome:<84} {med:8.1f}ms {min(t):7.1f} {max(t):7.1f} {med / base:6.1f} {query[nome]:6d} "
              f"{dimensioni[nome] / 1024:7.1f}")
    if args.profilo:
        _profila(pagine)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

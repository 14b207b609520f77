"""Benchmark of ``importa_comuni``: all of Italy (7,904 comuni) on a fresh database, then again.

    .venv/bin/python benchmarks/bench_import_comuni.py [--runs N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pianozona_bench \\
        .venv/bin/python benchmarks/bench_import_comuni.py

Without DATABASE_URL it works on a throwaway SQLite file under /tmp. With DATABASE_URL the
database name must contain "bench": every run empties the comuni, province and regioni
tables, which must never happen to a database someone works on.

Three scenarios, each timed ``--runs`` times (median, min, max):

* cold: empty tables, every row inserted;
* warm: the same file again, nothing to write;
* all changed: every population differs, every comune updated.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from macchina import cpu_model, ram_gib  # noqa: E402  (benchmarks/, beside this script)

os.environ["DJANGO_SETTINGS_MODULE"] = "pianozona.settings_test"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="ripetizioni per scenario (5)")
    args = parser.parse_args()

    throwaway = None
    if os.environ.get("DATABASE_URL"):
        import dj_database_url

        name = str(dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"])
        if "bench" not in name:
            print(
                f"DATABASE_URL punta al database «{name}»: il benchmark ne svuota le tabelle dei "
                "comuni, quindi accetta solo database con «bench» nel nome.",
                file=sys.stderr,
            )
            return 2
    else:
        throwaway = Path(tempfile.mkdtemp(prefix="pianozona-bench-", dir="/tmp"))
        os.environ["DATABASE_URL"] = f"sqlite:///{throwaway / 'bench.sqlite3'}"

    try:
        return run(args.runs)
    finally:
        if throwaway is not None:
            shutil.rmtree(throwaway, ignore_errors=True)


def run(runs: int) -> int:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ambiti.importazione import FILE_PREDEFINITO, importa_comuni
    from ambiti.models import Comune, Provincia, Regione

    call_command("migrate", verbosity=0)

    # Same rows, every population one higher: forces an update of all 7,904 comuni.
    righe = FILE_PREDEFINITO.read_text(encoding="utf-8").splitlines()
    cambiate = [righe[0]] + [
        riga.rsplit(",", 1)[0] + "," + str(int(riga.rsplit(",", 1)[1]) + 1) for riga in righe[1:]
    ]
    tmp = Path(tempfile.mkdtemp(prefix="pianozona-bench-csv-", dir="/tmp"))
    file_cambiato = tmp / "comuni_popolazione_cambiata.csv"
    file_cambiato.write_text("\n".join(cambiate) + "\n", encoding="utf-8")

    def svuota():
        Comune.objects.all().delete()
        Provincia.objects.all().delete()
        Regione.objects.all().delete()

    def cronometra(percorso, atteso):
        inizio = time.perf_counter()
        esito = importa_comuni(percorso)
        durata = time.perf_counter() - inizio
        ottenuto = (esito.created, esito.updated, esito.unchanged, len(esito.errori))
        assert ottenuto == atteso, ottenuto
        return durata

    tempi = {"cold": [], "warm": [], "changed": []}
    try:
        for _ in range(runs):
            svuota()
            tempi["cold"].append(cronometra(FILE_PREDEFINITO, (7904, 0, 0, 0)))
            tempi["warm"].append(cronometra(FILE_PREDEFINITO, (0, 0, 7904, 0)))
            tempi["changed"].append(cronometra(file_cambiato, (0, 7904, 0, 0)))

        # Counted in a separate, untimed pass: capturing SQL has a cost of its own.
        query = {}
        svuota()
        for scenario, percorso in (
            ("cold", FILE_PREDEFINITO),
            ("warm", FILE_PREDEFINITO),
            ("changed", file_cambiato),
        ):
            with CaptureQueriesContext(connection) as catturate:
                importa_comuni(percorso)
            query[scenario] = len(catturate.captured_queries)
        svuota()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if connection.vendor == "sqlite":
        database = (
            f"SQLite {connection.Database.sqlite_version} "
            f"(file {connection.settings_dict['NAME']})"
        )
    else:
        versione = connection.cursor().connection.info.server_version
        database = (
            f"{connection.vendor} {versione // 10000}.{versione % 10000} "
            f"(database {connection.settings_dict['NAME']})"
        )
    print(f"Import dei comuni: {len(righe) - 1} righe da {FILE_PREDEFINITO.relative_to(ROOT)}")
    print(f"Database: {database}")
    print(
        f"Macchina: Python {platform.python_version()}, Django {django.get_version()}, "
        f"{platform.platform()}, {os.cpu_count()} CPU ({cpu_model()}), RAM {ram_gib()}"
    )
    print(f"Ripetizioni per scenario: {runs}")
    print(f"{'scenario':<42}{'mediana':>9}{'min':>9}{'max':>9}{'query':>7}")
    etichette = {
        "cold": "import a freddo (tabelle vuote)",
        "warm": "reimport dello stesso file (nulla cambia)",
        "changed": "reimport con tutte le popolazioni cambiate",
    }
    for scenario, etichetta in etichette.items():
        valori = tempi[scenario]
        print(
            f"{etichetta:<42}{statistics.median(valori):>8.2f}s{min(valori):>8.2f}s"
            f"{max(valori):>8.2f}s{query[scenario]:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

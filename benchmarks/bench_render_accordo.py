"""Benchmark of the Accordo PDF: an ambito of 100 comuni (about 40 pages, sealed) against a plain
30-page WeasyPrint table document, in the same run on the same machine.

    .venv/bin/python benchmarks/bench_render_accordo.py [--runs N]

It works on a throwaway SQLite database and a throwaway PKI under /tmp.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "pianozona.settings_test"


def pagine(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def tabella_semplice(righe: int) -> str:
    corpo = "".join(f"<tr><td>{i}</td><td>Voce di prova numero {i}</td><td>{i * 37 % 1000}</td></tr>"
                    for i in range(righe))
    return ("<html><head><style>@page{size:A4;margin:2cm} table{width:100%;border-collapse:collapse}"
            "td{border:1px solid #999;padding:2pt;font-family:'DejaVu Sans';font-size:10pt}</style></head>"
            f"<body><table>{corpo}</table></body></html>")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pz-bench-render-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PIANOZONA_PKI_DIR = tmp / "pki"
    settings.PIANOZONA_SIGILLO_P12 = tmp / "pki" / "sigillo.p12"
    settings.PIANOZONA_TRUST_DIR = tmp / "pki" / "fiducia"
    settings.PIANOZONA_FIRMA_DEMO_DIR = tmp / "pki" / "persone"
    settings.MEDIA_ROOT = tmp / "media"
    call_command("migrate", verbosity=0)
    call_command("crea_pki_sviluppo", verbosity=0, stdout=io.StringIO())

    import datetime

    from weasyprint import HTML

    from accordi.models import CicloProgrammazione, Documento, PianoAmbito, PianoDiZona
    from accordi.services_documenti import contesto_atto, render_pdf, sigilla
    from ambiti.models import ASL, Ambito, Comune, Ente, Provincia, Regione

    regione = Regione.objects.create(codice_istat="03", nome="Lombardia")
    provincia = Provincia.objects.create(codice_istat="018", sigla="PV", nome="Pavia", regione=regione)
    asl = ASL.objects.create(nome="ASL di Pavia", regione=regione)
    ambito = Ambito.objects.create(nome="Ambito di 100 comuni", codice="B100", asl=asl)
    comuni = Comune.objects.bulk_create([
        Comune(codice_istat=f"018{i:03d}", denominazione=f"Comune di prova {i}", provincia=provincia,
               popolazione=1000 + i * 13, popolazione_al=datetime.date(2011, 10, 9)) for i in range(100)])
    ambito.comuni.add(*comuni)
    Ente.objects.bulk_create([Ente(tipo="comune", comune=c, denominazione=f"Comune di {c.denominazione}")
                              for c in comuni])
    ciclo = CicloProgrammazione.objects.create(
        regione=regione, anno_inizio=2025, anno_fine=2027, scadenza_approvazione=datetime.date(2025, 3, 31),
        validita_inizio=datetime.date(2025, 4, 1), validita_fine=datetime.date(2027, 12, 31))
    piano = PianoDiZona.objects.create(ciclo=ciclo, titolo="Piano di prova")
    PianoAmbito.objects.create(piano=piano, ambito=ambito, ciclo=ciclo)
    documento = Documento.objects.create(tipo="accordo", titolo="Accordo di prova", ambito=ambito, anno=2025,
                                         numero=1, piano=piano, ente_emittente="UdP", chiave="bench")

    HTML(string="<p>riscaldamento</p>").write_pdf()
    righe_30_pagine = 30 * 44
    tempi_tabella, tempi_accordo, tempi_sigillo = [], [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        tabella = HTML(string=tabella_semplice(righe_30_pagine)).write_pdf()
        tempi_tabella.append(time.perf_counter() - t)
        t = time.perf_counter()
        pdf = render_pdf("atti/accordo.html", contesto_atto(documento))
        tempi_accordo.append(time.perf_counter() - t)
        t = time.perf_counter()
        sigilla(pdf)
        tempi_sigillo.append(time.perf_counter() - t)
    p_tab, p_acc = pagine(tabella), pagine(pdf)
    m_tab, m_acc, m_sig = (statistics.median(x) for x in (tempi_tabella, tempi_accordo, tempi_sigillo))
    print(f"Macchina: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPU")
    print(f"Tabella semplice WeasyPrint: {p_tab} pagine, {m_tab:.2f} s, {m_tab / p_tab * 1000:.0f} ms/pagina")
    print(f"Accordo 100 comuni (PDF/A): {p_acc} pagine, {m_acc:.2f} s, {m_acc / p_acc * 1000:.0f} ms/pagina")
    print(f"Sigillo PAdES dell'Accordo: {m_sig:.2f} s")
    print(f"Rapporto ms/pagina Accordo / tabella: {(m_acc / p_acc) / (m_tab / p_tab):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

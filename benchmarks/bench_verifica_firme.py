"""Benchmark of signature verification on a PDF signed incrementally by 100 people.

    .venv/bin/python benchmarks/bench_verifica_firme.py [--runs N] [--firme 100]
        [--pyhanko-fino-a 50]

Builds a one-page PDF with WeasyPrint, a development CA and 100 distinct person
certificates (RSA 2048, in memory), signs the PDF 100 times as 100 incremental PAdES
revisions, then times, at 1, 10, 50 and 100 signatures:

* ``verifica_pdf``: every signature of the file (what a first upload or an audit costs);
* ``verifica_nuova_revisione``: only the last signature, given the previous accepted file
  (what each upload costs in the application);
* for reference, pyHanko's plain loop ``validate_pdf_signature(sig, vc)`` over every
  signature (full difference analysis), up to ``--pyhanko-fino-a`` signatures because it
  grows much faster than the rest.

Each timing is repeated ``--runs`` times, sizes interleaved; the table shows medians of
wall-clock and of process CPU time. No Django, no network: the library under test needs
neither.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from macchina import cpu_model, ram_gib  # noqa: E402  (benchmarks/, beside this script)

PUNTI = (1, 10, 50, 100)


def pyhanko_ingenuo(pdf: bytes, radici) -> None:
    """What one would write first: validate_pdf_signature on every signature."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature

    from accordi.firme.verifica import VINCOLI_USO_CHIAVE, contesto_validazione

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    vc = contesto_validazione(radici)

    async def tutte():
        for emb in reader.embedded_signatures:
            status = await async_validate_pdf_signature(
                emb, vc, key_usage_settings=VINCOLI_USO_CHIAVE
            )
            assert status.bottom_line and status.docmdp_ok

    asyncio.run(tutte())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="ripetizioni per misura (5)")
    parser.add_argument("--firme", type=int, default=100, help="firme da apporre (100)")
    parser.add_argument(
        "--pyhanko-fino-a", type=int, default=50,
        help="misura il ciclo ingenuo di pyHanko fino a N firme (50; 100 richiede ~1 minuto)",
    )
    args = parser.parse_args()

    import weasyprint

    from accordi.firme import firma, pki
    from accordi.firme.verifica import verifica_nuova_revisione, verifica_pdf

    punti = [p for p in PUNTI if p <= args.firme]
    print(f"Data: {date.today().isoformat()}")
    print(
        f"Macchina: {os.cpu_count()} CPU, {cpu_model()}, RAM {ram_gib()}, "
        f"{platform.system()} {platform.release()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    try:
        print(f"Load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    except OSError:
        pass

    inizio = time.perf_counter()
    pdf = weasyprint.HTML(string="<h1>Accordo di Programma</h1><p>Benchmark.</p>").write_pdf()
    ca_key, ca = pki.crea_ca("CA benchmark")
    radici = [ca]
    versioni = {0: pdf}
    corrente = pdf
    for i in range(1, args.firme + 1):
        key, cert = pki.crea_certificato_persona(
            ca_key, ca, nome="Firmatario", cognome=f"Numero{i:03d}",
            codice_fiscale=f"BNCMRA80A01H{i:03d}X",
        )
        corrente = firma.firma_pdf(corrente, signer_key=key, signer_cert=cert, ca_cert=ca)
        versioni[i] = corrente
    print(
        f"Preparazione: {args.firme} certificati e {args.firme} firme incrementali in "
        f"{time.perf_counter() - inizio:.1f} s; file finale {len(corrente) / 1024:.0f} KiB"
    )

    # correctness first: every signature must verify at every size
    for n in punti:
        esito = verifica_pdf(versioni[n], radici=radici)
        if not esito.ok or len(esito.firme) != n:
            print(f"ERRORE: la verifica a {n} firme non è ok: {esito.errori}", file=sys.stderr)
            return 1
        nuova = verifica_nuova_revisione(
            versioni[n], radici=radici, originale_firmato=versioni[n - 1]
        )
        if not nuova.ok:
            print(f"ERRORE: la nuova revisione {n} non è ok: {nuova.errori}", file=sys.stderr)
            return 1

    # Sizes are measured round-robin (1, 10, 50, 100, 1, 10, …) rather than one after the
    # other, so that a burst of load on a shared machine does not fall on one size only.
    # Both wall-clock and process CPU time are kept: on a shared 2-CPU machine the CPU time
    # is the steadier measure of the work done, the wall clock what a user waits.
    misure: dict[tuple[str, int], list[tuple[float, float]]] = {}

    def misura(chiave, n, funzione):
        w, c = time.perf_counter(), time.process_time()
        funzione()
        misure.setdefault((chiave, n), []).append(
            (time.perf_counter() - w, time.process_time() - c)
        )

    for n in punti:  # warm-up: imports, first-use caches
        verifica_pdf(versioni[n], radici=radici)
    for _ in range(args.runs):
        for n in punti:
            misura("tutte", n, lambda n=n: verifica_pdf(versioni[n], radici=radici))
            misura("ultima", n, lambda n=n: verifica_nuova_revisione(
                versioni[n], radici=radici, originale_firmato=versioni[n - 1]
            ))
    for n in punti:
        if n <= args.pyhanko_fino_a:
            misura("pyhanko", n, lambda n=n: pyhanko_ingenuo(versioni[n], radici))

    def mediana(chiave, n, indice):
        return statistics.median(m[indice] for m in misure[(chiave, n)])

    print()
    print("Mediane su --runs ripetizioni; tra parentesi il tempo CPU del processo.")
    print()
    print("| Firme | File | verifica_pdf | verifica_nuova_revisione "
          "| pyHanko, validate_pdf_signature su ogni firma |")
    print("|---:|---:|---:|---:|---:|")
    for n in punti:
        rif = (
            f"{mediana('pyhanko', n, 0):.2f} s ({mediana('pyhanko', n, 1):.2f} s)"
            if ("pyhanko", n) in misure else "non misurato"
        )
        print(
            f"| {n} | {len(versioni[n]) / 1024:.0f} KiB "
            f"| {mediana('tutte', n, 0):.3f} s ({mediana('tutte', n, 1):.3f} s) "
            f"| {mediana('ultima', n, 0):.3f} s ({mediana('ultima', n, 1):.3f} s) | {rif} |"
        )
    if 10 in punti and 100 in punti:
        print()
        for chiave, nome in (("tutte", "verifica_pdf"), ("ultima", "verifica_nuova_revisione")):
            parete = mediana(chiave, 100, 0) / mediana(chiave, 10, 0)
            cpu = mediana(chiave, 100, 1) / mediana(chiave, 10, 1)
            print(f"{nome} tempo(100)/tempo(10): {parete:.1f} (orologio), {cpu:.1f} (CPU)")
        ok = mediana("tutte", 100, 0) <= 10 and (
            mediana("tutte", 100, 1) / mediana("tutte", 10, 1) <= 12
        )
        print(f"Obiettivo (100 firme ≤ 10 s, rapporto ≤ 12): {'rispettato' if ok else 'NON rispettato'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fuzzing of the upload verifiers: at least 10,000 hostile files, none may crash them.

    .venv/bin/python benchmarks/bench_fuzz_verifica.py [--casi 10000] [--seme 2026]

The targets are what an upload meets:

* ``verifica_file`` — the public verification page and every signed file (PDF or .p7m);
* ``verifica_nuova_revisione`` — a signer's upload of the PDF with one more signature, given
  the last accepted version (the fuzzed bytes are appended to it, where an attacker works);
* ``verifica_p7m`` — a CAdES envelope;
* ``controlla_pdf`` — the PDF attachments of the Terzo Settore's adesione requests.

Inputs: random bytes (with and without a ``%PDF-`` header), and valid files (an unsigned PDF,
PDFs with one and two PAdES signatures, a .p7m, a nested .p7m.p7m, the .p7m in base64) mutated
by bit flips, random bytes, truncations, junk appended, cut and duplicated slices and PDF
tokens inserted (``/JavaScript``, huge ``/Length``, dangling references, deep nesting).

Every input must end in a result (``EsitoVerifica``/``EsitoFirma``, or ``None``/an Italian
message for the attachments) or in the verifier's own refusal ``FileNonAccettato`` with an
Italian message; anything else is a crash: the script prints it with the input's seed and the
file is written to ``var/fuzz/`` to be replayed, and it exits with status 1. Counts per
target and outcome, and the time, are printed at the end. The seed fixes the mutations; the
keys and signatures are made afresh on every run, so a crash is replayed from its file (the
ones found so far are in ``tests/sicurezza/corpus_verifica/``, replayed by the fast suite).
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import random
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RADICE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RADICE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings_test")

TOKEN_PDF = [
    b"/JavaScript", b"/JS (app.alert(1))", b"/OpenAction", b"/AA", b"/EmbeddedFiles", b"/Launch",
    b"/Encrypt 1 0 R", b"<<", b">>", b"[", b"]", b"[" * 200, b"<<" * 200, b"[" * 5000, b"<<" * 5000,
    b"/Length 999999999",
    b"/Length -1", b"/Filter /FlateDecode", b"/Filter /LZWDecode", b"/Filter /JBIG2Decode",
    b"99999 0 R", b"0 0 R", b"1 65535 R", b"obj", b"endobj", b"stream\n", b"endstream", b"xref\n",
    b"trailer", b"startxref\n0\n", b"%%EOF", b"/Prev 0", b"/Size 2147483647", b"/Type /ObjStm",
    b"/ByteRange [0 1 2 3]", b"/ByteRange [0 99999999 -5 3]", b"/Contents <00ff>", b"/V 1 0 R",
    b"(\\", b"<zz>", b"1e309", b"-0", b"\x00" * 16, b"\xff" * 16,
]


@dataclass
class Campioni:
    radici: list
    originale: bytes  # the unsigned act as issued
    una_firma: bytes
    due_firme: bytes
    p7m: bytes
    p7m_annidato: bytes

    def validi(self) -> list[tuple[str, bytes]]:
        return [
            ("pdf", self.originale), ("pdf_1_firma", self.una_firma), ("pdf_2_firme", self.due_firme),
            ("p7m", self.p7m), ("p7m_annidato", self.p7m_annidato),
            ("p7m_base64", base64.encodebytes(self.p7m)),
        ]


def prepara_django() -> None:
    import django

    django.setup()
    # pyHanko and the verifier log every refused file: millions of lines otherwise
    logging.disable(logging.CRITICAL)


def costruisci_campioni() -> Campioni:
    """A development PKI in memory and the valid files the mutations start from."""
    import weasyprint

    from accordi.firme import firma, pki

    ca_key, ca = pki.crea_ca("CA di prova del fuzzing")
    persone = [pki.crea_certificato_persona(ca_key, ca, nome=n, cognome=c, codice_fiscale=cf)
               for n, c, cf in (("Mario", "Rossi", "RSSMRA80A01H501U"), ("Giulia", "Bianchi", "BNCGLI85M41F205X"))]
    originale = weasyprint.HTML(string="<h1>Accordo di Programma</h1><p>Piano di Zona 2025-2027.</p>").write_pdf()
    (k1, c1), (k2, c2) = persone
    una = firma.firma_pdf(originale, signer_key=k1, signer_cert=c1, ca_cert=ca)
    due = firma.firma_pdf(una, signer_key=k2, signer_cert=c2, ca_cert=ca)
    p7m = firma.firma_cades(originale, signer_key=k1, signer_cert=c1, ca_cert=ca)
    annidato = firma.firma_cades(p7m, signer_key=k2, signer_cert=c2, ca_cert=ca)
    return Campioni([ca], originale, una, due, p7m, annidato)


# ------------------------------------------------------------------------------ mutations

def _bit(rng: random.Random, b: bytearray) -> None:
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)


def _byte(rng: random.Random, b: bytearray) -> None:
    for _ in range(rng.randint(1, 16)):
        b[rng.randrange(len(b))] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x30, 0x0A, 0x25, rng.randrange(256)))


def _tronca(rng: random.Random, b: bytearray) -> None:
    del b[rng.randrange(len(b)):]


def _coda(rng: random.Random, b: bytearray) -> None:
    b.extend(rng.randbytes(rng.randint(1, 4096)) if rng.random() < 0.5 else rng.choice(TOKEN_PDF) * rng.randint(1, 50))


def _taglia(rng: random.Random, b: bytearray) -> None:
    i = rng.randrange(len(b))
    del b[i:i + rng.randint(1, 2048)]


def _duplica(rng: random.Random, b: bytearray) -> None:
    i = rng.randrange(len(b))
    pezzo = b[i:i + rng.randint(1, 2048)]
    j = rng.randrange(len(b))
    b[j:j] = pezzo


def _token(rng: random.Random, b: bytearray) -> None:
    for _ in range(rng.randint(1, 4)):
        j = rng.randrange(len(b))
        b[j:j] = b" " + rng.choice(TOKEN_PDF) + b" "


def _numeri(rng: random.Random, b: bytearray) -> None:
    """Change a number of the file (offsets, lengths, object ids) to another plausible or absurd one."""
    cifre = [i for i in range(len(b)) if 0x30 <= b[i] <= 0x39]
    if not cifre:
        return _byte(rng, b)
    for _ in range(rng.randint(1, 6)):
        i = rng.choice(cifre)
        b[i:i + 1] = str(rng.choice((0, 1, -1, 2**31, 2**63, rng.randrange(10**6)))).encode()


MUTAZIONI = [_bit, _byte, _tronca, _coda, _taglia, _duplica, _token, _numeri]


def muta(rng: random.Random, dati: bytes) -> bytes:
    b = bytearray(dati)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not b:
            break
        rng.choice(MUTAZIONI)(rng, b)
    return bytes(b)


def genera(rng: random.Random, campioni: Campioni) -> tuple[str, bytes]:
    """One hostile input and its kind."""
    scelta = rng.random()
    if scelta < 0.08:
        return "casuale", rng.randbytes(rng.randint(0, 4096))
    if scelta < 0.15:
        return "casuale_pdf", b"%PDF-1.7\n" + rng.randbytes(rng.randint(0, 4096)) + rng.choice((b"", b"\n%%EOF\n"))
    nome, dati = rng.choice(campioni.validi())
    return f"mutato_{nome}", muta(rng, dati)


# -------------------------------------------------------------------------------- targets

class Crash(Exception):
    pass


def bersagli(campioni: Campioni):
    """Each target: (name, function of the input that returns an outcome label or raises Crash)."""
    from accordi.firme import verifica as v
    from accordi.services_adesioni import controlla_pdf

    def _esito(fn, *args, **kw) -> str:
        try:
            risultato = fn(*args, **kw)
        except v.FileNonAccettato as exc:
            if not exc.messaggio or not isinstance(exc.messaggio, str):
                raise Crash(f"FileNonAccettato senza messaggio: {exc!r}") from exc
            return "rifiutato"
        except Exception as exc:  # the point of the fuzzing: anything else is a crash
            raise Crash(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(risultato, v.EsitoVerifica):
            return "valido" if risultato.ok else "esito_negativo"
        if isinstance(risultato, v.EsitoFirma):
            return "valido" if risultato.ok else "esito_negativo"
        raise Crash(f"risultato inatteso: {type(risultato).__name__}")

    def file_(dati: bytes) -> str:
        return _esito(v.verifica_file, dati, "caricato.pdf", radici=campioni.radici)

    def nuova_revisione(dati: bytes) -> str:
        # the fuzzed bytes extend the last accepted version, as a signer's upload does
        return _esito(v.verifica_nuova_revisione, campioni.una_firma + dati[len(campioni.una_firma):]
                      if dati.startswith(b"%PDF") else dati,
                      radici=campioni.radici, originale_firmato=campioni.una_firma)

    def p7m(dati: bytes) -> str:
        return _esito(v.verifica_p7m, dati, radici=campioni.radici)

    def allegato(dati: bytes) -> str:
        try:
            risultato = controlla_pdf(dati)
        except Exception as exc:
            raise Crash(f"{type(exc).__name__}: {exc}") from exc
        if risultato is None:
            return "accettato"
        if not isinstance(risultato, str) or not risultato:
            raise Crash(f"messaggio inatteso: {risultato!r}")
        return "rifiutato"

    return {"verifica_file": file_, "verifica_nuova_revisione": nuova_revisione, "verifica_p7m": p7m,
            "controlla_pdf": allegato}


def bersagli_per(tipo: str) -> list[str]:
    if "p7m" in tipo:
        return ["verifica_file", "verifica_p7m"]
    if "pdf" in tipo:
        return ["verifica_file", "verifica_nuova_revisione", "controlla_pdf"]
    return ["verifica_file", "verifica_p7m", "controlla_pdf"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--casi", type=int, default=10_000, help="numero di input (almeno 10.000 per la prova)")
    parser.add_argument("--seme", type=int, default=2026)
    args = parser.parse_args(argv)

    prepara_django()
    inizio = time.perf_counter()
    campioni = costruisci_campioni()
    preparazione = time.perf_counter() - inizio
    funzioni = bersagli(campioni)
    # the valid files pass before being mutated: the targets are sound
    assert funzioni["verifica_file"](campioni.due_firme) == "valido"
    assert funzioni["verifica_nuova_revisione"](campioni.due_firme) == "valido"
    assert funzioni["verifica_p7m"](campioni.p7m_annidato) == "valido"
    assert funzioni["controlla_pdf"](campioni.originale) == "accettato"

    esiti: Counter = Counter()
    tipi: Counter = Counter()
    tempi: Counter = Counter()
    crash = []
    inizio = time.perf_counter()
    for caso in range(args.casi):
        rng = random.Random(f"{args.seme}-{caso}")
        tipo, dati = genera(rng, campioni)
        tipi[tipo] += 1
        for nome in bersagli_per(tipo):
            t0 = time.perf_counter()
            try:
                esiti[nome, funzioni[nome](dati)] += 1
            except Crash as exc:
                esiti[nome, "CRASH"] += 1
                crash.append((caso, nome, tipo, str(exc), traceback.format_exc(), dati))
            tempi[nome] += time.perf_counter() - t0
        if (caso + 1) % 1000 == 0:
            print(f"  {caso + 1} input, {time.perf_counter() - inizio:.0f} s, crash: {len(crash)}", flush=True)
    durata = time.perf_counter() - inizio

    print(f"\nInput: {args.casi} (seme {args.seme}); campioni preparati in {preparazione:.1f} s; "
          f"fuzzing in {durata:.1f} s ({args.casi / durata:.0f} input/s)")
    print("Input per tipo: " + ", ".join(f"{t} {n}" for t, n in sorted(tipi.items())))
    print(f"{'bersaglio':<26}{'esito':<16}{'input':>8}")
    for (nome, esito), n in sorted(esiti.items()):
        print(f"{nome:<26}{esito:<16}{n:>8}")
    print("Tempo per bersaglio: " + ", ".join(f"{n} {t:.1f} s" for n, t in sorted(tempi.items())))
    if crash:
        cartella = RADICE / "var" / "fuzz"
        cartella.mkdir(parents=True, exist_ok=True)
        for caso, nome, tipo, messaggio, tb, dati in crash[:20]:
            percorso = cartella / f"crash-{args.seme}-{caso}-{nome}.bin"
            percorso.write_bytes(dati)
            print(f"\nCRASH caso {caso} ({tipo}) in {nome}: {messaggio}\n  input: {percorso}\n{tb}")
        print(f"{len(crash)} crash su {args.casi} input")
        return 1
    print("Nessun crash: ogni input si è concluso con un esito o con un rifiuto in italiano.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

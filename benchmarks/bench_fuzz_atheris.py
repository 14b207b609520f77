"""Coverage-guided fuzzing of the upload verifiers with atheris (libFuzzer), when installed.

    .venv/bin/pip install atheris      # a wheel for CPython on Linux x86-64; elsewhere it
                                       # needs clang and libFuzzer to build, so it is optional
    .venv/bin/python benchmarks/bench_fuzz_atheris.py [--casi 10000] [libFuzzer options]

The same targets and the same oracle as ``bench_fuzz_verifica.py`` (whose random mutations need
nothing but the standard library): every input must end in a result or in the verifier's own
Italian refusal. Here libFuzzer mutates, guided by the coverage of pyHanko, asn1crypto and the
verifier, starting from the valid files (unsigned and signed PDFs, .p7m envelopes). A crash
stops the run: libFuzzer writes the input as ``crash-<sha1>`` in the current directory and the
script exits with a non-zero status. Without atheris the script says so and exits with 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

QUI = Path(__file__).resolve().parent


def main() -> int:
    try:
        import atheris
    except ImportError:
        print("atheris non è installato: salto il fuzzing guidato dalla copertura "
              "(pip install atheris; bench_fuzz_verifica.py copre comunque i 10.000 input).")
        return 0

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--casi", type=int, default=10_000)  # about 4 minutes on one core
    args, resto = parser.parse_known_args()

    spec = importlib.util.spec_from_file_location("bench_fuzz_verifica", QUI / "bench_fuzz_verifica.py")
    fuzz = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = fuzz
    spec.loader.exec_module(fuzz)

    with atheris.instrument_imports(include=["pyhanko", "asn1crypto", "accordi"]):
        import asn1crypto.cms  # noqa: F401
        import pyhanko.pdf_utils.reader  # noqa: F401

        import accordi.firme.verifica  # noqa: F401
    fuzz.prepara_django()
    campioni = fuzz.costruisci_campioni()
    funzioni = fuzz.bersagli(campioni)

    def prova(dati: bytes) -> None:
        tipo = "mutato_pdf" if dati.startswith(b"%PDF") else "mutato_p7m"
        for nome in fuzz.bersagli_per(tipo):
            funzioni[nome](dati)  # fuzz.Crash propagates: libFuzzer records the input

    with tempfile.TemporaryDirectory(prefix="pianozona-fuzz-") as corpus:
        for nome, dati in campioni.validi():
            (Path(corpus) / nome).write_bytes(dati)
        massimo = max(len(d) for _, d in campioni.validi()) + 4096
        print(f"atheris: {args.casi} input dai {len(campioni.validi())} file validi; libFuzzer termina il "
              "processo alla fine e stampa le sue statistiche (stat::number_of_executed_units).", flush=True)
        atheris.Setup([sys.argv[0], f"-runs={args.casi}", f"-max_len={massimo}", "-print_final_stats=1",
                       *resto, corpus], prova)
        atheris.Fuzz()  # does not return: libFuzzer exits with 0, or non-zero on a crash
    return 0


if __name__ == "__main__":
    sys.exit(main())

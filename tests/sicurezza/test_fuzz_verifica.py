"""The upload verifiers never crash on hostile files (hypothesis, 300 inputs; the long run of at
least 10,000 is ``benchmarks/bench_fuzz_verifica.py`` in ``make bench``).

Each input ends in a result or in the verifier's own refusal with an Italian message: never an
unhandled exception, which would be a server error on the upload page. The inputs are random
bytes and valid files (unsigned and signed PDFs, .p7m envelopes) mutated like in the long run;
the examples are derandomized so that the suite gives the same answer on every run."""

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accordi.firme import verifica as v
from accordi.services_adesioni import controlla_pdf

_PERCORSO = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_fuzz_verifica.py"
_spec = importlib.util.spec_from_file_location("bench_fuzz_verifica", _PERCORSO)
fuzz = importlib.util.module_from_spec(_spec)
sys.modules.setdefault(_spec.name, fuzz)  # dataclasses look their module up there
_spec.loader.exec_module(fuzz)

IMPOSTAZIONI = settings(deadline=None, derandomize=True, database=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def campioni():
    return fuzz.costruisci_campioni()


@pytest.fixture(scope="module")
def bersagli(campioni):
    return fuzz.bersagli(campioni)


def _prova(bersagli, tipo: str, dati: bytes) -> None:
    for nome in fuzz.bersagli_per(tipo):
        try:
            bersagli[nome](dati)
        except fuzz.Crash as exc:
            pytest.fail(f"{nome} non gestisce un input ({tipo}, {len(dati)} byte): {exc}")


def test_i_file_validi_sono_accettati_dai_bersagli(bersagli, campioni):
    """The oracle tells a sound verifier: the untouched files pass."""
    assert bersagli["verifica_file"](campioni.due_firme) == "valido"
    assert bersagli["verifica_nuova_revisione"](campioni.due_firme) == "valido"
    assert bersagli["verifica_p7m"](campioni.p7m_annidato) == "valido"
    assert bersagli["controlla_pdf"](campioni.originale) == "accettato"


def test_l_oracolo_segnala_un_eccezione_non_gestita(campioni, monkeypatch):
    def rotto(*args, **kw):
        raise KeyError("bug")

    monkeypatch.setattr(v, "verifica_file", rotto)
    with pytest.raises(fuzz.Crash, match="KeyError"):
        fuzz.bersagli(campioni)["verifica_file"](b"%PDF-1.7")


@IMPOSTAZIONI
@given(dati=st.binary(max_size=4096), intestazione=st.sampled_from([b"", b"%PDF-1.7\n", b"0\x82"]),
       fine=st.sampled_from([b"", b"\n%%EOF\n"]))
def test_byte_casuali(bersagli, dati, intestazione, fine):
    tipo = "casuale_pdf" if intestazione.startswith(b"%PDF") else "casuale"
    _prova(bersagli, tipo, intestazione + dati + fine)


@settings(IMPOSTAZIONI, max_examples=200)
@given(indice=st.integers(0, 5), seme=st.integers(0, 2**32 - 1))
def test_file_validi_mutati(bersagli, campioni, indice, seme):
    nome, dati = campioni.validi()[indice]
    _prova(bersagli, f"mutato_{nome}", fuzz.muta(random.Random(seme), dati))


@IMPOSTAZIONI
@given(taglio=st.integers(0, 2**20), coda=st.binary(max_size=512))
def test_pdf_firmati_troncati_o_con_aggiunte(bersagli, campioni, taglio, coda):
    dati = campioni.due_firme
    _prova(bersagli, "mutato_pdf_2_firme", dati[: taglio % (len(dati) + 1)] + coda)


@pytest.mark.parametrize("dati", [
    # pyHanko's structural assertions, met by the long run: a catalog or an xref stream of the
    # wrong type must be refused like any damaged file, not become a server error
    b"%PDF-1.7\n1 0 obj\n(non un dizionario)\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \n"
    b"trailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n47\n%%EOF\n",
], ids=["catalogo-non-dizionario"])
def test_pdf_malformati_rifiutati_con_messaggio(dati):
    with pytest.raises(v.FileNonAccettato) as exc:
        v.verifica_file(dati, "firmato.pdf", radici=[])
    assert exc.value.messaggio == v.MSG_PDF_ILLEGGIBILE
    assert controlla_pdf(dati) == "Il file PDF è danneggiato o incompleto e non può essere letto."


CORPUS = Path(__file__).resolve().parent / "corpus_verifica"


@pytest.mark.parametrize("percorso", sorted(CORPUS.glob("*.bin")), ids=lambda p: p.stem)
def test_gli_input_che_facevano_cadere_il_verificatore_sono_gestiti(bersagli, percorso):
    """Files found by the long run that once escaped as exceptions (pyHanko's structural
    assertions; asn1crypto's lazy parsing of a damaged envelope content; a signer certificate
    that cryptography refuses): now a refusal or a negative result with an Italian message."""
    dati = percorso.read_bytes()
    _prova(bersagli, "mutato_pdf" if dati.startswith(b"%PDF") else "mutato_p7m", dati)

"""The document service: numbered, sealed, immutable acts; idempotent background rendering."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from pyhanko.pdf_utils.reader import PdfFileReader

from accordi.exceptions import DatiNonValidi, PermessoNegato
from accordi.firme import verifica as v
from accordi.models import ContatoreAtti, Documento, RevisioneDocumento
from accordi.services_documenti import (
    contesto_atto,
    documento_richiedi,
    genera_documento,
    leggi,
    nome_file,
    sha256,
)
from accordi.services_firme import radici_fiducia
from ambiti.models import Incarico

R = Incarico.Ruolo


@pytest.fixture
def accordo(mondo, pki_attiva, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])


def test_l_accordo_e_numerato_sigillato_e_registrato_con_la_sua_impronta(accordo, mondo):
    accordo.refresh_from_db()
    assert accordo.stato == Documento.Stato.PRONTO and accordo.sigillato
    assert (accordo.numero, accordo.versione, accordo.ambito) == (1, 1, mondo.ambito)
    revisione = accordo.revisioni.get()
    dati = leggi(revisione)
    assert dati.startswith(b"%PDF-") and revisione.sha256 == sha256(dati) and revisione.dimensione == len(dati)
    catalogo = PdfFileReader(io.BytesIO(dati)).root  # PDF/A: XMP identification and output intent
    assert b"pdfaid" in catalogo["/Metadata"].get_object().data
    assert catalogo["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    esito = v.verifica_pdf(dati, radici=radici_fiducia())
    assert esito.ok, esito.as_dict()
    assert [f.codice_fiscale for f in esito.firme] == ["02160690180"]  # the issuing body's seal


def test_il_contenuto_dell_accordo_viene_dai_dati_reali(accordo, mondo):
    contesto = contesto_atto(accordo)
    comuni = {f"Comune di {c.denominazione}" for c in mondo.ambito.comuni.all()}
    parti = {p["denominazione"] for p in contesto["parti"]}
    assert comuni | {mondo.ambito.asl.nome} == parti
    assert contesto["popolazione_totale"] == sum(c.popolazione for c in mondo.ambito.comuni.all())
    assert contesto["url_verifica"].endswith(f"/verifica/{accordo.codice_verifica}/")
    assert contesto["qr"].startswith("data:image/svg+xml")


def test_numerazione_per_ambito_e_anno(mondo, pki_attiva, django_capture_on_commit_callbacks):
    udp = mondo[R.RESPONSABILE_UDP]
    with django_capture_on_commit_callbacks(execute=True):
        a = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=udp)
        b = documento_richiedi(tipo="piano_bozza", piano=mondo.piano, utente=udp)
        c = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=udp)
        altro = documento_richiedi(tipo="accordo", piano=mondo.piano_altro, utente=mondo.udp_altro)
    assert [a.numero, b.numero, c.numero] == [1, 2, 3]
    assert (a.versione, c.versione) == (1, 2)  # a new rendering is a new version, never an overwrite
    assert altro.numero == 1
    assert ContatoreAtti.objects.get(ambito=mondo.ambito).ultimo == 3
    assert a.revisioni.get().sha256 != c.revisioni.get().sha256


def test_la_stessa_richiesta_non_crea_due_documenti(mondo, pki_attiva, django_capture_on_commit_callbacks):
    udp = mondo[R.RESPONSABILE_UDP]
    with django_capture_on_commit_callbacks(execute=True):
        a = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=udp, chiave="modulo-123")
        b = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=udp, chiave="modulo-123")
    assert a.pk == b.pk and Documento.objects.count() == 1


def test_rieseguire_il_compito_non_duplica(accordo):
    genera_documento(accordo.pk)
    genera_documento(accordo.pk)
    assert RevisioneDocumento.objects.filter(documento=accordo).count() == 1


def test_un_compito_morto_a_meta_si_completa_senza_duplicati(mondo, pki_attiva):
    documento = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])
    # the worker died after writing the file but before recording it
    Documento.objects.filter(pk=documento.pk).update(stato=Documento.Stato.IN_CORSO, tentativi=1)
    default_storage.save(nome_file(documento, 0), io.BytesIO(b"%PDF-1.7 mezzo file"))
    genera_documento(documento.pk)
    documento.refresh_from_db()
    revisione = documento.revisioni.get()
    assert documento.stato == "pronto" and documento.tentativi == 2
    assert leggi(revisione).startswith(b"%PDF-") and len(leggi(revisione)) > 1000
    cartella = Path(default_storage.path(nome_file(documento, 0))).parent
    assert len(list(cartella.glob(f"{documento.codice_verifica}-*"))) == 1


def test_senza_sigillo_il_documento_va_in_errore_con_il_motivo(mondo, pki_attiva, settings, tmp_path):
    settings.PIANOZONA_SIGILLO_P12 = tmp_path / "assente.p12"
    documento = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])
    with pytest.raises(RuntimeError):
        genera_documento(documento.pk)
    documento.refresh_from_db()
    assert documento.stato == "errore" and "certificato di sigillo non è configurato" in documento.errore
    assert not documento.revisioni.exists()


def test_solo_l_ufficio_di_piano_genera_gli_atti(mondo, pki_attiva):
    for ruolo in (R.SINDACO, R.PRESIDENTE_ASSEMBLEA, R.REFERENTE_ASL):
        with pytest.raises(PermessoNegato):
            documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[ruolo])
    with pytest.raises(PermessoNegato):
        documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo.udp_altro)
    assert not Documento.objects.exists()


def test_tipo_non_ancora_disponibile(mondo, pki_attiva):
    with pytest.raises(DatiNonValidi):
        documento_richiedi(tipo="adesione", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])


def test_le_revisioni_non_si_modificano(accordo):
    with pytest.raises(TypeError):
        RevisioneDocumento.objects.filter(documento=accordo).update(sha256="x")
    with pytest.raises(TypeError):
        RevisioneDocumento.objects.filter(documento=accordo).delete()

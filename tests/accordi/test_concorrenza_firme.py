"""Signed files uploaded at the same moment: the same signed PDF sent twenty times for one signer
is accepted once (one revision, one audit entry of the accepted signature) and the others are told
the signature is already there; signers racing on the same revision of the PDF: one is accepted,
the others are told to sign the updated version; the last mandatory signature of the Accordo sent
twenty times puts the plan in force once; the parties' .p7m envelopes arriving together are all
accepted and complete the request once. Real concurrency needs PostgreSQL."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from accordi import services_accordo as sa
from accordi import services_firme
from accordi.firme.firma import firma_cades, firma_pdf
from accordi.firme.verifica import MSG_NON_CONFORME
from accordi.models import EventoFirma, Firmatario, PianoDiZona, RevisioneDocumento, RichiestaFirma, TransizionePiano
from accordi.services import esegui_transizione
from accordi.services_documenti import documento_richiedi, leggi, revisione_corrente
from accordi.services_firme import FirmaRifiutata, firma_carica, firmatari_proposti, richiesta_firma_crea
from ambiti.models import Incarico

from .accordo_dati import completa, ente_del_comune, sindaci

R = Incarico.Ruolo
TENTATIVI = 20
SCADENZA = timezone.localdate() + datetime.timedelta(days=30)
GIA_FIRMATO = "Hai già firmato questo documento."
SUPERATA = "Nel frattempo un altro firmatario ha firmato: scarica la versione aggiornata e firma quella."

pytestmark = pytest.mark.postgres


@pytest.fixture
def solo_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("la concorrenza reale si verifica su PostgreSQL (DATABASE_URL=postgres://…)")


def _in_parallelo(azioni) -> list[object]:
    """Run every callable in its own thread, all released together; each one's result or error."""
    barriera = threading.Barrier(len(azioni))
    esiti: list[object] = [None] * len(azioni)

    def tenta(i):
        try:
            barriera.wait(timeout=10)
            esiti[i] = azioni[i]()
        except Exception as exc:  # noqa: BLE001 - the losers' refusals are the point; anything else fails below
            esiti[i] = exc
        finally:
            connections.close_all()

    fili = [threading.Thread(target=tenta, args=(i,)) for i in range(len(azioni))]
    for f in fili:
        f.start()
    for f in fili:
        f.join(timeout=60)
    return esiti


def _pades(pki, utente, documento) -> bytes:
    key, cert = pki.certificato(utente.codice_fiscale)
    return firma_pdf(leggi(revisione_corrente(documento)), signer_key=key, signer_cert=cert, ca_cert=pki.ca_cert)


def _cades(pki, utente, documento) -> bytes:
    key, cert = pki.certificato(utente.codice_fiscale)
    return firma_cades(leggi(revisione_corrente(documento)), signer_key=key, signer_cert=cert, ca_cert=pki.ca_cert)


def _carica(firmatario, utente, dati, nome_file="firmato.pdf"):
    return lambda: firma_carica(firmatario=Firmatario.objects.get(pk=firmatario.pk), utente=utente,
                                nome_file=nome_file, dati=dati)


def _accettate(richiesta, **filtri):
    return EventoFirma.objects.filter(richiesta=richiesta, tipo=EventoFirma.Tipo.FIRMA_ACCETTATA, **filtri)


def _messaggi(esiti) -> set[str]:
    return {str(e) for e in esiti if not isinstance(e, Firmatario)}


@pytest.fixture
def atto_dei_sindaci(mondo, pki_attiva):
    """An act of the plan, sealed, sent to the three mayors for signature in parallel."""
    documento = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])
    persone = list(sindaci(mondo.ambito).values())
    firmatari = [(u, ente_del_comune(c), True) for c, u in zip(mondo.ambito.comuni.order_by("denominazione"),
                                                                persone, strict=True)]
    richiesta = richiesta_firma_crea(documento=documento, utente=mondo[R.RESPONSABILE_UDP], firmatari=firmatari,
                                     modalita="parallela", scadenza=SCADENZA)
    return documento, richiesta, persone


@pytest.mark.django_db(transaction=True)
def test_lo_stesso_file_firmato_caricato_venti_volte_vale_una_volta(solo_postgres, atto_dei_sindaci, pki_attiva):
    documento, richiesta, persone = atto_dei_sindaci
    utente = persone[0]
    firmatario = richiesta.firmatari.get(utente=utente)
    revisioni_prima = documento.revisioni.count()
    dati = _pades(pki_attiva, utente, documento)

    esiti = _in_parallelo([_carica(firmatario, utente, dati) for _ in range(TENTATIVI)])

    assert sum(isinstance(e, Firmatario) for e in esiti) == 1, esiti
    assert all(isinstance(e, FirmaRifiutata) for e in esiti if not isinstance(e, Firmatario)), esiti
    assert _messaggi(esiti) == {GIA_FIRMATO}
    firmatario.refresh_from_db()
    assert firmatario.stato == Firmatario.Stato.FIRMATO and firmatario.revisione is not None
    assert documento.revisioni.count() == revisioni_prima + 1
    assert revisione_corrente(documento).pk == firmatario.revisione_id
    assert _accettate(richiesta).count() == 1
    assert _accettate(richiesta).get().firmatario_id == firmatario.pk
    assert richiesta.firmatari.filter(stato=Firmatario.Stato.FIRMATO).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pausa", ["_puo_firmare", "firmatari_di_turno"])
def test_un_caricamento_fermo_mentre_la_stessa_firma_e_accettata_dice_gia_firmato(
        solo_postgres, atto_dei_sindaci, pki_attiva, monkeypatch, pausa):
    """The other uploads of the same file are paused (after their checks, or before reading whose
    turn it is) until the first is accepted: they are told the signature is already there, not
    that the file is not the original nor that it is not their turn, and the audit records no
    refused upload."""
    documento, richiesta, persone = atto_dei_sindaci
    utente = persone[0]
    firmatario = richiesta.firmatari.get(utente=utente)
    dati = _pades(pki_attiva, utente, documento)
    primo_concluso = threading.Event()
    originale = getattr(services_firme, pausa)

    def con_pausa(*args):
        if pausa == "firmatari_di_turno" and threading.current_thread().name != "primo":
            primo_concluso.wait(timeout=20)
        risultato = originale(*args)
        if pausa == "_puo_firmare" and threading.current_thread().name != "primo":
            primo_concluso.wait(timeout=20)
        return risultato

    monkeypatch.setattr(services_firme, pausa, con_pausa)
    carica = _carica(firmatario, utente, dati)

    def primo():
        try:
            return carica()
        finally:
            primo_concluso.set()

    def azione(i):
        if i == 0:
            threading.current_thread().name = "primo"
            return primo()
        return carica()

    esiti = _in_parallelo([lambda i=i: azione(i) for i in range(TENTATIVI)])

    assert isinstance(esiti[0], Firmatario), esiti
    assert _messaggi(esiti) == {GIA_FIRMATO}
    assert not EventoFirma.objects.filter(richiesta=richiesta, tipo=EventoFirma.Tipo.FIRMA_RIFIUTATA).exists()
    assert _accettate(richiesta).count() == 1


@pytest.mark.django_db(transaction=True)
def test_firmatari_diversi_sulla_stessa_versione_ne_vince_uno(solo_postgres, atto_dei_sindaci, pki_attiva):
    """Each mayor signs the same revision of the PDF: only one file can become the next revision;
    the others must download it and sign that one."""
    documento, richiesta, persone = atto_dei_sindaci
    revisioni_prima = documento.revisioni.count()
    file_di = {u.pk: _pades(pki_attiva, u, documento) for u in persone}
    azioni = [_carica(richiesta.firmatari.get(utente=u), u, file_di[u.pk]) for u in persone] * (TENTATIVI // 3)

    esiti = _in_parallelo(azioni)

    vinti = [e for e in esiti if isinstance(e, Firmatario)]
    assert len(vinti) == 1, esiti
    assert all(isinstance(e, FirmaRifiutata) for e in esiti if not isinstance(e, Firmatario)), esiti
    # a file checked after the winner's revision landed no longer extends the current PDF:
    # it is refused as not the original, as when it is uploaded later
    assert _messaggi(esiti) <= {GIA_FIRMATO, SUPERATA, MSG_NON_CONFORME}
    assert SUPERATA in _messaggi(esiti)
    assert documento.revisioni.count() == revisioni_prima + 1
    assert list(richiesta.firmatari.filter(stato=Firmatario.Stato.FIRMATO).values_list("pk", flat=True)) == [
        vinti[0].pk]
    assert _accettate(richiesta).count() == 1
    richiesta.refresh_from_db()
    assert richiesta.stato == RichiestaFirma.Stato.APERTA


# --- the Accordo: the last mandatory signature puts the plan in force -----------------------------


@pytest.fixture
def accordo_alla_firma(mondo, pki_attiva):
    """The plan in *sottoscrizione* with its Accordo's act sent to every party in parallel."""
    piano = mondo.piano
    PianoDiZona.objects.filter(pk=piano.pk).update(stato="accordo")
    piano.refresh_from_db()
    udp = mondo[R.RESPONSABILE_UDP]
    accordo = completa(piano, udp)
    esegui_transizione(piano=piano, nome="apri_sottoscrizione", utente=udp)
    documento = sa.accordo_genera_atto(accordo=accordo, utente=udp)
    proposti = firmatari_proposti(documento)
    richiesta = richiesta_firma_crea(documento=documento, utente=udp, firmatari=proposti, modalita="parallela",
                                     scadenza=SCADENZA)
    return piano, documento, richiesta, [u for u, *_x in proposti]


def _vigente(piano):
    piano.refresh_from_db()
    return piano.stato, TransizionePiano.objects.filter(piano=piano, nome="dichiara_vigente").count()


@pytest.mark.django_db(transaction=True)
def test_l_ultima_firma_dell_accordo_caricata_venti_volte_lo_rende_vigente_una_volta(
        solo_postgres, accordo_alla_firma, pki_attiva):
    piano, documento, richiesta, persone = accordo_alla_firma
    *primi, ultimo = persone
    for utente in primi:
        firma_carica(firmatario=richiesta.firmatari.get(utente=utente), utente=utente, nome_file="accordo.pdf",
                     dati=_pades(pki_attiva, utente, documento))
    assert _vigente(piano) == ("sottoscrizione", 0)
    firmatario = richiesta.firmatari.get(utente=ultimo)
    dati = _pades(pki_attiva, ultimo, documento)

    esiti = _in_parallelo([_carica(firmatario, ultimo, dati, "accordo.pdf") for _ in range(TENTATIVI)])

    assert sum(isinstance(e, Firmatario) for e in esiti) == 1, esiti
    assert _messaggi(esiti) == {GIA_FIRMATO}
    assert _vigente(piano) == ("vigente", 1)
    assert _accettate(richiesta, firmatario=firmatario).count() == 1
    assert EventoFirma.objects.filter(richiesta=richiesta, tipo=EventoFirma.Tipo.COMPLETATA).count() == 1
    assert RevisioneDocumento.objects.filter(documento=documento).count() == 1 + len(persone)


@pytest.mark.django_db(transaction=True)
def test_le_buste_p7m_delle_parti_arrivate_insieme_completano_una_volta(solo_postgres, accordo_alla_firma,
                                                                         pki_attiva):
    """A .p7m does not change the PDF, so every party's envelope is accepted even when they all
    arrive at once (each sent five times); the request completes and the plan enters into force
    exactly once."""
    piano, documento, richiesta, persone = accordo_alla_firma
    buste = {u.pk: _cades(pki_attiva, u, documento) for u in persone}
    ripetizioni = TENTATIVI // len(persone)
    azioni = [_carica(richiesta.firmatari.get(utente=u), u, buste[u.pk], "accordo.pdf.p7m")
              for u in persone] * ripetizioni

    esiti = _in_parallelo(azioni)

    accettate = [e for e in esiti if isinstance(e, Firmatario)]
    assert sorted(f.utente_id for f in accettate) == sorted(u.pk for u in persone), esiti
    assert _messaggi(esiti) == {GIA_FIRMATO}
    assert _accettate(richiesta).count() == len(persone)
    assert richiesta.firmatari.filter(stato=Firmatario.Stato.FIRMATO, metodo="cades").count() == len(persone)
    assert EventoFirma.objects.filter(richiesta=richiesta, tipo=EventoFirma.Tipo.COMPLETATA).count() == 1
    assert _vigente(piano) == ("vigente", 1)
    assert RevisioneDocumento.objects.filter(documento=documento).count() == 1


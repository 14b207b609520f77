"""The iter's guards that the tavoli tematici complete, walked through the real iter service,
and the approved minutes of a tavolo's session issued as a PDF act."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from accordi.exceptions import GuardieNonSoddisfatte
from accordi.models import Documento, PianoDiZona, Stato
from accordi.partecipazione import almeno_un_tavolo, verbali_approvati
from accordi.services import esegui_transizione
from accordi.services_documenti import contesto_atto
from ambiti.models import Incarico
from tavoli import services_contributi as sc
from tavoli import services_sedute_tavolo as sst
from tavoli import services_tavoli as st
from tavoli import services_verbali as sv
from tavoli.models import MembroTavolo, SedutaTavolo
from tavoli.services_assemblea import ufficio_costituisci

from ..factories import TipoUnitaOffertaFactory

R = Incarico.Ruolo


def _in_stato(piano, stato):
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=stato)
    piano.refresh_from_db()
    return piano


def _tavolo(mondo, indice: int):
    udp = mondo[R.RESPONSABILE_UDP]
    area = st.aree_della_regione(mondo.ambito.asl.regione)[indice]
    return st.tavolo_crea(piano=mondo.piano, area=area, coordinatore=udp, utente=udp)


def _svolta(tavolo, utente, *, giorni_fa=1, focus_group=None, ordine="Comunicazioni\nBisogni rilevati"):
    seduta = sst.seduta_crea(tavolo=tavolo, utente=utente, data=timezone.now() + datetime.timedelta(days=1),
                             ordine_del_giorno=ordine, luogo="Sala Giunta", focus_group=focus_group)
    # The session's time comes: the services refuse past dates, so the session's clock moves.
    SedutaTavolo.objects.filter(pk=seduta.pk).update(data=timezone.now() - datetime.timedelta(days=giorni_fa))
    seduta.refresh_from_db()
    presenti = list(MembroTavolo.objects.filter(tavolo=tavolo, stato=MembroTavolo.Stato.ATTIVO))
    sst.presenze_registra(seduta=seduta, utente=utente, membri=presenti, ospiti=[])
    seduta.refresh_from_db()
    return seduta


def _approva(seduta, utente):
    verbale = sv.verbale_garantisci(seduta=seduta, utente=utente)
    return sv.verbale_approva(verbale=verbale, utente=utente, modalita="coordinatore")


# --- avvia istruttoria -------------------------------------------------------------------------

def test_istruttoria_is_blocked_without_a_tavolo_and_allowed_with_one(mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    piano = _in_stato(mondo.piano, Stato.INDIRIZZO)
    ufficio_costituisci(ambito=mondo.ambito, utente=udp, responsabile=udp, atto_costitutivo="Deliberazione n. 2/2026",
                        costituito_il=datetime.date(2026, 1, 15), componenti=[{"nominativo": "Anna Bianchi"}])
    with pytest.raises(GuardieNonSoddisfatte) as errore:
        esegui_transizione(piano=piano, nome="avvia_istruttoria", utente=udp)
    assert errore.value.messaggi == [almeno_un_tavolo(piano)[0]]  # the real check, not the fail-closed one
    assert "costituiscine almeno uno" in errore.value.messaggi[0]
    _tavolo(mondo, 0)
    voce = esegui_transizione(piano=piano, nome="avvia_istruttoria", utente=udp)
    assert voce.a_stato == Stato.ISTRUTTORIA


def test_a_closed_tavolo_does_not_open_the_istruttoria(mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    st.tavolo_modifica(tavolo=_tavolo(mondo, 0), utente=udp, chiuso=True)
    assert almeno_un_tavolo(mondo.piano) != []


# --- avvia stesura -----------------------------------------------------------------------------

def test_drafting_waits_for_approved_minutes_of_every_tavolo_and_names_the_missing_ones(mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    piano = _in_stato(mondo.piano, Stato.ISTRUTTORIA)
    anziani, disabilita = _tavolo(mondo, 0), _tavolo(mondo, 1)
    _approva(_svolta(anziani, udp), udp)
    solo_svolta = _svolta(disabilita, udp)
    sv.verbale_garantisci(seduta=solo_svolta, utente=udp)
    with pytest.raises(GuardieNonSoddisfatte) as errore:
        esegui_transizione(piano=piano, nome="avvia_stesura", utente=udp)
    assert len(errore.value.messaggi) == 1
    messaggio = errore.value.messaggi[0]
    assert messaggio.startswith("Tavolo Disabilità: nessuna seduta") and "Anziani" not in messaggio
    _approva(solo_svolta, udp)
    assert esegui_transizione(piano=piano, nome="avvia_stesura", utente=udp).a_stato == Stato.BOZZA


def test_minutes_of_a_focus_group_session_count_for_its_tavolo(mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    tavolo = _tavolo(mondo, 0)
    focus = st.focus_group_crea(tavolo=tavolo, nome="Caregiver", tema="", referente=None, membri=[], utente=udp)
    assert verbali_approvati(mondo.piano) != []
    _approva(_svolta(tavolo, udp, focus_group=focus), udp)
    assert verbali_approvati(mondo.piano) == []


def test_drafting_is_blocked_when_no_tavolo_ever_met(mondo):
    messaggi = verbali_approvati(mondo.piano)
    assert len(messaggi) == 1 and "Nessun tavolo" in messaggi[0]


def test_the_drafting_guard_reads_all_tavoli_in_one_query(mondo, django_assert_max_num_queries):
    for indice in range(6):
        _tavolo(mondo, indice)
    with django_assert_max_num_queries(1):
        assert len(verbali_approvati(mondo.piano)) == 6


# --- the act -----------------------------------------------------------------------------------

def test_the_approved_minutes_become_a_sealed_act_with_the_session_s_content(mondo, pki_attiva,
                                                                             django_capture_on_commit_callbacks):
    udp = mondo[R.RESPONSABILE_UDP]
    tavolo = _tavolo(mondo, 0)
    seduta = _svolta(tavolo, udp)
    sst.presenze_registra(seduta=seduta, utente=udp, membri=list(tavolo.membri.all()),
                          ospiti=[{"nominativo": "Anna Verdi", "ente_nome": "Caritas diocesana"}])
    bisogno = sc.bisogno_registra(seduta=seduta, utente=udp, destinatari="Anziani soli",
                                  descrizione="Mancano pasti a domicilio nel fine settimana.", priorita="alta")
    sc.offerta_registra(seduta=seduta, utente=udp, tipo=TipoUnitaOffertaFactory(nome="Centro diurno anziani"),
                        denominazione="Centro diurno «Il Glicine»", comune=mondo.ambito.comuni.first(), capacita=25)
    sc.proposta_registra(seduta=seduta, utente=udp, titolo="Pasti anche nel fine settimana",
                         descrizione="Estendere il servizio.", bisogni=[bisogno])
    verbale = sv.verbale_garantisci(seduta=seduta, utente=udp)
    sv.verbale_salva(verbale=verbale, utente=udp, versione=1,
                     discussione=[{"punto": "Comunicazioni", "testo": "Il coordinatore apre la seduta."}],
                     decisioni="Mappare i servizi domiciliari.", prossimi_passi="Nuova seduta a maggio.")
    with django_capture_on_commit_callbacks(execute=True):
        verbale = sv.verbale_approva(verbale=verbale, utente=udp, modalita="coordinatore")
    documento = Documento.objects.get(pk=verbale.documento_id)
    assert documento.stato == Documento.Stato.PRONTO and documento.sigillato

    contesto = contesto_atto(documento)
    assert contesto["discussione"] == [
        {"punto": "Comunicazioni", "testo": "Il coordinatore apre la seduta."},
        {"punto": "Bisogni rilevati", "testo": ""},
    ]
    assert {p.nominativo for p in contesto["presenze"]} >= {"Anna Verdi"}
    assert [b.pk for b in contesto["bisogni"]] == [bisogno.pk]
    html = render_to_string("atti/verbale_tavolo.html", contesto)
    for atteso in ("Tavolo Anziani", "Anna Verdi", "Caritas diocesana", "Mancano pasti a domicilio",
                   "Centro diurno «Il Glicine»", "Pasti anche nel fine settimana", "Mappare i servizi domiciliari.",
                   "Nuova seduta a maggio.", "è stato approvato da"):
        assert atteso in html, atteso


def test_the_act_says_at_which_session_the_minutes_were_approved(mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    tavolo = _tavolo(mondo, 0)
    prima, seconda = _svolta(tavolo, udp, giorni_fa=10), _svolta(tavolo, udp, giorni_fa=1)
    verbale = sv.verbale_garantisci(seduta=prima, utente=udp)
    verbale = sv.verbale_approva(verbale=verbale, utente=udp, modalita="seduta", seduta_approvazione=seconda)
    html = render_to_string("atti/verbale_tavolo.html", contesto_atto(verbale.documento))
    assert f"approvato nella seduta n. {seconda.numero} del" in html

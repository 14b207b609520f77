"""Sessions of a tavolo as a specification: how they are numbered, convened and cancelled,
and how the attendance register marks them as held."""

import datetime

import pytest
from django.utils import timezone

from ambiti.exceptions import DatiNonValidi, TransizioneNonAmmessa
from tavoli import services_membri_tavolo as sm
from tavoli import services_sedute_tavolo as sst
from tavoli import services_tavoli as st
from tavoli.models import EventoTavolo, MembroTavolo, PresenzaTavolo, SedutaTavolo

from ..factories import UtenteFactory
from . import conftest_services_tavoli
from .conftest_services_tavoli import A, arriva, ente_di

scena = conftest_services_tavoli.scena  # the fixture, for this module


# --- sessions ----------------------------------------------------------------------------------

def test_sessions_are_numbered_per_tavolo(scena):
    assert [scena.seduta().numero, scena.seduta(giorni=5).numero] == [1, 2]
    altro = st.tavolo_crea(piano=scena.mondo.piano, area=st.aree_della_regione(scena.mondo.ambito.asl.regione)[1],
                           coordinatore=scena.coordinatore, utente=scena.udp)
    seduta = sst.seduta_crea(tavolo=altro, utente=scena.udp, data=timezone.now() + datetime.timedelta(days=1),
                             ordine_del_giorno="Avvio", collegamento="https://meet.example.it/disabilita")
    assert seduta.numero == 1


def test_a_session_already_held_can_be_recorded_but_not_convened(scena):
    seduta = scena.seduta(giorni=-3)
    assert seduta.stato == SedutaTavolo.Stato.BOZZA
    with pytest.raises(DatiNonValidi, match="già passata"):
        sst.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
    sst.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[], ospiti=[
        {"nominativo": "Ospite", "ente_nome": "Associazione"}])
    seduta.refresh_from_db()
    assert seduta.stato == SedutaTavolo.Stato.SVOLTA


def test_a_session_needs_a_place_or_link_and_its_own_focus_group(scena):
    altro = st.tavolo_crea(piano=scena.mondo.piano, area=st.aree_della_regione(scena.mondo.ambito.asl.regione)[1],
                           coordinatore=scena.coordinatore, utente=scena.udp)
    focus_altrui = st.focus_group_crea(tavolo=altro, nome="Scuola", tema="", referente=None, membri=[],
                                       utente=scena.udp)
    with pytest.raises(DatiNonValidi) as errore:
        scena.seduta(giorni=-1, luogo="", focus_group=focus_altrui)
    assert errore.value.messaggi == [
        "Indica il luogo della seduta oppure il collegamento online.",
        "Il focus-group indicato non è di questo tavolo.",
    ]
    with pytest.raises(DatiNonValidi, match="indirizzo web"):
        scena.seduta(luogo="", collegamento="non un indirizzo")
    assert not SedutaTavolo.objects.exists()


def test_convocation_mails_active_members_with_an_ics_after_commit(scena, django_capture_on_commit_callbacks,
                                                                   mailoutbox):
    scena.aggiungi_membro(username="senza-posta", email="")
    sm.membro_invita(tavolo=scena.tavolo, invitato=UtenteFactory(username="in-attesa"), ente=None,
                     utente=scena.coordinatore)
    seduta = scena.seduta()
    with django_capture_on_commit_callbacks(execute=False) as richiami:
        sst.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
    assert mailoutbox == [] and len(richiami) == 1  # nothing leaves before the commit
    richiami[0]()
    assert sorted(m.to[0] for m in mailoutbox) == ["coordinatrice@example.it", "u-referente_terzo_settore@example.it"]
    messaggio = mailoutbox[0]
    assert "È convocata la seduta n. 1" in messaggio.body and "Bisogni degli anziani soli" in messaggio.body
    nome, ics, tipo = messaggio.attachments[0]
    assert nome == "seduta.ics" and "method=REQUEST" in tipo and "METHOD:REQUEST" in ics
    seduta.refresh_from_db()
    assert seduta.stato == SedutaTavolo.Stato.CONVOCATA
    assert EventoTavolo.objects.filter(seduta=seduta, azione=A.SEDUTA_CONVOCATA).exists()


def test_a_focus_group_session_is_convened_to_its_members_and_the_coordinator(
        scena, django_capture_on_commit_callbacks, mailoutbox):
    scena.aggiungi_membro(username="fuori-dal-gruppo")
    focus = st.focus_group_crea(tavolo=scena.tavolo, nome="Caregiver", tema="Sollievo", referente=None,
                                membri=[scena.membro], utente=scena.coordinatore)
    seduta = scena.seduta(focus_group=focus)
    with django_capture_on_commit_callbacks(execute=True):
        sst.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
    assert sorted(m.to[0] for m in mailoutbox) == ["coordinatrice@example.it", "u-referente_terzo_settore@example.it"]
    assert "Focus-group «Caregiver»" in mailoutbox[0].body


def test_cancelling_a_convened_session_sends_a_calendar_cancellation(scena, django_capture_on_commit_callbacks,
                                                                     mailoutbox):
    seduta = scena.seduta()
    sst.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi, match="motivo"):
        sst.seduta_annulla(seduta=seduta, utente=scena.coordinatore, motivo=" ")
    with django_capture_on_commit_callbacks(execute=True):
        sst.seduta_annulla(seduta=seduta, utente=scena.coordinatore, motivo="Sala non disponibile.")
    assert len(mailoutbox) == 2
    assert "Sala non disponibile." in mailoutbox[0].body
    assert "METHOD:CANCEL" in mailoutbox[0].attachments[0][1]


def test_a_session_whose_date_has_passed_cannot_be_convened(scena):
    seduta = scena.seduta()
    arriva(seduta)
    with pytest.raises(DatiNonValidi, match="già passata"):
        sst.seduta_convoca(seduta=seduta, utente=scena.coordinatore)


# --- attendance --------------------------------------------------------------------------------

def test_attendance_is_refused_before_the_session_starts(scena):
    seduta = scena.seduta()
    with pytest.raises(TransizioneNonAmmessa, match="dall'inizio della seduta"):
        sst.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[scena.membro], ospiti=[])
    seduta.refresh_from_db()
    assert seduta.stato == SedutaTavolo.Stato.BOZZA and not seduta.presenze.exists()


def test_attendance_replaces_the_register_and_marks_the_session_held(scena):
    seduta = scena.svolta(membri=[scena.membro])
    assert seduta.stato == SedutaTavolo.Stato.SVOLTA
    [presenza] = seduta.presenze.all()
    assert (presenza.membro, presenza.ente) == (scena.membro, ente_di(scena.referente))
    coordinatore = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.coordinatore)
    sst.presenze_registra(seduta=seduta, utente=scena.udp, membri=[coordinatore],
                          ospiti=[{"nominativo": "Anna Verdi", "ente_nome": "Istituto comprensivo"}])
    assert sorted(seduta.presenze.values_list("nominativo", flat=True)) == ["Anna Verdi", "Carla Neri"]
    assert EventoTavolo.objects.filter(seduta=seduta, azione=A.SEDUTA_SVOLTA).count() == 1


def test_attendance_accepts_only_active_members_and_named_guests(scena):
    seduta = scena.seduta()
    arriva(seduta)
    uscito = scena.aggiungi_membro()
    sm.membro_rimuovi(membro=uscito, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi) as errore:
        sst.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[scena.membro, uscito],
                              ospiti=[{"nominativo": "", "ente_nome": "Caritas"}])
    assert len(errore.value.messaggi) == 2 and "Caritas" in errore.value.messaggi[1]
    seduta.refresh_from_db()
    assert seduta.stato == SedutaTavolo.Stato.BOZZA and not PresenzaTavolo.objects.exists()

"""Members of a tavolo as a specification: invitations and their answer, requests to join
for a body and the decision on them, and who leaves or is removed."""

import pytest

from ambiti.exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from tavoli import services_membri_tavolo as sm
from tavoli import services_tavoli as st
from tavoli.models import MembroTavolo

from ..factories import EnteFactory, UtenteFactory, utente_con_ruolo
from . import conftest_services_tavoli
from .conftest_services_tavoli import R, ente_di

scena = conftest_services_tavoli.scena  # the fixture, for this module


# --- members -----------------------------------------------------------------------------------

def test_invited_person_gets_an_email_and_alone_answers(scena, django_capture_on_commit_callbacks, mailoutbox):
    invitata = UtenteFactory(username="invitata")
    with django_capture_on_commit_callbacks(execute=True):
        membro = sm.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.coordinatore)
    assert [m.to for m in mailoutbox] == [["invitata@example.it"]]
    assert "invita a partecipare al tavolo tematico «Tavolo Anziani»" in mailoutbox[0].body
    with pytest.raises(PermessoNegato):
        sm.invito_rispondi(membro=membro, utente=scena.coordinatore, accetta=True)
    assert sm.invito_rispondi(membro=membro, utente=invitata, accetta=True).stato == MembroTavolo.Stato.ATTIVO


def test_a_declined_invitation_can_be_renewed_on_the_same_row(scena):
    invitata = UtenteFactory()
    membro = sm.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.coordinatore)
    assert sm.invito_rispondi(membro=membro, utente=invitata, accetta=False).stato == MembroTavolo.Stato.DECLINATO
    with pytest.raises(TransizioneNonAmmessa):
        sm.invito_rispondi(membro=membro, utente=invitata, accetta=True)
    di_nuovo = sm.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.udp)
    assert (di_nuovo.pk, di_nuovo.stato) == (membro.pk, MembroTavolo.Stato.INVITATO)
    with pytest.raises(DatiNonValidi, match="attende risposta"):
        sm.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.udp)


def test_terzo_settore_request_reaches_the_coordinator_and_a_refusal_needs_a_reason(
        scena, django_capture_on_commit_callbacks, mailoutbox):
    richiedente = utente_con_ruolo(R.REFERENTE_TERZO_SETTORE, scena.mondo.ambito, username="ets")
    assert st.puo_chiedere_adesione(richiedente, scena.tavolo)
    with django_capture_on_commit_callbacks(execute=True):
        membro = sm.adesione_chiedi(tavolo=scena.tavolo, utente=richiedente, ente=ente_di(richiedente),
                                    messaggio="Gestiamo il servizio di pasti a domicilio.")
    assert membro.stato == MembroTavolo.Stato.RICHIESTA
    assert [m.to for m in mailoutbox] == [["coordinatrice@example.it"]]
    assert "pasti a domicilio" in mailoutbox[0].body
    assert not st.puo_chiedere_adesione(richiedente, scena.tavolo)
    with pytest.raises(PermessoNegato):
        sm.adesione_decidi(membro=membro, utente=scena.referente, accetta=True)
    with pytest.raises(DatiNonValidi, match="motivo"):
        sm.adesione_decidi(membro=membro, utente=scena.coordinatore, accetta=False)
    with django_capture_on_commit_callbacks(execute=True):
        sm.adesione_decidi(membro=membro, utente=scena.coordinatore, accetta=False, motivo="Posti esauriti.")
    assert mailoutbox[-1].to == ["ets@example.it"] and "Posti esauriti." in mailoutbox[-1].body
    assert st.puo_chiedere_adesione(richiedente, scena.tavolo)  # may ask again later


def test_an_accepted_request_makes_an_active_member_for_the_body(scena):
    richiedente = utente_con_ruolo(R.REFERENTE_TERZO_SETTORE, scena.mondo.ambito)
    membro = sm.adesione_chiedi(tavolo=scena.tavolo, utente=richiedente, ente=ente_di(richiedente), messaggio="")
    membro = sm.adesione_decidi(membro=membro, utente=scena.udp, accetta=True)
    assert (membro.stato, membro.ente) == (MembroTavolo.Stato.ATTIVO, ente_di(richiedente))
    assert st.membro_attivo(richiedente, scena.tavolo) == membro


def test_a_request_is_only_for_a_body_the_person_holds_a_role_for(scena):
    richiedente = utente_con_ruolo(R.REFERENTE_TERZO_SETTORE, scena.mondo.ambito)
    with pytest.raises(DatiNonValidi, match="incarico"):
        sm.adesione_chiedi(tavolo=scena.tavolo, utente=richiedente, ente=EnteFactory(), messaggio="")
    assert not MembroTavolo.objects.filter(utente=richiedente).exists()


def test_people_without_partecipa_tavoli_may_not_ask_to_join(scena):
    sindaco = scena.mondo[R.SINDACO]
    with pytest.raises(PermessoNegato):
        sm.adesione_chiedi(tavolo=scena.tavolo, utente=sindaco, ente=ente_di(sindaco), messaggio="")


def test_the_coordinator_stays_a_member_others_can_be_removed(scena):
    coordinatore = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi, match="coordinatore"):
        sm.membro_rimuovi(membro=coordinatore, utente=scena.udp)
    focus = st.focus_group_crea(tavolo=scena.tavolo, nome="Caregiver", tema="", referente=None,
                                membri=[scena.membro], utente=scena.coordinatore)
    sm.membro_rimuovi(membro=scena.membro, utente=scena.coordinatore, motivo="Ha cambiato ente.")
    assert st.membro_attivo(scena.referente, scena.tavolo) is None
    assert not focus.membri.exists()

"""The tavoli tematici as a specification: who sets them up and joins them, how sessions are
numbered, convened and held, what contributions are accepted, and how minutes go from draft
to an approved act."""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accordi.models import Documento, PianoDiZona, Stato
from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa
from ambiti.models import Ente, Incarico, Utente
from tavoli import services_tavoli as st
from tavoli.models import (
    AreaIntervento,
    Bisogno,
    EventoTavolo,
    MembroTavolo,
    PresenzaTavolo,
    SedutaTavolo,
    Tavolo,
    VerbaleTavolo,
)

from ..conftest import Mondo
from ..factories import (
    AreaInterventoFactory,
    ComuneFactory,
    EnteFactory,
    RegioneFactory,
    TipoUnitaOffertaFactory,
    UtenteFactory,
    utente_con_ruolo,
)

R = Incarico.Ruolo
A = EventoTavolo.Azione
ORDINE = "Comunicazioni\nBisogni degli anziani soli\nVarie"


@dataclass
class Scena:
    mondo: Mondo
    tavolo: Tavolo
    area: AreaIntervento
    udp: Utente
    coordinatore: Utente
    referente: Utente
    membro: MembroTavolo

    def seduta(self, *, utente=None, giorni=3, **campi) -> SedutaTavolo:
        valori = {"data": timezone.now() + datetime.timedelta(days=giorni), "ordine_del_giorno": ORDINE,
                  "luogo": "Sala Giunta"}
        valori.update(campi)
        return st.seduta_crea(tavolo=self.tavolo, utente=utente or self.coordinatore, **valori)

    def svolta(self, *, giorni_fa=1, membri=None, **campi) -> SedutaTavolo:
        seduta = self.seduta(**campi)
        arriva(seduta, giorni_fa)
        st.presenze_registra(seduta=seduta, utente=self.coordinatore, membri=membri or [self.membro], ospiti=[])
        seduta.refresh_from_db()
        return seduta

    def aggiungi_membro(self, **campi) -> MembroTavolo:
        persona = UtenteFactory(**campi)
        membro = st.membro_invita(tavolo=self.tavolo, invitato=persona, ente=None, utente=self.coordinatore)
        return st.invito_rispondi(membro=membro, utente=persona, accetta=True)


def arriva(seduta: SedutaTavolo, giorni_fa: int = 1) -> None:
    """The session's time comes: its date moves into the past (the services refuse past dates,
    so tests move the clock of the session instead of the world's)."""
    SedutaTavolo.objects.filter(pk=seduta.pk).update(data=timezone.now() - datetime.timedelta(days=giorni_fa))
    seduta.refresh_from_db()


def ente_di(persona) -> Ente:
    return persona.incarichi.get().ente


@pytest.fixture
def scena(mondo) -> Scena:
    udp = mondo[R.RESPONSABILE_UDP]
    coordinatore = UtenteFactory(username="coordinatrice", first_name="Carla", last_name="Neri")
    area = st.aree_della_regione(mondo.ambito.asl.regione)[0]
    tavolo = st.tavolo_crea(piano=mondo.piano, area=area, coordinatore=coordinatore, utente=udp,
                            mandato="Mappa dei bisogni degli anziani soli entro marzo.")
    referente = mondo[R.REFERENTE_TERZO_SETTORE]
    membro = st.membro_invita(tavolo=tavolo, invitato=referente, ente=ente_di(referente), utente=coordinatore)
    membro = st.invito_rispondi(membro=membro, utente=referente, accetta=True)
    return Scena(mondo=mondo, tavolo=tavolo, area=area, udp=udp, coordinatore=coordinatore, referente=referente,
                 membro=membro)


# --- areas and tavoli --------------------------------------------------------------------------

def test_a_region_gets_the_default_areas_once(db):
    regione = RegioneFactory(codice_istat="09", nome="Toscana")
    aree = st.aree_della_regione(regione)
    assert [a.nome for a in aree][:3] == ["Anziani", "Disabilità", "Minori e famiglia"]
    AreaIntervento.objects.filter(regione=regione, codice="giovani").update(attiva=False)
    assert len(st.aree_della_regione(regione)) == len(aree) - 1
    assert AreaIntervento.objects.filter(regione=regione).count() == len(aree)


def test_only_the_udp_of_the_plan_sets_up_a_tavolo(mondo):
    area = st.aree_della_regione(mondo.ambito.asl.regione)[1]
    for estraneo in (mondo.udp_altro, mondo[R.PRESIDENTE_ASSEMBLEA], mondo[R.REFERENTE_TERZO_SETTORE]):
        with pytest.raises(PermessoNegato):
            st.tavolo_crea(piano=mondo.piano, area=area, coordinatore=estraneo, utente=estraneo)
    assert not Tavolo.objects.exists()


def test_the_coordinator_becomes_an_active_member_and_creation_is_logged(scena):
    riga = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.coordinatore)
    assert riga.stato == MembroTavolo.Stato.ATTIVO
    assert scena.tavolo.nome == "Tavolo Anziani"
    assert EventoTavolo.objects.filter(tavolo=scena.tavolo, azione=A.TAVOLO_CREATO, utente=scena.udp).exists()


def test_one_tavolo_per_plan_and_area(scena):
    with pytest.raises(DatiNonValidi, match="ha già un tavolo per l'area «Anziani»"):
        st.tavolo_crea(piano=scena.mondo.piano, area=scena.area, coordinatore=scena.coordinatore, utente=scena.udp)


def test_the_area_must_be_one_of_the_plan_s_region(mondo):
    estranea = AreaInterventoFactory(regione=RegioneFactory(codice_istat="09", nome="Toscana"), nome="Anziani")
    with pytest.raises(DatiNonValidi, match="regione del piano"):
        st.tavolo_crea(piano=mondo.piano, area=estranea, coordinatore=mondo[R.OPERATORE_UDP],
                       utente=mondo[R.RESPONSABILE_UDP])


def test_tavoli_are_set_up_only_while_the_plan_is_prepared(mondo):
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato=Stato.PARERE_SINDACATI)
    area = st.aree_della_regione(mondo.ambito.asl.regione)[0]
    with pytest.raises(TransizioneNonAmmessa, match="Parere dei sindacati"):
        st.tavolo_crea(piano=mondo.piano, area=area, coordinatore=mondo[R.OPERATORE_UDP],
                       utente=mondo[R.RESPONSABILE_UDP])


@pytest.mark.parametrize(("chi", "legge"), [
    (R.RESPONSABILE_UDP, True), (R.SINDACO, True), (R.PRESIDENTE_ASSEMBLEA, True), (R.REFERENTE_ASL, True),
    (R.REFERENTE_SINDACATO, False), (R.COMPONENTE_TAVOLO, False),
])
def test_who_reads_a_tavolo_by_role_in_the_ambito(scena, chi, legge):
    assert st.puo_leggere(scena.mondo[chi], scena.tavolo) is legge


def test_members_coordinator_and_regional_officers_read_outsiders_do_not(scena):
    assert st.puo_leggere(scena.referente, scena.tavolo)
    assert st.puo_leggere(scena.coordinatore, scena.tavolo)
    assert st.puo_leggere(scena.mondo.regionale, scena.tavolo)
    assert not st.puo_leggere(scena.mondo.udp_altro, scena.tavolo)
    assert not st.puo_leggere(AnonymousUser(), scena.tavolo)


def test_the_udp_of_another_ambito_may_not_run_the_tavolo(scena):
    altro = scena.mondo.udp_altro
    assert not st.puo_coordinare(altro, scena.tavolo)
    with pytest.raises(PermessoNegato):
        st.membro_invita(tavolo=scena.tavolo, invitato=altro, ente=None, utente=altro)
    with pytest.raises(PermessoNegato):
        scena.seduta(utente=altro)


def test_only_the_udp_names_another_coordinator_or_closes_the_tavolo(scena):
    st.tavolo_modifica(tavolo=scena.tavolo, utente=scena.coordinatore, mandato="Nuovo mandato")
    with pytest.raises(PermessoNegato):
        st.tavolo_modifica(tavolo=scena.tavolo, utente=scena.coordinatore, chiuso=True)
    st.tavolo_modifica(tavolo=scena.tavolo, utente=scena.udp, coordinatore=scena.referente, chiuso=True)
    scena.tavolo.refresh_from_db()
    assert (scena.tavolo.mandato, scena.tavolo.coordinatore, scena.tavolo.attivo) == (
        "Nuovo mandato", scena.referente, False)
    with pytest.raises(TransizioneNonAmmessa, match="chiuso"):
        scena.seduta(utente=scena.udp)


# --- members -----------------------------------------------------------------------------------

def test_invited_person_gets_an_email_and_alone_answers(scena, django_capture_on_commit_callbacks, mailoutbox):
    invitata = UtenteFactory(username="invitata")
    with django_capture_on_commit_callbacks(execute=True):
        membro = st.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.coordinatore)
    assert [m.to for m in mailoutbox] == [["invitata@example.it"]]
    assert "invita a partecipare al tavolo tematico «Tavolo Anziani»" in mailoutbox[0].body
    with pytest.raises(PermessoNegato):
        st.invito_rispondi(membro=membro, utente=scena.coordinatore, accetta=True)
    assert st.invito_rispondi(membro=membro, utente=invitata, accetta=True).stato == MembroTavolo.Stato.ATTIVO


def test_a_declined_invitation_can_be_renewed_on_the_same_row(scena):
    invitata = UtenteFactory()
    membro = st.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.coordinatore)
    assert st.invito_rispondi(membro=membro, utente=invitata, accetta=False).stato == MembroTavolo.Stato.DECLINATO
    with pytest.raises(TransizioneNonAmmessa):
        st.invito_rispondi(membro=membro, utente=invitata, accetta=True)
    di_nuovo = st.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.udp)
    assert (di_nuovo.pk, di_nuovo.stato) == (membro.pk, MembroTavolo.Stato.INVITATO)
    with pytest.raises(DatiNonValidi, match="attende risposta"):
        st.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.udp)


def test_terzo_settore_request_reaches_the_coordinator_and_a_refusal_needs_a_reason(
        scena, django_capture_on_commit_callbacks, mailoutbox):
    richiedente = utente_con_ruolo(R.REFERENTE_TERZO_SETTORE, scena.mondo.ambito, username="ets")
    assert st.puo_chiedere_adesione(richiedente, scena.tavolo)
    with django_capture_on_commit_callbacks(execute=True):
        membro = st.adesione_chiedi(tavolo=scena.tavolo, utente=richiedente, ente=ente_di(richiedente),
                                    messaggio="Gestiamo il servizio di pasti a domicilio.")
    assert membro.stato == MembroTavolo.Stato.RICHIESTA
    assert [m.to for m in mailoutbox] == [["coordinatrice@example.it"]]
    assert "pasti a domicilio" in mailoutbox[0].body
    assert not st.puo_chiedere_adesione(richiedente, scena.tavolo)
    with pytest.raises(PermessoNegato):
        st.adesione_decidi(membro=membro, utente=scena.referente, accetta=True)
    with pytest.raises(DatiNonValidi, match="motivo"):
        st.adesione_decidi(membro=membro, utente=scena.coordinatore, accetta=False)
    with django_capture_on_commit_callbacks(execute=True):
        st.adesione_decidi(membro=membro, utente=scena.coordinatore, accetta=False, motivo="Posti esauriti.")
    assert mailoutbox[-1].to == ["ets@example.it"] and "Posti esauriti." in mailoutbox[-1].body
    assert st.puo_chiedere_adesione(richiedente, scena.tavolo)  # may ask again later


def test_an_accepted_request_makes_an_active_member_for_the_body(scena):
    richiedente = utente_con_ruolo(R.REFERENTE_TERZO_SETTORE, scena.mondo.ambito)
    membro = st.adesione_chiedi(tavolo=scena.tavolo, utente=richiedente, ente=ente_di(richiedente), messaggio="")
    membro = st.adesione_decidi(membro=membro, utente=scena.udp, accetta=True)
    assert (membro.stato, membro.ente) == (MembroTavolo.Stato.ATTIVO, ente_di(richiedente))
    assert st.membro_attivo(richiedente, scena.tavolo) == membro


def test_a_request_is_only_for_a_body_the_person_holds_a_role_for(scena):
    richiedente = utente_con_ruolo(R.REFERENTE_TERZO_SETTORE, scena.mondo.ambito)
    with pytest.raises(DatiNonValidi, match="incarico"):
        st.adesione_chiedi(tavolo=scena.tavolo, utente=richiedente, ente=EnteFactory(), messaggio="")
    assert not MembroTavolo.objects.filter(utente=richiedente).exists()


def test_people_without_partecipa_tavoli_may_not_ask_to_join(scena):
    sindaco = scena.mondo[R.SINDACO]
    with pytest.raises(PermessoNegato):
        st.adesione_chiedi(tavolo=scena.tavolo, utente=sindaco, ente=ente_di(sindaco), messaggio="")


def test_the_coordinator_stays_a_member_others_can_be_removed(scena):
    coordinatore = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi, match="coordinatore"):
        st.membro_rimuovi(membro=coordinatore, utente=scena.udp)
    focus = st.focus_group_crea(tavolo=scena.tavolo, nome="Caregiver", tema="", referente=None,
                                membri=[scena.membro], utente=scena.coordinatore)
    st.membro_rimuovi(membro=scena.membro, utente=scena.coordinatore, motivo="Ha cambiato ente.")
    assert st.membro_attivo(scena.referente, scena.tavolo) is None
    assert not focus.membri.exists()


def test_focus_group_members_must_be_active_members_of_the_tavolo(scena):
    invitata = UtenteFactory()
    in_attesa = st.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi, match="non è un componente attivo"):
        st.focus_group_crea(tavolo=scena.tavolo, nome="Caregiver", tema="", referente=None,
                            membri=[scena.membro, in_attesa], utente=scena.coordinatore)
    assert not scena.tavolo.focus_group.exists()


# --- sessions ----------------------------------------------------------------------------------

def test_sessions_are_numbered_per_tavolo(scena):
    assert [scena.seduta().numero, scena.seduta(giorni=5).numero] == [1, 2]
    altro = st.tavolo_crea(piano=scena.mondo.piano, area=st.aree_della_regione(scena.mondo.ambito.asl.regione)[1],
                           coordinatore=scena.coordinatore, utente=scena.udp)
    seduta = st.seduta_crea(tavolo=altro, utente=scena.udp, data=timezone.now() + datetime.timedelta(days=1),
                            ordine_del_giorno="Avvio", collegamento="https://meet.example.it/disabilita")
    assert seduta.numero == 1


def test_a_session_already_held_can_be_recorded_but_not_convened(scena):
    seduta = scena.seduta(giorni=-3)
    assert seduta.stato == SedutaTavolo.Stato.BOZZA
    with pytest.raises(DatiNonValidi, match="già passata"):
        st.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
    st.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[], ospiti=[
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
    st.membro_invita(tavolo=scena.tavolo, invitato=UtenteFactory(username="in-attesa"), ente=None,
                     utente=scena.coordinatore)
    seduta = scena.seduta()
    with django_capture_on_commit_callbacks(execute=False) as richiami:
        st.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
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
        st.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
    assert sorted(m.to[0] for m in mailoutbox) == ["coordinatrice@example.it", "u-referente_terzo_settore@example.it"]
    assert "Focus-group «Caregiver»" in mailoutbox[0].body


def test_cancelling_a_convened_session_sends_a_calendar_cancellation(scena, django_capture_on_commit_callbacks,
                                                                     mailoutbox):
    seduta = scena.seduta()
    st.seduta_convoca(seduta=seduta, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi, match="motivo"):
        st.seduta_annulla(seduta=seduta, utente=scena.coordinatore, motivo=" ")
    with django_capture_on_commit_callbacks(execute=True):
        st.seduta_annulla(seduta=seduta, utente=scena.coordinatore, motivo="Sala non disponibile.")
    assert len(mailoutbox) == 2
    assert "Sala non disponibile." in mailoutbox[0].body
    assert "METHOD:CANCEL" in mailoutbox[0].attachments[0][1]


def test_a_session_whose_date_has_passed_cannot_be_convened(scena):
    seduta = scena.seduta()
    arriva(seduta)
    with pytest.raises(DatiNonValidi, match="già passata"):
        st.seduta_convoca(seduta=seduta, utente=scena.coordinatore)


# --- attendance --------------------------------------------------------------------------------

def test_attendance_is_refused_before_the_session_starts(scena):
    seduta = scena.seduta()
    with pytest.raises(TransizioneNonAmmessa, match="dall'inizio della seduta"):
        st.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[scena.membro], ospiti=[])
    seduta.refresh_from_db()
    assert seduta.stato == SedutaTavolo.Stato.BOZZA and not seduta.presenze.exists()


def test_attendance_replaces_the_register_and_marks_the_session_held(scena):
    seduta = scena.svolta(membri=[scena.membro])
    assert seduta.stato == SedutaTavolo.Stato.SVOLTA
    [presenza] = seduta.presenze.all()
    assert (presenza.membro, presenza.ente) == (scena.membro, ente_di(scena.referente))
    coordinatore = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.coordinatore)
    st.presenze_registra(seduta=seduta, utente=scena.udp, membri=[coordinatore],
                         ospiti=[{"nominativo": "Anna Verdi", "ente_nome": "Istituto comprensivo"}])
    assert sorted(seduta.presenze.values_list("nominativo", flat=True)) == ["Anna Verdi", "Carla Neri"]
    assert EventoTavolo.objects.filter(seduta=seduta, azione=A.SEDUTA_SVOLTA).count() == 1


def test_attendance_accepts_only_active_members_and_named_guests(scena):
    seduta = scena.seduta()
    arriva(seduta)
    uscito = scena.aggiungi_membro()
    st.membro_rimuovi(membro=uscito, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi) as errore:
        st.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[scena.membro, uscito],
                             ospiti=[{"nominativo": "", "ente_nome": "Caritas"}])
    assert len(errore.value.messaggi) == 2 and "Caritas" in errore.value.messaggi[1]
    seduta.refresh_from_db()
    assert seduta.stato == SedutaTavolo.Stato.BOZZA and not PresenzaTavolo.objects.exists()


# --- contributions -----------------------------------------------------------------------------

def test_contributions_only_in_held_sessions_and_by_its_participants(scena):
    prevista = scena.seduta()
    with pytest.raises(TransizioneNonAmmessa, match="svolte"):
        st.bisogno_registra(seduta=prevista, utente=scena.referente, destinatari="Anziani soli",
                            descrizione="Solitudine")
    svolta = scena.svolta()
    assert not st.puo_contribuire(scena.mondo[R.SINDACO], svolta)
    with pytest.raises(PermessoNegato):
        st.bisogno_registra(seduta=svolta, utente=scena.mondo[R.SINDACO], destinatari="Anziani soli",
                            descrizione="Solitudine")


def test_a_need_defaults_to_the_tavolo_s_area_and_the_member_s_body(scena):
    seduta = scena.svolta()
    comune = scena.mondo.ambito.comuni.first()
    bisogno = st.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari=" Anziani soli ",
                                  descrizione="Mancano pasti a domicilio nel fine settimana.", priorita="alta",
                                  comuni=[comune])
    assert (bisogno.area, bisogno.ente, bisogno.destinatari) == (scena.area, ente_di(scena.referente), "Anziani soli")
    assert list(bisogno.comuni.all()) == [comune]
    assert EventoTavolo.objects.filter(seduta=seduta, azione=A.CONTRIBUTO, utente=scena.referente).exists()


def test_contributions_stay_within_the_plan_s_region_and_comuni(scena):
    seduta = scena.svolta()
    toscana = RegioneFactory(codice_istat="09", nome="Toscana")
    with pytest.raises(DatiNonValidi) as errore:
        st.bisogno_registra(seduta=seduta, utente=scena.coordinatore, destinatari="Anziani", descrizione="x",
                            area=AreaInterventoFactory(regione=toscana), comuni=[ComuneFactory(denominazione="Siena")],
                            priorita="urgentissima")
    assert len(errore.value.messaggi) == 3
    with pytest.raises(DatiNonValidi, match="catalogo in uso"):
        st.offerta_registra(seduta=seduta, utente=scena.coordinatore, tipo=TipoUnitaOffertaFactory(regione=toscana),
                            denominazione="Centro diurno", comune=scena.mondo.ambito.comuni.first())
    unita = st.offerta_registra(seduta=seduta, utente=scena.coordinatore, tipo=TipoUnitaOffertaFactory(),
                                denominazione="Centro diurno", comune=scena.mondo.ambito.comuni.first(), capacita=20)
    assert unita.capacita == 20
    assert Bisogno.objects.count() == 0


def test_a_member_records_contributions_only_for_their_own_body(scena):
    seduta = scena.svolta()
    with pytest.raises(DatiNonValidi, match="proprio ente"):
        st.proposta_registra(seduta=seduta, utente=scena.referente, titolo="Custode sociale",
                             descrizione="Un custode per condominio.", ente=EnteFactory())
    assert st.proposta_registra(seduta=seduta, utente=scena.coordinatore, titolo="Custode sociale",
                                descrizione="Un custode per condominio.", ente=EnteFactory()).pk


def test_a_contribution_is_edited_by_its_author_or_the_coordinator(scena):
    seduta = scena.svolta()
    altro = scena.aggiungi_membro()
    bisogno = st.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari="Anziani soli",
                                  descrizione="Solitudine")
    with pytest.raises(PermessoNegato):
        st.contributo_modifica(contributo=bisogno, utente=altro.utente, descrizione="Altro")
    with pytest.raises(DatiNonValidi, match="seduta"):
        st.contributo_modifica(contributo=bisogno, utente=scena.referente, seduta=None)
    st.contributo_modifica(contributo=bisogno, utente=scena.referente, priorita="alta")
    st.contributo_modifica(contributo=bisogno, utente=scena.coordinatore, descrizione="Solitudine e isolamento")
    bisogno.refresh_from_db()
    assert (bisogno.priorita, bisogno.descrizione) == ("alta", "Solitudine e isolamento")
    assert EventoTavolo.objects.filter(azione=A.CONTRIBUTO_MODIFICATO).count() == 2


def test_approved_minutes_freeze_the_session_s_contributions_and_attendance(scena):
    seduta = scena.svolta()
    bisogno = st.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari="Anziani", descrizione="x")
    verbale = st.verbale_garantisci(seduta=seduta, utente=scena.coordinatore)
    st.verbale_approva(verbale=verbale, utente=scena.coordinatore, modalita="coordinatore")
    with pytest.raises(TransizioneNonAmmessa, match="approvato"):
        st.contributo_modifica(contributo=bisogno, utente=scena.coordinatore, descrizione="y")
    with pytest.raises(TransizioneNonAmmessa, match="approvato"):
        st.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari="Anziani", descrizione="z")
    with pytest.raises(TransizioneNonAmmessa, match="approvato"):
        st.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[scena.membro], ospiti=[])
    bisogno.refresh_from_db()
    assert bisogno.descrizione == "x" and Bisogno.objects.count() == 1


def test_a_proposal_answers_needs_of_the_same_plan_only(scena):
    seduta = scena.svolta()
    altrui = Bisogno.objects.create(
        seduta=SedutaTavolo.objects.create(
            tavolo=Tavolo.objects.create(piano=scena.mondo.piano_altro, area=scena.area, nome="Altro",
                                         coordinatore=scena.udp, creato_da=scena.udp),
            numero=1, data=timezone.now(), luogo="Sala", ordine_del_giorno="x", creata_da=scena.udp),
        area=scena.area, registrato_da=scena.udp, destinatari="Minori", descrizione="x")
    with pytest.raises(DatiNonValidi, match="non è stato raccolto"):
        st.proposta_registra(seduta=seduta, utente=scena.coordinatore, titolo="T", descrizione="D", bisogni=[altrui])


# --- minutes -----------------------------------------------------------------------------------

def test_minutes_open_only_for_held_sessions_with_one_entry_per_agenda_item(scena):
    with pytest.raises(TransizioneNonAmmessa, match="dopo lo svolgimento"):
        st.verbale_garantisci(seduta=scena.seduta(), utente=scena.coordinatore)
    seduta = scena.svolta()
    with pytest.raises(PermessoNegato):
        st.verbale_garantisci(seduta=seduta, utente=scena.referente)
    verbale = st.verbale_garantisci(seduta=seduta, utente=scena.coordinatore)
    assert verbale.discussione == [{"punto": p, "testo": ""} for p in ORDINE.splitlines()]
    assert st.verbale_garantisci(seduta=seduta, utente=scena.udp).pk == verbale.pk


def test_a_stale_save_of_the_minutes_is_refused_and_saves_nothing(scena):
    verbale = st.verbale_garantisci(seduta=scena.svolta(), utente=scena.coordinatore)
    voci = [{"punto": "Comunicazioni", "testo": "Nessuna."}]
    salvato = st.verbale_salva(verbale=verbale, utente=scena.udp, versione=1, discussione=voci,
                               decisioni="Mappare i servizi.", prossimi_passi="")
    assert salvato.versione == 2
    with pytest.raises(StatoCambiato, match="Qualcun altro ha salvato il verbale nel frattempo"):
        st.verbale_salva(verbale=verbale, utente=scena.coordinatore, versione=1, discussione=[],
                         decisioni="Sovrascritto", prossimi_passi="Sovrascritto")
    verbale.refresh_from_db()
    assert (verbale.versione, verbale.decisioni, verbale.discussione) == (2, "Mappare i servizi.", voci)


def test_minutes_discussion_must_be_a_list_of_items_with_texts(scena):
    verbale = st.verbale_garantisci(seduta=scena.svolta(), utente=scena.coordinatore)
    for sbagliata in ({"punto": "x"}, [{"punto": "x", "testo": 3}], [{"punto": "x", "autore": "y"}], ["x"]):
        with pytest.raises(DatiNonValidi, match="formato"):
            st.verbale_salva(verbale=verbale, utente=scena.coordinatore, versione=1, discussione=sbagliata,
                             decisioni="", prossimi_passi="")
    verbale.refresh_from_db()
    assert verbale.versione == 1


def test_circulated_minutes_reach_members_who_may_send_observations(scena, django_capture_on_commit_callbacks,
                                                                    mailoutbox):
    verbale = st.verbale_garantisci(seduta=scena.svolta(), utente=scena.coordinatore)
    with pytest.raises(TransizioneNonAmmessa):
        st.osservazione_aggiungi(verbale=verbale, utente=scena.referente, testo="Manca il punto 2.")
    with django_capture_on_commit_callbacks(execute=True):
        st.verbale_invia(verbale=verbale, utente=scena.coordinatore)
    assert sorted(m.to[0] for m in mailoutbox) == ["coordinatrice@example.it", "u-referente_terzo_settore@example.it"]
    assert "osservazioni" in mailoutbox[0].body
    with pytest.raises(PermessoNegato):
        st.osservazione_aggiungi(verbale=verbale, utente=scena.mondo[R.SINDACO], testo="Da fuori")
    with pytest.raises(DatiNonValidi):
        st.osservazione_aggiungi(verbale=verbale, utente=scena.referente, testo="  ")
    osservazione = st.osservazione_aggiungi(verbale=verbale, utente=scena.referente, testo="Manca il punto 2.")
    assert (osservazione.versione, osservazione.autore) == (1, scena.referente)
    assert st.verbale_riapri(verbale=verbale, utente=scena.coordinatore).stato == VerbaleTavolo.Stato.BOZZA


def test_the_coordinator_approves_and_the_act_is_requested_once(scena):
    seduta = scena.svolta()
    verbale = st.verbale_garantisci(seduta=seduta, utente=scena.coordinatore)
    with pytest.raises(PermessoNegato):
        st.verbale_approva(verbale=verbale, utente=scena.referente, modalita="coordinatore")
    verbale = st.verbale_approva(verbale=verbale, utente=scena.coordinatore, modalita="coordinatore")
    assert (verbale.stato, verbale.approvato_da, verbale.modalita_approvazione) == (
        VerbaleTavolo.Stato.APPROVATO, scena.coordinatore, "coordinatore")
    documento = verbale.documento
    assert (documento.tipo, documento.chiave, documento.piano) == (
        Documento.Tipo.VERBALE_TAVOLO, f"verbale-tavolo:{seduta.pk}", scena.mondo.piano)
    assert documento.ente_emittente == "Tavolo Anziani – Ambito di Pavia"
    with pytest.raises(StatoCambiato):
        st.verbale_approva(verbale=verbale, utente=scena.udp, modalita="coordinatore")
    with pytest.raises(TransizioneNonAmmessa):
        st.verbale_salva(verbale=verbale, utente=scena.coordinatore, versione=verbale.versione, discussione=[],
                         decisioni="", prossimi_passi="")
    assert Documento.objects.filter(tipo=Documento.Tipo.VERBALE_TAVOLO).count() == 1


def test_approval_at_a_session_needs_a_later_held_session_of_the_same_tavolo(scena):
    prima = scena.svolta(giorni_fa=10)
    verbale = st.verbale_garantisci(seduta=prima, utente=scena.coordinatore)
    precedente = scena.svolta(giorni_fa=20)
    non_svolta = scena.seduta()
    for sbagliata, messaggio in ((None, "Indica la seduta"), (precedente, "successiva"),
                                 (non_svolta, "essersi svolta")):
        with pytest.raises(DatiNonValidi, match=messaggio):
            st.verbale_approva(verbale=verbale, utente=scena.udp, modalita="seduta", seduta_approvazione=sbagliata)
    verbale.refresh_from_db()
    assert verbale.stato == VerbaleTavolo.Stato.BOZZA and verbale.documento is None
    seconda = scena.svolta(giorni_fa=1)
    verbale = st.verbale_approva(verbale=verbale, utente=scena.udp, modalita="seduta", seduta_approvazione=seconda)
    assert (verbale.approvato_in, verbale.modalita_approvazione) == (seconda, "seduta")
    assert EventoTavolo.objects.filter(seduta=prima, azione=A.VERBALE_APPROVATO, utente=scena.udp).exists()

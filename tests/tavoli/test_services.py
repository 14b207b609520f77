"""The Assemblea's services: sessions, attendance, votes under the rule, deliberations, and
the iter guards they complete."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accordi import services as iter_services
from accordi.models import Documento, PianoDiZona, Stato
from ambiti.exceptions import DatiNonValidi, GuardieNonSoddisfatte, PermessoNegato, TransizioneNonAmmessa
from ambiti.models import Ente, Incarico
from tavoli import services
from tavoli.models import Deliberazione, EventoAssemblea, RegolaVoto, Seduta, UfficioDiPiano, Voto
from tavoli.services_assemblea import delega_registra, regola_modifica, ufficio_costituisci

from ..factories import ObiettivoFactory, UtenteFactory, sindaco_di

R = Incarico.Ruolo


def _vota(votazione, consesso, *espressioni):
    for sindaco, espressione in zip(consesso.sindaci, espressioni, strict=False):
        if espressione:
            services.voto_esprimi(votazione=votazione, utente=sindaco, espressione=espressione)


def _concludi(votazione, presidente):
    services.votazione_chiudi(votazione=votazione, utente=presidente)
    return services.votazione_proclama(votazione=votazione, utente=presidente)


def test_seduta_numbered_per_year_and_needs_a_place_or_link(consesso):
    quando = timezone.now() + datetime.timedelta(days=3)
    prima = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp, data=quando, luogo="Sala")
    seconda = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.presidente, data=quando,
                                   collegamento="https://meet.example.it/assemblea")
    assert (prima.numero, seconda.numero) == (1, 2)
    with pytest.raises(DatiNonValidi, match="luogo"):
        services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp, data=quando)
    with pytest.raises(PermessoNegato):
        services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.sindaci[0], data=quando, luogo="Sala")


def test_only_the_presidente_convenes_and_population_is_frozen(consesso, django_capture_on_commit_callbacks,
                                                               mailoutbox):
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                  data=timezone.now() + datetime.timedelta(days=3), luogo="Sala")
    with pytest.raises(DatiNonValidi, match="ordine del giorno"):
        services.seduta_convoca(seduta=seduta, utente=consesso.presidente)
    services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Comunicazioni")
    with pytest.raises(PermessoNegato):
        services.seduta_convoca(seduta=seduta, utente=consesso.udp)
    with django_capture_on_commit_callbacks(execute=True):
        services.seduta_convoca(seduta=seduta, utente=consesso.presidente)
    pavia = consesso.comuni[0]
    pavia.popolazione = 1
    pavia.save()
    assert seduta.seggi.get(comune=pavia).popolazione == 71_000
    # every member gets the convocation with a calendar invitation
    destinatari = {m.to[0] for m in mailoutbox}
    assert {s.email for s in consesso.sindaci} | {consesso.presidente.email} <= destinatari
    allegato = mailoutbox[0].attachments[0]
    assert allegato[0] == "seduta.ics" and "BEGIN:VEVENT" in allegato[1] and "METHOD:REQUEST" in allegato[1]
    # the ambito's name ("Ambito di Pavia") is never glued to an elided article ("dell'Ambito")
    assert "È convocata l'Assemblea dei Sindaci – Ambito di Pavia." in mailoutbox[0].body
    assert "dell'Ambito" not in mailoutbox[0].body
    with pytest.raises(TransizioneNonAmmessa):
        services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Tardivo")


def test_permission_refusals_name_one_actor_with_a_singular_verb(consesso):
    """"Solo il Presidente o l'Ufficio di Piano prepara…": after «o» the verb is singular."""
    with pytest.raises(PermessoNegato, match="Solo il Presidente o l'Ufficio di Piano prepara le sedute"):
        services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.sindaci[0],
                             data=timezone.now() + datetime.timedelta(days=3), luogo="Sala")


def test_ufficio_guard_names_the_ambito_once(consesso):
    from tavoli.services_assemblea import ufficio_mancanze

    assert ufficio_mancanze(consesso.ambito) == [
        "Ambito di Pavia: l'Ufficio di Piano non è ancora costituito. Registra l'atto costitutivo, il responsabile "
        "e i componenti."]


def test_session_opens_only_with_quorum(consesso):
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                  data=timezone.now() + datetime.timedelta(days=3), luogo="Sala")
    services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Comunicazioni")
    services.seduta_convoca(seduta=seduta, utente=consesso.presidente)
    services.presenza_registra(seduta=seduta, comune_id=consesso.comuni[1].pk, utente=consesso.udp, presenza="presente")
    with pytest.raises(DatiNonValidi, match="quorum"):
        services.seduta_apri(seduta=seduta, utente=consesso.presidente)
    services.presenza_registra(seduta=seduta, comune_id=consesso.comuni[2].pk, utente=consesso.udp, presenza="presente")
    services.seduta_apri(seduta=seduta, utente=consesso.presidente)
    seduta.refresh_from_db()
    assert seduta.stato == Seduta.Stato.APERTA
    assert EventoAssemblea.objects.filter(seduta=seduta, azione="seduta_aperta", a_stato="aperta").exists()


def test_weighted_vote_passes_where_a_per_head_count_fails(consesso, pki_attiva, django_capture_on_commit_callbacks):
    regola_modifica(assemblea=consesso.assemblea, utente=consesso.udp, modalita=RegolaVoto.Modalita.PONDERATO,
                    maggioranza=RegolaVoto.Maggioranza.ASSOLUTA)
    seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole", "contrario", "contrario")
    with django_capture_on_commit_callbacks(execute=True):
        votazione = _concludi(votazione, consesso.presidente)
    assert votazione.approvata is True
    conteggio = votazione.risultato["conteggi"][0]
    assert (conteggio["favorevoli"], conteggio["contrari"]) == (71_000, 7_000)
    assert "ponderato" in votazione.testo_regola
    deliberazione = Deliberazione.objects.get(votazione=votazione)
    assert (deliberazione.numero, deliberazione.tipo) == (1, "atto_indirizzo")
    assert deliberazione.atto.stato == Documento.Stato.PRONTO and deliberazione.atto.sigillato

    # the same votes counted per head fail
    regola_modifica(assemblea=consesso.assemblea, utente=consesso.udp, modalita=RegolaVoto.Modalita.PER_CAPITA,
                    maggioranza=RegolaVoto.Maggioranza.ASSOLUTA)
    _seduta, altro = consesso.seduta_aperta(oggetto="Seconda proposta")
    seconda = services.votazione_apri(punto=altro, utente=consesso.presidente)
    _vota(seconda, consesso, "favorevole", "contrario", "contrario")
    assert _concludi(seconda, consesso.presidente).approvata is False
    assert not Deliberazione.objects.filter(votazione=seconda).exists()
    # the earlier vote keeps the rule it was taken under
    votazione.refresh_from_db()
    assert votazione.regola.modalita == RegolaVoto.Modalita.PONDERATO


def test_a_comune_votes_once_and_not_after_closing(consesso):
    _seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[0], espressione="favorevole")
    with pytest.raises(DatiNonValidi, match="già votato"):
        services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[0], espressione="contrario")
    with pytest.raises(DatiNonValidi, match="già votato"):  # nor through the secretariat
        services.voto_esprimi(votazione=votazione, utente=consesso.udp, espressione="contrario",
                              comune_id=consesso.comuni[0].pk)
    services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    with pytest.raises(TransizioneNonAmmessa, match="chiusa"):
        services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[1], espressione="favorevole")
    assert Voto.objects.filter(votazione=votazione).count() == 1


def test_proclaimed_result_cannot_change(consesso):
    _seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole", "favorevole", "astenuto")
    _concludi(votazione, consesso.presidente)
    with pytest.raises(TransizioneNonAmmessa):
        services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    with pytest.raises(TransizioneNonAmmessa):
        services.votazione_proclama(votazione=votazione, utente=consesso.presidente)
    with pytest.raises(TransizioneNonAmmessa):
        services.votazione_apri(punto=punto, utente=consesso.presidente)


def test_only_the_presidente_opens_closes_and_proclaims(consesso):
    _seduta, punto = consesso.seduta_aperta()
    for intruso in (consesso.udp, consesso.sindaci[0]):
        with pytest.raises(PermessoNegato):
            services.votazione_apri(punto=punto, utente=intruso)
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole", "favorevole", "favorevole")
    with pytest.raises(PermessoNegato):
        services.votazione_chiudi(votazione=votazione, utente=consesso.udp)
    services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    with pytest.raises(PermessoNegato):
        services.votazione_proclama(votazione=votazione, utente=consesso.sindaci[0])


def test_mayor_of_another_ambito_cannot_vote(consesso, mondo):
    _seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    estraneo = sindaco_di(mondo.altro_ambito.comuni.first(), mondo.altro_ambito, username="sindaco-estraneo")
    with pytest.raises(PermessoNegato):
        services.voto_esprimi(votazione=votazione, utente=estraneo, espressione="favorevole")
    with pytest.raises(PermessoNegato):  # nor for a Comune of this ambito
        services.voto_esprimi(votazione=votazione, utente=estraneo, espressione="favorevole",
                              comune_id=consesso.comuni[0].pk)


def test_absent_comune_cannot_vote(consesso):
    _seduta, punto = consesso.seduta_aperta(presenti=consesso.comuni[:2])
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    with pytest.raises(DatiNonValidi, match="non risulta presente"):
        services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[2], espressione="favorevole")


def test_weighted_vote_refused_when_a_comune_has_no_population(consesso):
    piccolo = consesso.comuni[2]
    piccolo.popolazione = None
    piccolo.save()
    regola_modifica(assemblea=consesso.assemblea, utente=consesso.udp, modalita=RegolaVoto.Modalita.PONDERATO)
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                  data=timezone.now() + datetime.timedelta(days=3), luogo="Sala")
    services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Comunicazioni", tipo="altro")
    services.seduta_convoca(seduta=seduta, utente=consesso.presidente)
    with pytest.raises(DatiNonValidi, match="Cava Manara"):
        for comune in consesso.comuni:
            services.presenza_registra(seduta=seduta, comune_id=comune.pk, utente=consesso.udp, presenza="presente")
        services.seduta_apri(seduta=seduta, utente=consesso.presidente)


def test_delegate_votes_in_place_of_the_mayor(consesso, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                  data=timezone.now() + datetime.timedelta(days=3), luogo="Sala")
    punto = services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Proposta", tipo="altro")
    delegato = UtenteFactory(username="assessore")
    atto = SimpleUploadedFile("delega.pdf", b"%PDF-1.4 delega", content_type="application/pdf")
    with pytest.raises(PermessoNegato):  # another Comune's mayor cannot delegate for Pavia
        delega_registra(assemblea=consesso.assemblea, comune=consesso.comuni[0], delegato=delegato, atto=atto,
                        utente=consesso.sindaci[1], seduta=seduta)
    delega_registra(assemblea=consesso.assemblea, comune=consesso.comuni[0], delegato=delegato, atto=atto,
                    utente=consesso.sindaci[0], seduta=seduta)
    services.seduta_convoca(seduta=seduta, utente=consesso.presidente)
    services.presenza_dichiara(seduta=seduta, utente=delegato)
    for sindaco in consesso.sindaci[1:]:
        services.presenza_dichiara(seduta=seduta, utente=sindaco)
    seggio = seduta.seggi.get(comune=consesso.comuni[0])
    assert seggio.presenza == "delegato" and seggio.rappresentante == delegato
    services.seduta_apri(seduta=seduta, utente=consesso.presidente)
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    with pytest.raises(PermessoNegato):  # the delegation replaces the mayor for this session
        services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[0], espressione="contrario")
    voto = services.voto_esprimi(votazione=votazione, utente=delegato, espressione="favorevole")
    assert voto.comune == consesso.comuni[0] and voto.espresso_da == delegato


def test_secretariat_enters_votes_given_aloud(consesso):
    _seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    voto = services.voto_esprimi(votazione=votazione, utente=consesso.udp, espressione="astenuto",
                                 comune_id=consesso.comuni[1].pk)
    assert voto.registrato_da == consesso.udp and voto.espresso_da is None


def test_present_seats_that_do_not_vote_are_non_votanti(consesso):
    _seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole")
    votazione = services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    conteggio = votazione.risultato["conteggi"][0]
    assert (conteggio["favorevoli"], conteggio["non_votanti"], conteggio["assenti"]) == (1, 2, 0)
    assert votazione.approvata  # simple majority of those voting


def test_session_closes_only_after_every_result_is_proclaimed(consesso):
    seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    with pytest.raises(DatiNonValidi, match="proclamat"):
        services.seduta_chiudi(seduta=seduta, utente=consesso.presidente)
    _concludi(votazione, consesso.presidente)
    services.seduta_chiudi(seduta=seduta, utente=consesso.presidente)


def test_atto_indirizzo_guard_moves_the_plan(consesso, pki_attiva):
    piano = consesso.piano
    with pytest.raises(GuardieNonSoddisfatte, match="atto di indirizzo"):
        iter_services.esegui_transizione(piano=piano, nome="approva_atto_indirizzo", utente=consesso.udp)
    _seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole", "favorevole", "contrario")
    _concludi(votazione, consesso.presidente)
    voce = iter_services.esegui_transizione(piano=piano, nome="approva_atto_indirizzo", utente=consesso.udp)
    assert voce.a_stato == Stato.INDIRIZZO


def test_rejected_atto_indirizzo_does_not_satisfy_the_guard(consesso):
    _seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "contrario", "contrario", "favorevole")
    _concludi(votazione, consesso.presidente)
    with pytest.raises(GuardieNonSoddisfatte):
        iter_services.esegui_transizione(piano=consesso.piano, nome="approva_atto_indirizzo", utente=consesso.udp)


def test_istruttoria_needs_a_constituted_ufficio_di_piano(consesso):
    PianoDiZona.objects.filter(pk=consesso.piano.pk).update(stato=Stato.INDIRIZZO)
    consesso.piano.refresh_from_db()
    with pytest.raises(GuardieNonSoddisfatte, match="Ufficio di Piano"):
        iter_services.esegui_transizione(piano=consesso.piano, nome="avvia_istruttoria", utente=consesso.udp)
    with pytest.raises(DatiNonValidi, match="componente"):
        ufficio_costituisci(ambito=consesso.ambito, utente=consesso.udp, responsabile=consesso.udp,
                            atto_costitutivo="Deliberazione n. 2/2026", costituito_il=datetime.date(2026, 1, 15),
                            componenti=[])
    ufficio_costituisci(ambito=consesso.ambito, utente=consesso.udp, responsabile=consesso.udp,
                        atto_costitutivo="Deliberazione n. 2/2026", costituito_il=datetime.date(2026, 1, 15),
                        componenti=[{"nominativo": "Anna Bianchi", "funzione": "assistente sociale"}])
    with pytest.raises(GuardieNonSoddisfatte) as errore:
        iter_services.esegui_transizione(piano=consesso.piano, nome="avvia_istruttoria", utente=consesso.udp)
    assert not any("Ufficio di Piano" in m for m in errore.value.messaggi)  # only the tavoli remain


def _costituisci(consesso, componenti):
    return ufficio_costituisci(ambito=consesso.ambito, utente=consesso.udp, responsabile=consesso.udp,
                               atto_costitutivo="Deliberazione n. 2/2026", costituito_il=datetime.date(2026, 1, 15),
                               componenti=componenti)


def test_ufficio_member_linked_to_a_user_takes_their_name(consesso):
    sindaco = consesso.sindaci[2]
    ente = Ente.objects.get(comune=consesso.comuni[2])
    ufficio = _costituisci(consesso, [{"utente": sindaco, "ente": ente, "funzione": "referente"},
                                      {"nominativo": "", "funzione": ""}])
    assert [(c.nominativo, c.utente, c.ente) for c in ufficio.componenti.all()] == [
        (sindaco.get_full_name(), sindaco, ente)]
    evento = EventoAssemblea.objects.get(azione="ufficio_costituito")
    assert evento.descrizione.endswith("; 1 componente.")


def test_ufficio_refuses_users_and_enti_of_another_ambito_and_saves_nothing(consesso, mondo):
    estraneo = mondo.udp_altro
    ente_altrui = Ente.objects.create(tipo=Ente.Tipo.COMUNE, comune=mondo.altro_ambito.comuni.first(),
                                      denominazione="Comune altrove")
    with pytest.raises(DatiNonValidi) as errore:
        _costituisci(consesso, [{"nominativo": "Anna Bianchi", "ente": ente_altrui},
                                {"utente": estraneo},
                                {"funzione": "senza nome"}])
    assert errore.value.messaggi == [
        "Componente n. 1: Comune altrove non è un ente dell'ambito.",
        f"Componente n. 2: {estraneo.get_full_name()} non ha un incarico in questo ambito.",
        "Componente n. 3: indica nome e cognome oppure scegli un utente PianoZona.",
    ]
    assert not UfficioDiPiano.objects.filter(ambito=consesso.ambito).exists()


def test_licenziamento_needs_approval_of_the_exact_text_and_mayors_signatures(consesso, pki_attiva,
                                                                             django_capture_on_commit_callbacks):
    from accordi.services_documenti import documento_richiedi
    from accordi.services_firme import firma_demo, richiesta_firma_crea

    PianoDiZona.objects.filter(pk=consesso.piano.pk).update(stato=Stato.APPROVAZIONE)
    piano = consesso.piano
    piano.refresh_from_db()

    def approva(testo, oggetto):
        _seduta, punto = consesso.seduta_aperta(oggetto=oggetto, tipo="approvazione_piano",
                                                documento_piano=testo, priorita=[])
        votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
        _vota(votazione, consesso, "favorevole", "favorevole", "favorevole")
        with django_capture_on_commit_callbacks(execute=True):
            _concludi(votazione, consesso.presidente)

    with django_capture_on_commit_callbacks(execute=True):
        v1 = documento_richiedi(tipo="piano_definitivo", piano=piano, utente=consesso.udp)
    approva(v1, "Approvazione del Piano")
    with pytest.raises(GuardieNonSoddisfatte, match="firmare"):
        iter_services.esegui_transizione(piano=piano, nome="licenzia", utente=consesso.presidente)

    # a newer final text (the draft changed, so a new frozen version) needs a new approval
    ObiettivoFactory(piano=piano, titolo="Emendamento dell'Assemblea")
    with django_capture_on_commit_callbacks(execute=True):
        v2 = documento_richiedi(tipo="piano_definitivo", piano=piano, utente=consesso.udp)
    assert (v1.versione, v2.versione) == (1, 2)
    with pytest.raises(GuardieNonSoddisfatte, match="versione 1"):
        iter_services.esegui_transizione(piano=piano, nome="licenzia", utente=consesso.presidente)
    approva(v2, "Approvazione del Piano, testo aggiornato")

    # the mayors sign the approved text; until the last one does, the guard names who is missing
    v2.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        richiesta = richiesta_firma_crea(
            documento=v2, utente=consesso.udp, modalita="parallela",
            scadenza=timezone.localdate() + datetime.timedelta(days=10),
            firmatari=[(s, s.incarichi.get().ente, True) for s in consesso.sindaci],
        )
    firmatari = list(richiesta.firmatari.order_by("pk"))
    for firmatario in firmatari[:2]:
        pki_attiva.p12_demo(firmatario.utente)
        firma_demo(firmatario=firmatario, utente=firmatario.utente)
    with pytest.raises(GuardieNonSoddisfatte, match="Cava Manara"):
        iter_services.esegui_transizione(piano=piano, nome="licenzia", utente=consesso.presidente)
    pki_attiva.p12_demo(firmatari[2].utente)
    firma_demo(firmatario=firmatari[2], utente=firmatari[2].utente)
    voce = iter_services.esegui_transizione(piano=piano, nome="licenzia", utente=consesso.presidente)
    assert voce.a_stato == Stato.INTESA_ASL


def test_capofila_designation_completes_its_guard(consesso):
    from accordi.governance import capofila_designato

    assert capofila_designato(consesso.piano)
    ente = consesso.sindaci[0].incarichi.get().ente
    _seduta, punto = consesso.seduta_aperta(oggetto="Designazione del capofila", tipo="designazione_capofila",
                                            ente_capofila=ente, priorita=[])
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole", "favorevole", "favorevole")
    _concludi(votazione, consesso.presidente)
    assert capofila_designato(consesso.piano) == []
    assert Deliberazione.objects.get(tipo="designazione_capofila").ente_capofila == ente


def test_capofila_must_belong_to_the_ambito(consesso, mondo):
    from ..factories import EnteFactory

    estraneo = EnteFactory(denominazione="Comune lontano")
    with pytest.raises(DatiNonValidi, match="capofila"):
        consesso.seduta_aperta(oggetto="Designazione", tipo="designazione_capofila", ente_capofila=estraneo,
                               priorita=[])


def test_verbale_is_issued_once_the_session_is_closed(consesso, pki_attiva, django_capture_on_commit_callbacks):
    seduta, punto = consesso.seduta_aperta()
    with pytest.raises(TransizioneNonAmmessa):
        services.verbale_genera(seduta=seduta, utente=consesso.udp)
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole", "contrario", "astenuto")
    _concludi(votazione, consesso.presidente)
    services.seduta_chiudi(seduta=seduta, utente=consesso.presidente)
    with django_capture_on_commit_callbacks(execute=True):
        verbale = services.verbale_genera(seduta=seduta, utente=consesso.udp)
    verbale.refresh_from_db()
    assert verbale.tipo == "verbale_assemblea" and verbale.stato == Documento.Stato.PRONTO
    assert services.verbale_genera(seduta=seduta, utente=consesso.udp).pk == verbale.pk


def test_every_change_is_logged(consesso):
    seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    _vota(votazione, consesso, "favorevole")
    _concludi(votazione, consesso.presidente)
    azioni = list(EventoAssemblea.objects.filter(seduta=seduta).values_list("azione", flat=True))
    for attesa in ("seduta_creata", "punto_aggiunto", "seduta_convocata", "presenza", "seduta_aperta",
                   "votazione_aperta", "voto", "votazione_chiusa", "esito_proclamato", "deliberazione"):
        assert attesa in azioni
    voce = EventoAssemblea.objects.first()
    with pytest.raises(TypeError):
        voce.save()


def test_priorities_are_kept_only_for_an_atto_di_indirizzo(consesso):
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                  data=timezone.now() + datetime.timedelta(days=7), luogo="Sala consiliare")
    punto = services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Criteri di ripartizione",
                                    tipo="criteri_ripartizione", piano=consesso.piano,
                                    priorita=[("Scritta e poi nascosta", "")])
    assert not punto.priorita.exists()

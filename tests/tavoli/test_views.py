"""Pages of the Assemblea: who sees and does what, in the browser's terms (HTTP)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ente, Incarico
from tavoli import services
from tavoli.models import Deliberazione, Seduta, UfficioDiPiano, Votazione, Voto

from ..factories import ComuneFactory, sindaco_di

R = Incarico.Ruolo


@pytest.fixture
def seduta_aperta(consesso):
    seduta, punto = consesso.seduta_aperta()
    return seduta, punto


def test_assemblea_page_lists_seats_rule_and_sessions(client, consesso, seduta_aperta, django_assert_max_num_queries):
    client.force_login(consesso.udp)
    with django_assert_max_num_queries(40):
        risposta = client.get(reverse("tavoli:assemblea", args=[consesso.ambito.pk]))
    assert risposta.status_code == 200
    testo = risposta.content.decode()
    assert "Pavia" in testo and "Cava Manara" in testo and "un voto per Comune" in testo
    assert "Prepara una seduta" in testo and "Modifica la regola" in testo


def test_other_ambito_cannot_see_the_assemblea(client, consesso, mondo, seduta_aperta):
    seduta, _punto = seduta_aperta
    client.force_login(mondo.udp_altro)
    assert client.get(reverse("tavoli:assemblea", args=[consesso.ambito.pk])).status_code == 404
    assert client.get(reverse("tavoli:seduta", args=[seduta.pk])).status_code == 404
    assert client.post(reverse("tavoli:seduta_azione", args=[seduta.pk, "chiudi"])).status_code == 404


def test_seduta_page_queries_do_not_grow_with_seats(client, consesso, seduta_aperta, django_assert_max_num_queries):
    seduta, punto = seduta_aperta
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[0], espressione="favorevole")
    client.force_login(consesso.presidente)
    with django_assert_max_num_queries(45):
        risposta = client.get(reverse("tavoli:seduta", args=[seduta.pk]))
    assert risposta.status_code == 200
    assert "Chiudi la votazione" in risposta.content.decode()


def test_mayor_votes_through_the_page(client, consesso, seduta_aperta):
    seduta, punto = seduta_aperta
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    sindaco = consesso.sindaci[1]
    client.force_login(sindaco)
    pagina = client.get(reverse("tavoli:seduta", args=[seduta.pk])).content.decode()
    assert "Il tuo voto per Borgarello" in pagina and "Chiudi la votazione" not in pagina
    risposta = client.post(reverse("tavoli:vota", args=[votazione.pk]),
                           {"espressione": "contrario", "comune": consesso.comuni[1].pk}, follow=True)
    assert "Voto registrato per Borgarello: Contrario" in risposta.content.decode()
    again = client.post(reverse("tavoli:vota", args=[votazione.pk]),
                        {"espressione": "favorevole", "comune": consesso.comuni[1].pk}, follow=True)
    assert "ha già votato" in again.content.decode()
    assert Voto.objects.get(votazione=votazione, comune=consesso.comuni[1]).espressione == "contrario"


def test_mayor_cannot_vote_for_another_comune(client, consesso, seduta_aperta):
    _seduta, punto = seduta_aperta
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    client.force_login(consesso.sindaci[1])
    risposta = client.post(reverse("tavoli:vota", args=[votazione.pk]),
                           {"espressione": "favorevole", "comune": consesso.comuni[0].pk})
    assert risposta.status_code == 403
    assert not Voto.objects.exists()


def test_only_the_presidente_proclaims(client, consesso, seduta_aperta):
    _seduta, punto = seduta_aperta
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    for intruso in (consesso.udp, consesso.sindaci[0]):
        client.force_login(intruso)
        assert client.post(reverse("tavoli:votazione_azione", args=[votazione.pk, "proclama"])).status_code == 403
    client.force_login(consesso.presidente)
    client.post(reverse("tavoli:votazione_azione", args=[votazione.pk, "proclama"]))
    votazione.refresh_from_db()
    assert votazione.stato == Votazione.Stato.PROCLAMATA


def test_mayor_of_another_ambito_is_refused(client, consesso, mondo, seduta_aperta):
    seduta, punto = seduta_aperta
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    estraneo = sindaco_di(mondo.altro_ambito.comuni.first(), mondo.altro_ambito, username="sindaco-altrove")
    client.force_login(estraneo)
    assert client.post(reverse("tavoli:vota", args=[votazione.pk]), {"espressione": "favorevole"}).status_code == 404
    assert not Voto.objects.exists()


def test_session_form_shows_italian_errors_and_saves_nothing(client, consesso):
    client.force_login(consesso.udp)
    url = reverse("tavoli:seduta_nuova", args=[consesso.ambito.pk])
    risposta = client.post(url, {"data": "", "durata_minuti": "120", "luogo": "", "collegamento": ""})
    assert "Indica data e ora della seduta." in risposta.content.decode()
    passato = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    risposta = client.post(url, {"data": passato, "durata_minuti": "120", "luogo": "Sala"})
    assert "nel passato" in risposta.content.decode()
    assert not Seduta.objects.exists()


def test_convene_open_and_vote_flow_over_http(client, consesso):
    client.force_login(consesso.udp)
    futuro = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    risposta = client.post(reverse("tavoli:seduta_nuova", args=[consesso.ambito.pk]),
                           {"data": futuro, "durata_minuti": "90", "luogo": "Sala del Broletto"})
    seduta = Seduta.objects.get()
    assert risposta.url == reverse("tavoli:seduta", args=[seduta.pk])
    risposta = client.post(reverse("tavoli:punto_nuovo", args=[seduta.pk]), {
        "oggetto": "Atto di indirizzo", "tipo": "atto_indirizzo", "piano": consesso.piano.pk,
        "priorita": "Minori e famiglie: prevenire l'allontanamento\nDisabilità: progetti di vita"})
    assert risposta.status_code == 302
    punto = seduta.punti.get()
    assert [p.titolo for p in punto.priorita.all()] == ["Minori e famiglie", "Disabilità"]
    # the Ufficio di Piano cannot convene
    assert client.post(reverse("tavoli:seduta_azione", args=[seduta.pk, "convoca"])).status_code == 403
    client.force_login(consesso.presidente)
    client.post(reverse("tavoli:seduta_azione", args=[seduta.pk, "convoca"]), {"stato_atteso": "bozza"})
    seduta.refresh_from_db()
    assert seduta.stato == "convocata"
    for sindaco in consesso.sindaci:
        client.force_login(sindaco)
        client.post(reverse("tavoli:seduta_azione", args=[seduta.pk, "presente"]))
    live = client.get(reverse("tavoli:seduta_live", args=[seduta.pk])).content.decode()
    assert "Raggiunto" in live and "3 Comuni presenti su 3" in live


def _righe_ufficio(*righe, iniziali=0) -> dict:
    """The members' formset as the browser posts it: ``righe`` are dicts of utente, nominativo,
    ente, funzione (and DELETE) by row."""
    dati = {"componenti-TOTAL_FORMS": str(len(righe)), "componenti-INITIAL_FORMS": str(iniziali),
            "componenti-MIN_NUM_FORMS": "0", "componenti-MAX_NUM_FORMS": "1000"}
    for i, riga in enumerate(righe):
        for campo in ("utente", "nominativo", "ente", "funzione"):
            dati[f"componenti-{i}-{campo}"] = riga.get(campo, "")
        if riga.get("DELETE"):
            dati[f"componenti-{i}-DELETE"] = "on"
    return dati


UFFICIO = {"atto_costitutivo": "Deliberazione n. 2/2026", "costituito_il": "2026-01-15"}


def test_ufficio_di_piano_form_links_members_to_users_and_enti(client, consesso):
    """A member can be a PianoZona user (their name fills itself in) from an ente of the ambito,
    or a plain name; empty rows are skipped."""
    client.force_login(consesso.udp)
    url = reverse("tavoli:ufficio", args=[consesso.ambito.pk])
    pagina = client.get(url).content.decode()
    assert 'name="componenti-0-utente"' in pagina and 'name="componenti-0-ente"' in pagina
    sindaco = consesso.sindaci[1]
    comune = Ente.objects.get(comune=consesso.comuni[1])
    dati = {"responsabile": consesso.udp.pk, **UFFICIO, **_righe_ufficio(
        {"utente": sindaco.pk, "ente": comune.pk, "funzione": "referente politico"},
        {"nominativo": "Luca Verdi", "funzione": "assistente sociale"},
        {},
    )}
    risposta = client.post(url, dati)
    assert risposta.status_code == 302
    componenti = list(consesso.ambito.ufficio_di_piano.componenti.order_by("nominativo"))
    assert [(c.nominativo, c.utente, c.ente, c.funzione) for c in componenti] == [
        ("Luca Verdi", None, None, "assistente sociale"),
        (sindaco.get_full_name(), sindaco, comune, "referente politico"),
    ]
    # the form shows the members as they are, to be updated
    pagina = client.get(url).content.decode()
    assert f'<option value="{sindaco.pk}" selected>' in pagina and 'value="Luca Verdi"' in pagina
    client.force_login(consesso.sindaci[0])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("righe, errore", [
    ((), "Indica almeno un componente dell&#x27;Ufficio di Piano."),
    (({}, {}), "Indica almeno un componente dell&#x27;Ufficio di Piano."),
    (({"funzione": "assistente sociale"},), "Indica nome e cognome oppure scegli un utente PianoZona."),
    (({"nominativo": "Anna Bianchi", "DELETE": True},), "Indica almeno un componente dell&#x27;Ufficio di Piano."),
])
def test_ufficio_di_piano_form_refuses_in_italian_and_saves_nothing(client, consesso, righe, errore):
    client.force_login(consesso.udp)
    url = reverse("tavoli:ufficio", args=[consesso.ambito.pk])
    risposta = client.post(url, {"responsabile": consesso.udp.pk, **UFFICIO, **_righe_ufficio(*righe)})
    assert risposta.status_code == 200
    assert errore in risposta.content.decode()
    assert not UfficioDiPiano.objects.filter(ambito=consesso.ambito).exists()


def test_ufficio_di_piano_form_refuses_the_same_user_twice_and_strangers(client, consesso, mondo):
    client.force_login(consesso.udp)
    url = reverse("tavoli:ufficio", args=[consesso.ambito.pk])
    sindaco = consesso.sindaci[0]
    doppio = client.post(url, {"responsabile": consesso.udp.pk, **UFFICIO,
                               **_righe_ufficio({"utente": sindaco.pk}, {"utente": sindaco.pk})})
    assert "è indicato in più righe" in doppio.content.decode()
    estraneo = client.post(url, {"responsabile": consesso.udp.pk, **UFFICIO,
                                 **_righe_ufficio({"utente": mondo.udp_altro.pk})})
    assert "Scegli un&#x27;opzione valida" in estraneo.content.decode()
    assert not UfficioDiPiano.objects.filter(ambito=consesso.ambito).exists()
    # a missing act is reported together with the members' errors
    risposta = client.post(url, {"responsabile": consesso.udp.pk, "atto_costitutivo": "",
                                 "costituito_il": "2026-01-15", **_righe_ufficio({"funzione": "x"})})
    pagina = risposta.content.decode()
    assert "Indica gli estremi dell&#x27;atto costitutivo." in pagina
    assert "Indica nome e cognome oppure scegli un utente PianoZona." in pagina


def test_rule_form_records_a_new_version(client, consesso):
    client.force_login(consesso.udp)
    url = reverse("tavoli:regola", args=[consesso.ambito.pk])
    dati = {"modalita": "doppia", "quorum_numeratore": 1, "quorum_denominatore": 2, "quorum_strettamente": "on",
            "maggioranza": "qualificata", "qualificata_numeratore": 2, "qualificata_denominatore": 3,
            "base": "votanti", "riferimento": "art. 6 del regolamento"}
    assert client.post(url, dati).status_code == 302
    consesso.assemblea.refresh_from_db()
    assert "2/3" in consesso.assemblea.regola.testo and consesso.assemblea.regole.count() == 2
    dati["qualificata_numeratore"] = 4
    risposta = client.post(url, dati)
    assert "non può superare" in risposta.content.decode()
    client.force_login(consesso.presidente)
    assert client.get(url).status_code == 403


def test_desk_tells_the_mayor_a_vote_awaits(client, consesso, seduta_aperta):
    _seduta, punto = seduta_aperta
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    client.force_login(consesso.sindaci[2])
    assert "aspetta il tuo voto" in client.get(reverse("accordi:home")).content.decode()
    services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[2], espressione="astenuto")
    assert "aspetta il tuo voto" not in client.get(reverse("accordi:home")).content.decode()


def test_a_qualified_majority_of_half_or_less_is_refused(client, consesso):
    client.force_login(consesso.udp)
    dati = {"modalita": "per_capita", "quorum_numeratore": 1, "quorum_denominatore": 2, "quorum_strettamente": "on",
            "maggioranza": "qualificata", "qualificata_numeratore": 1, "qualificata_denominatore": 2,
            "base": "votanti"}
    risposta = client.post(reverse("tavoli:regola", args=[consesso.ambito.pk]), dati)
    assert "più della metà" in risposta.content.decode()
    assert consesso.assemblea.regole.count() == 1


def _sedute_con_voto_aperto(consesso, quante: int, comuni_in_piu: int) -> None:
    for i in range(comuni_in_piu):
        comune = ComuneFactory(denominazione=f"Comune in più {i}", popolazione=1_000 + i)
        consesso.ambito.comuni.add(comune)
        sindaco_di(comune, consesso.ambito, username=f"sindaco-in-piu-{i}")
    tutti = list(consesso.ambito.comuni.all())
    for _ in range(quante):
        _seduta, punto = consesso.seduta_aperta(presenti=tutti)
        services.votazione_apri(punto=punto, utente=consesso.presidente)


def test_desk_queries_stay_constant_as_sessions_seats_and_comuni_grow(client, consesso,
                                                                      django_assert_max_num_queries):
    """The desk's «sedute da seguire» block costs the same number of queries with 2 sessions of
    3 Comuni as with 12 sessions of 9 Comuni: the cap measured on the small case holds for the
    large one."""
    casa = reverse("accordi:home")
    _sedute_con_voto_aperto(consesso, 2, 0)
    client.force_login(consesso.sindaci[1])
    client.get(casa)  # warms the per-process caches (content types), which cost queries once
    with CaptureQueriesContext(connection) as piccolo:
        pagina = client.get(casa).content.decode()
    assert pagina.count("aspetta il tuo voto") == 2
    _sedute_con_voto_aperto(consesso, 10, 6)
    with django_assert_max_num_queries(len(piccolo.captured_queries)):
        pagina = client.get(casa).content.decode()
    assert pagina.count('data-testid="seduta-scrivania"') == 10  # the desk lists the next ten
    assert pagina.count("aspetta il tuo voto") == 10


# --------------------------------------------------------------------------- the session page, as read


def _convocata(consesso) -> Seduta:
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                  data=timezone.now() + datetime.timedelta(days=7), luogo="Sala consiliare")
    services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Atto di indirizzo", tipo="atto_indirizzo",
                            piano=consesso.piano, priorita=[("Non autosufficienza", "")])
    return services.seduta_convoca(seduta=seduta, utente=consesso.presidente)


def _pagina(client, utente, seduta) -> str:
    client.force_login(utente)
    return client.get(reverse("tavoli:seduta", args=[seduta.pk])).content.decode()


def _registro(pagina: str) -> str:
    return pagina.split('data-testid="registro"', 1)[1].split("</table>", 1)[0]


def test_session_log_is_a_table_of_readable_events(client, consesso, seduta_aperta):
    seduta, _punto = seduta_aperta
    registro = _registro(_pagina(client, consesso.presidente, seduta))
    assert "<th scope=\"col\">Quando</th>" in registro and "<th scope=\"col\">Chi</th>" in registro
    for etichetta in ("Seduta preparata", "Punto aggiunto all&#x27;ordine del giorno", "Seduta convocata",
                      "Presenza registrata", "Seduta aperta"):
        assert f"<td>{etichetta}</td>" in registro
    for codice in ("seduta_creata", "punto_aggiunto", "seduta_convocata", "seduta_aperta"):
        assert codice not in registro
    assert "Convocazione inviata a 3 Comuni." in registro


def test_weighted_counts_say_inhabitants_with_thousands_separators(client, consesso):
    from tavoli.services_assemblea import regola_modifica

    regola_modifica(assemblea=consesso.assemblea, utente=consesso.udp, modalita="ponderato")
    seduta, _punto = consesso.seduta_aperta(presenti=consesso.comuni[:2])
    pagina = _pagina(client, consesso.presidente, seduta)
    assert "75.000 abitanti rappresentati su 78.000." in pagina
    assert ">71.000<" in pagina and ">4.000<" in pagina
    assert "i Comuni presenti rappresentano più di 1/2 degli abitanti" in pagina


def test_a_single_comune_present_is_singular(client, consesso):
    seduta = _convocata(consesso)
    services.presenza_registra(seduta=seduta, comune_id=consesso.comuni[0].pk, utente=consesso.udp,
                               presenza="presente")
    assert "1 Comune presente su 3." in _pagina(client, consesso.presidente, seduta)


def test_presence_button_gives_way_to_presenza_registrata(client, consesso):
    seduta = _convocata(consesso)
    sindaco = consesso.sindaci[1]
    pagina = _pagina(client, sindaco, seduta)
    assert "Segnala la mia presenza" in pagina and 'data-testid="presenza-registrata"' not in pagina
    client.post(reverse("tavoli:seduta_azione", args=[seduta.pk, "presente"]))
    pagina = _pagina(client, sindaco, seduta)
    assert "Segnala la mia presenza" not in pagina
    assert 'data-testid="presenza-registrata">Presenza registrata<' in pagina


def test_apri_la_seduta_is_offered_only_with_the_quorum(client, consesso):
    seduta = _convocata(consesso)
    azione = reverse("tavoli:seduta_azione", args=[seduta.pk, "apri"])
    pagina = _pagina(client, consesso.presidente, seduta)
    assert azione not in pagina
    assert 'disabled aria-describedby="motivo-apri">Apri la seduta' in pagina
    assert "Potrai aprire la seduta quando sarà raggiunto il quorum costitutivo." in pagina
    for comune in consesso.comuni[:2]:
        services.presenza_registra(seduta=seduta, comune_id=comune.pk, utente=consesso.udp, presenza="presente")
    pagina = _pagina(client, consesso.presidente, seduta)
    assert f'action="{azione}"' in pagina and "motivo-apri" not in pagina


def test_attendance_save_buttons_are_named_after_their_comune(client, consesso):
    seduta = _convocata(consesso)
    pagina = _pagina(client, consesso.udp, seduta)
    for comune in ("Pavia", "Borgarello", "Cava Manara"):
        assert f'aria-label="Salva la presenza di {comune}"' in pagina


def test_votes_of_each_comune_are_shown_under_the_proclaimed_result(client, consesso, seduta_aperta):
    seduta, punto = seduta_aperta
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    for sindaco, espressione in zip(consesso.sindaci[:2], ("favorevole", "astenuto"), strict=True):
        services.voto_esprimi(votazione=votazione, utente=sindaco, espressione=espressione)
    services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    services.votazione_proclama(votazione=votazione, utente=consesso.presidente)

    def righe(pagina):
        tabella = pagina.split('data-testid="voti-per-comune"', 1)[1].split("</tbody>", 1)[0]
        return [" ".join(re.sub(r"<[^>]+>", " ", "<tr" + r).split())
                for r in tabella.split("<tbody>", 1)[1].split("<tr")[1:]]

    attese = ["Borgarello Astenuto", "Cava Manara Non votante", "Pavia Favorevole"]
    assert righe(_pagina(client, consesso.sindaci[2], seduta)) == attese
    deliberazione = Deliberazione.objects.get(votazione=votazione)
    pagina = client.get(reverse("tavoli:deliberazione", args=[deliberazione.pk])).content.decode()
    assert righe(pagina) == attese
    assert "Adottata il" in pagina and f'href="{reverse("tavoli:seduta", args=[seduta.pk])}">seduta n. ' in pagina


def test_weighted_vote_table_shows_the_population_of_each_comune(client, consesso):
    from tavoli.services_assemblea import regola_modifica

    regola_modifica(assemblea=consesso.assemblea, utente=consesso.udp, modalita="ponderato")
    seduta, punto = consesso.seduta_aperta()
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[0], espressione="favorevole")
    services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    pagina = _pagina(client, consesso.presidente, seduta)
    tabella = pagina.split('data-testid="voti-per-comune"', 1)[1].split("</table>", 1)[0]
    assert ">Abitanti<" in tabella and ">71.000<" in tabella
    assert "per popolazione (abitanti)" in pagina


def test_live_panel_sits_in_a_stable_polite_region_and_answers_only_on_change(client, consesso):
    seduta = _convocata(consesso)
    pagina = _pagina(client, consesso.presidente, seduta)
    regione = re.search(r'<div id="seduta-live"[^>]*>', pagina).group(0)
    assert 'aria-live="polite"' in regione and 'hx-swap="innerHTML"' in regione
    assert 'hx-include="#seduta-live-versione"' in regione
    versione = re.search(r'id="seduta-live-versione" name="versione" value="(\w+)"', pagina).group(1)
    url = reverse("tavoli:seduta_live", args=[seduta.pk])
    assert client.get(url, {"versione": versione}).status_code == 204  # nothing changed: nothing to announce
    services.presenza_registra(seduta=seduta, comune_id=consesso.comuni[2].pk, utente=consesso.udp,
                               presenza="presente")
    cambiata = client.get(url, {"versione": versione})
    assert cambiata.status_code == 200 and "1 Comune presente su 3." in cambiata.content.decode()
    assert "aria-live" not in cambiata.content.decode()  # the region itself is never replaced
    services.seduta_annulla(seduta=seduta, utente=consesso.presidente, motivo="Rinvio")
    assert client.get(url, {"versione": versione}).status_code == 286  # htmx stops polling


def test_rule_and_agenda_forms_mark_the_fields_that_depend_on_a_choice(client, consesso):
    client.force_login(consesso.udp)
    regola = client.get(reverse("tavoli:regola", args=[consesso.ambito.pk])).content.decode()
    for campo in ("qualificata_numeratore", "qualificata_denominatore"):
        tag = re.search(rf'<input[^>]*name="{campo}"[^>]*>', regola).group(0)
        assert 'data-mostra-se="id_maggioranza"' in tag and 'data-mostra-valori="qualificata"' in tag
    assert "js/campi_condizionali.js" in regola
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                  data=timezone.now() + datetime.timedelta(days=7), luogo="Sala")
    punto = client.get(reverse("tavoli:punto_nuovo", args=[seduta.pk])).content.decode()
    for campo, valori in (("documento_piano", "approvazione_piano"), ("ente_capofila", "designazione_capofila"),
                          ("priorita", "atto_indirizzo")):
        tag = re.search(rf'<(select|textarea)[^>]*name="{campo}"[^>]*>', punto).group(0)
        assert 'data-mostra-se="id_tipo"' in tag and f'data-mostra-valori="{valori}"' in tag
    assert "js/campi_condizionali.js" in punto


def test_a_checkbox_help_text_sits_under_its_own_label(client, consesso):
    client.force_login(consesso.udp)
    pagina = client.get(reverse("tavoli:regola", args=[consesso.ambito.pk])).content.decode()
    blocco = pagina.split('id="id_quorum_strettamente"', 1)[1].split("</div>", 1)[0]
    assert 'id="aiuto-id_quorum_strettamente"' in blocco  # inside the same form-check, under the label


def test_act_page_links_back_to_its_deliberation_and_counts_signatures_in_words(
        client, consesso, seduta_aperta, pki_attiva, django_capture_on_commit_callbacks):
    _seduta, punto = seduta_aperta  # "Atto di indirizzo 2025-2027"
    votazione = services.votazione_apri(punto=punto, utente=consesso.presidente)
    services.voto_esprimi(votazione=votazione, utente=consesso.sindaci[0], espressione="favorevole")
    services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    with django_capture_on_commit_callbacks(execute=True):
        services.votazione_proclama(votazione=votazione, utente=consesso.presidente)
    deliberazione = Deliberazione.objects.get(votazione=votazione)
    client.force_login(consesso.presidente)
    pagina = client.get(reverse("accordi:documento", args=[deliberazione.atto_id])).content.decode()
    assert f'href="{reverse("tavoli:deliberazione", args=[deliberazione.pk])}"' in pagina
    assert '<span class="text-nowrap">2025-2027</span>' in pagina  # the year range never breaks
    assert "Nessuna firma apposta, oltre al sigillo dell'ente emittente." in pagina

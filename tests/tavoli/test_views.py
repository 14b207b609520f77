"""Pages of the Assemblea: who sees and does what, in the browser's terms (HTTP)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Incarico
from tavoli import services
from tavoli.models import Seduta, Votazione, Voto

from ..factories import sindaco_di

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


def test_ufficio_di_piano_form(client, consesso):
    client.force_login(consesso.udp)
    url = reverse("tavoli:ufficio", args=[consesso.ambito.pk])
    risposta = client.post(url, {"responsabile": consesso.udp.pk, "atto_costitutivo": "",
                                 "costituito_il": "2026-01-15", "componenti": ""})
    assert "Indica gli estremi dell&#x27;atto costitutivo." in risposta.content.decode()
    risposta = client.post(url, {"responsabile": consesso.udp.pk, "atto_costitutivo": "Deliberazione n. 2/2026",
                                 "costituito_il": "2026-01-15",
                                 "componenti": "Anna Bianchi – assistente sociale\nLuca Verdi"})
    assert risposta.status_code == 302
    assert [c.nominativo for c in consesso.ambito.ufficio_di_piano.componenti.order_by("nominativo")] == [
        "Anna Bianchi", "Luca Verdi"]
    client.force_login(consesso.sindaci[0])
    assert client.get(url).status_code == 403


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

"""Monitoring pages: every reader of the plan reads them, only its Ufficio di Piano writes (403
for the others, 404 for another ambito, the login for signed-out users); measurements, the
implementation grid and the report through the pages; a fixed number of queries whatever the
number of actions, indicators and measurements."""

import datetime
import html
from decimal import Decimal

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from accordi.models import Documento, PianoDiZona
from ambiti.models import Incarico
from risorse.models import AttuazioneAzione, Misurazione, RelazioneMonitoraggio
from tests.factories import (
    AzioneFactory,
    IndicatoreFactory,
    MisurazioneFactory,
    ObiettivoFactory,
    RegioneFactory,
    utente_con_ruolo,
)

pytestmark = pytest.mark.django_db
R = Incarico.Ruolo
ANNO = 2025  # a year of the test cycle (2025-2027) that has begun


def url(nome, *args):
    return reverse(f"risorse:{nome}", args=args)


def html_di(risposta):
    return html.unescape(risposta.content.decode())


def _in_stato(piano, stato):
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=stato)
    return PianoDiZona.objects.get(pk=piano.pk)


@pytest.fixture
def piano(mondo):
    return _in_stato(mondo.piano, "vigente")


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


@pytest.fixture
def indicatore(piano):
    azione = AzioneFactory(obiettivo=ObiettivoFactory(piano=piano), titolo="Sportello anziani")
    return IndicatoreFactory(azione=azione, descrizione="Utenti presi in carico", valore_base="10",
                             valore_obiettivo="25")


@pytest.fixture
def misura(indicatore, udp):
    return MisurazioneFactory(indicatore=indicatore, data_rilevazione=datetime.date(ANNO, 6, 30), valore="16",
                              inserita_da=udp)


def pagine(piano, indicatore, misura):
    return [url("monitoraggio", piano.pk), url("misurazioni", indicatore.pk), url("misurazione", misura.pk),
            url("attuazione", piano.pk, ANNO), url("relazione", piano.pk, ANNO)]


def scritture(piano, indicatore, misura):
    return [url("misurazioni", indicatore.pk), url("misurazione", misura.pk), url("attuazione", piano.pk, ANNO),
            url("relazione", piano.pk, ANNO), url("relazione_genera", piano.pk, ANNO)]


def test_l_ufficio_di_piano_vede_avanzamento_e_comandi(client, piano, indicatore, misura, udp):
    client.force_login(udp)
    pagina = html_di(client.get(url("monitoraggio", piano.pk)))
    # (16-10)/(25-10) = 40%: written beside the bar, not only drawn
    assert "Utenti presi in carico" in pagina and "<strong>40,0%</strong>" in pagina
    assert 'aria-valuenow="40"' in pagina and url("misurazioni", indicatore.pk) in pagina
    assert url("attuazione", piano.pk, ANNO) in pagina and url("relazione", piano.pk, ANNO) in pagina
    for indirizzo in pagine(piano, indicatore, misura)[1:]:
        assert 'data-testid="modulo-' in html_di(client.get(indirizzo)), indirizzo


@pytest.mark.parametrize("chi", [R.SINDACO, R.REFERENTE_ASL, R.PRESIDENTE_ASSEMBLEA, "regionale"])
def test_chi_legge_vede_senza_comandi_e_non_scrive(client, mondo, piano, indicatore, misura, chi):
    # mondo.regionale oversees the plan's region (the factories share one Regione)
    client.force_login(mondo.regionale if chi == "regionale" else mondo[chi])
    for indirizzo in pagine(piano, indicatore, misura):
        risposta = client.get(indirizzo)
        assert risposta.status_code == 200, indirizzo
        assert 'data-testid="modulo-' not in html_di(risposta), indirizzo
        assert "aggiornato dall'Ufficio di Piano" in html_di(risposta), indirizzo
    for indirizzo in scritture(piano, indicatore, misura):
        risposta = client.post(indirizzo, {"data_rilevazione": "2025-07-01", "valore": "3", "elimina": "1",
                                           "azione": "sintesi", "sintesi": "x", "numero": "1"})
        assert risposta.status_code == 403, indirizzo
    assert list(Misurazione.objects.values_list("pk", flat=True)) == [misura.pk]
    assert not RelazioneMonitoraggio.objects.exists() and not Documento.objects.exists()


def test_altro_ambito_e_regione_diversa_ricevono_404(client, mondo, piano, indicatore, misura):
    veneto = utente_con_ruolo(R.OPERATORE_REGIONALE, regione=RegioneFactory(codice_istat="05", nome="Veneto"),
                              username="regionale-veneto")
    for utente in (mondo.udp_altro, veneto):
        client.force_login(utente)
        for indirizzo in pagine(piano, indicatore, misura):
            assert client.get(indirizzo).status_code == 404, indirizzo
        for indirizzo in scritture(piano, indicatore, misura):
            assert client.post(indirizzo, {"elimina": "1"}).status_code == 404, indirizzo
    assert Misurazione.objects.filter(pk=misura.pk).exists()


def test_senza_accesso_si_va_al_login(client, piano, indicatore, misura):
    for indirizzo in pagine(piano, indicatore, misura) + [url("relazione_genera", piano.pk, ANNO)]:
        risposta = client.post(indirizzo) if "genera" in indirizzo else client.get(indirizzo)
        assert risposta.status_code == 302, indirizzo
        assert risposta["Location"].startswith(resolve_url(settings.LOGIN_URL)), indirizzo


def test_anno_fuori_dal_ciclo_e_404(client, piano, udp):
    client.force_login(udp)
    assert client.get(url("attuazione", piano.pk, 2031)).status_code == 404
    assert client.get(url("relazione", piano.pk, 2019)).status_code == 404


def test_piano_non_vigente_si_legge_con_il_motivo(client, piano, indicatore, misura, udp):
    _in_stato(piano, "bozza")
    client.force_login(udp)
    pagina = html_di(client.get(url("misurazioni", indicatore.pk)))
    assert 'data-testid="modulo-' not in pagina and "quando il piano è vigente" in pagina
    risposta = client.post(url("misurazioni", indicatore.pk), {"data_rilevazione": "2025-07-01", "valore": "3"})
    assert risposta.status_code == 200 and "quando il piano è vigente" in html_di(risposta)
    assert Misurazione.objects.count() == 1


def test_misurazioni_dalla_pagina(client, indicatore, misura, udp):
    client.force_login(udp)
    r = client.post(url("misurazioni", indicatore.pk),
                    {"data_rilevazione": "2025-09-30", "valore": "1.234,5", "nota": "Dato dei Comuni"})
    assert r.status_code == 302
    assert Misurazione.objects.get(data_rilevazione="2025-09-30").valore == Decimal("1234.5")
    # the same date again: a message tied to the form, nothing saved
    r = client.post(url("misurazioni", indicatore.pk), {"data_rilevazione": "2025-09-30", "valore": "7"})
    assert r.status_code == 200 and "già una misurazione del 30/09/2025" in html_di(r)
    r = client.post(url("misurazioni", indicatore.pk), {"data_rilevazione": "2025-10-30", "valore": "1,234.5"})
    assert r.status_code == 200 and "non è un numero" in html_di(r) and 'value="1,234.5"' in html_di(r)
    assert Misurazione.objects.count() == 2
    # edit shows the value the Italian way and saves it back
    assert 'value="16"' in html_di(client.get(url("misurazione", misura.pk)))
    r = client.post(url("misurazione", misura.pk), {"data_rilevazione": "2025-06-30", "valore": "18,25"})
    assert r.status_code == 302
    misura.refresh_from_db()
    assert misura.valore == Decimal("18.25")
    assert client.post(url("misurazione", misura.pk), {"elimina": "1"}).status_code == 302
    assert not Misurazione.objects.filter(pk=misura.pk).exists()


def test_griglia_di_attuazione_dalla_pagina(client, piano, indicatore, udp):
    altra = AzioneFactory(obiettivo=indicatore.azione.obiettivo)
    client.force_login(udp)
    dati = {f"stato_{indicatore.azione.pk}": "in_corso", f"nota_{indicatore.azione.pk}": "Bene",
            f"stato_{altra.pk}": "", f"nota_{altra.pk}": "Senza stato"}
    r = client.post(url("attuazione", piano.pk, ANNO), dati)
    assert r.status_code == 200 and "scegli lo stato" in html_di(r)
    assert not AttuazioneAzione.objects.exists()
    dati[f"nota_{altra.pk}"] = ""
    assert client.post(url("attuazione", piano.pk, ANNO), dati).status_code == 302
    assert list(AttuazioneAzione.objects.values_list("azione", "anno", "stato", "nota")) == [
        (indicatore.azione.pk, ANNO, "in_corso", "Bene")]
    assert "In corso" in html_di(client.get(url("monitoraggio", piano.pk)))


def test_sintesi_e_generazione_della_relazione(client, piano, misura, udp, pki_attiva,
                                               django_capture_on_commit_callbacks):
    client.force_login(udp)
    r = client.post(url("relazione", piano.pk, ANNO), {"azione": "sintesi", "sintesi": "Un buon anno"})
    assert r.status_code == 302 and RelazioneMonitoraggio.objects.get().sintesi == "Un buon anno"
    pagina = html_di(client.get(url("relazione", piano.pk, ANNO)))
    assert "Un buon anno" in pagina and 'name="numero" value="1"' in pagina
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url("relazione_genera", piano.pk, ANNO), {"numero": "1"})
    documento = Documento.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("accordi:documento", args=[documento.pk])
    pagina = html_di(client.get(r["Location"]))
    assert "Relazione di monitoraggio 2025" in pagina and "Relazione annuale di monitoraggio" in pagina
    client.post(url("relazione_genera", piano.pk, ANNO), {"numero": "1"})  # double click
    assert Documento.objects.count() == 1
    pagina = html_di(client.get(url("relazione", piano.pk, ANNO)))
    assert reverse("accordi:documento", args=[documento.pk]) in pagina and 'name="numero" value="2"' in pagina
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("relazione_genera", piano.pk, ANNO), {"numero": "2"})
    assert sorted(Documento.objects.values_list("versione", flat=True)) == [1, 2]
    assert Documento.objects.filter(stato="pronto").count() == 2


def _piano_grande(piano, udp, n):
    for _o in range(n):
        obiettivo = ObiettivoFactory(piano=piano)
        for _a in range(2):
            azione = AzioneFactory(obiettivo=obiettivo)
            AttuazioneAzione.objects.create(azione=azione, anno=ANNO, stato="in_corso", nota="x", aggiornata_da=udp)
            for i in range(2):
                indicatore = IndicatoreFactory(azione=azione, valore_base=None if i else "5")
                for m in range(n):
                    MisurazioneFactory(indicatore=indicatore, inserita_da=udp,
                                       data_rilevazione=datetime.date(ANNO, 1, 1) + datetime.timedelta(days=10 * m))
    return indicatore


@pytest.mark.parametrize("n", [1, 6])
def test_numero_fisso_di_query(client, piano, udp, n, django_assert_max_num_queries, pki_attiva,
                               django_capture_on_commit_callbacks):
    indicatore = _piano_grande(piano, udp, n)
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(udp)
        client.post(url("relazione_genera", piano.pk, ANNO), {"numero": "1"})
    indirizzi = [url("monitoraggio", piano.pk), url("misurazioni", indicatore.pk),
                 url("attuazione", piano.pk, ANNO), url("relazione", piano.pk, ANNO)]
    for indirizzo in indirizzi:  # caches filled once per process (content types)
        client.get(indirizzo)
    for indirizzo in indirizzi:
        with django_assert_max_num_queries(16):
            assert client.get(indirizzo).status_code == 200, indirizzo

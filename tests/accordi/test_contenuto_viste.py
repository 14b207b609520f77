"""The working draft's pages: the Ufficio di Piano writes, readers read, others get 403,
signed-out users the login; stale saves keep the user's text; queries do not grow with the
draft."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordi import services_contenuto as sc
from accordi.models import Azione, Obiettivo, PianoDiZona, SezionePiano, StanziamentoAzione
from ambiti.models import Incarico

from ..factories import AzioneFactory, ObiettivoFactory, SezionePianoFactory, StanziamentoAzioneFactory

R = Incarico.Ruolo


@pytest.fixture
def udp(mondo, client):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    return mondo[R.RESPONSABILE_UDP]


def _griglia_vuota(piano) -> dict:
    from accordi.models import FonteFinanziamento

    return {f"s_{a}_{f}": "" for a in range(piano.ciclo.anno_inizio, piano.ciclo.anno_fine + 1)
            for f in FonteFinanziamento.values}


def _formset_vuoto() -> dict:
    return {"indicatori-TOTAL_FORMS": "0", "indicatori-INITIAL_FORMS": "0", "indicatori-MIN_NUM_FORMS": "0",
            "indicatori-MAX_NUM_FORMS": "50"}


def test_l_ufficio_di_piano_apre_il_contenuto_e_trova_le_sezioni(mondo, client, udp):
    r = client.get(reverse("accordi:contenuto", args=[mondo.piano.pk]))
    assert r.status_code == 200
    testo = r.content.decode()
    assert "Bozza di lavoro" in testo and "Esiti del piano precedente" in testo and "Nuovo obiettivo" in testo
    assert SezionePiano.objects.filter(piano=mondo.piano).count() == len(sc.MODELLO_PREDEFINITO)


def test_l_ufficio_di_piano_scrive_una_sezione(mondo, client, udp):
    sezione = sc.sezioni_garantisci(mondo.piano)[0]
    url = reverse("accordi:sezione", args=[sezione.pk])
    r = client.get(url)
    assert r.status_code == 200 and 'data-editor="trix"' in r.content.decode()
    assert sezione.guida in r.content.decode()
    r = client.post(url, {"testo": '<p onclick="x()">Il piano <script>alert(1)</script>precedente</p>',
                          "versione": "1"})
    assert r.status_code == 302
    sezione.refresh_from_db()
    assert sezione.testo == "<p>Il piano precedente</p>" and sezione.versione == 2


def test_un_salvataggio_superato_tiene_il_testo_dell_utente_e_mostra_l_altro(mondo, client, udp):
    sezione = sc.sezioni_garantisci(mondo.piano)[0]
    sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>Testo della collega</p>", versione=1)
    r = client.post(reverse("accordi:sezione", args=[sezione.pk]), {"testo": "<p>Il mio testo</p>", "versione": "1"})
    assert r.status_code == 200
    testo = r.content.decode()
    assert "Il mio testo" in testo and "Testo della collega" in testo and 'data-testid="versione-altrui"' in testo
    assert 'name="versione" value="2"' in testo
    sezione.refresh_from_db()
    assert sezione.testo == "<p>Testo della collega</p>"


def test_chi_legge_vede_la_bozza_senza_modulo(mondo, client):
    sezione = sc.sezioni_garantisci(mondo.piano)[0]
    sc.sezione_salva(sezione=sezione, utente=mondo[R.RESPONSABILE_UDP], testo="<p>Testo</p>", versione=1)
    client.force_login(mondo[R.SINDACO])
    r = client.get(reverse("accordi:sezione", args=[sezione.pk]))
    assert r.status_code == 200
    assert "<p>Testo</p>" in r.content.decode() and "editor-sezione" not in r.content.decode()
    assert client.post(reverse("accordi:sezione", args=[sezione.pk]),
                       {"testo": "x", "versione": "2"}).status_code == 403
    r = client.get(reverse("accordi:contenuto", args=[mondo.piano.pk]))
    assert r.status_code == 200 and "Nuovo obiettivo" not in r.content.decode()


@pytest.mark.parametrize("chi", ["udp_altro", "presidente_altro", "sindacato"])
def test_altri_ambiti_e_sindacati_ricevono_403(mondo, client, chi):
    utente = mondo[R.REFERENTE_SINDACATO] if chi == "sindacato" else getattr(mondo, chi)
    sezione = sc.sezioni_garantisci(mondo.piano)[0]
    ob = ObiettivoFactory(piano=mondo.piano)
    azione = AzioneFactory(obiettivo=ob)
    client.force_login(utente)
    for url in (reverse("accordi:contenuto", args=[mondo.piano.pk]), reverse("accordi:sezione", args=[sezione.pk]),
                reverse("accordi:obiettivo", args=[ob.pk]), reverse("accordi:azione", args=[azione.pk]),
                reverse("accordi:obiettivo_nuovo", args=[mondo.piano.pk]),
                reverse("accordi:azione_nuova", args=[ob.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("accordi:azione_elimina", args=[azione.pk])).status_code == 403
    assert Azione.objects.filter(pk=azione.pk).exists()


def test_senza_accesso_si_va_al_login(mondo, client):
    r = client.get(reverse("accordi:contenuto", args=[mondo.piano.pk]))
    assert r.status_code == 302 and r["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_obiettivo_e_azione_con_griglia_e_indicatori_in_un_salvataggio(mondo, client, udp):
    r = client.post(reverse("accordi:obiettivo_nuovo", args=[mondo.piano.pk]),
                    {"tipo": "strategico", "codice": "OB1", "titolo": "Domiciliarità"})
    ob = Obiettivo.objects.get(piano=mondo.piano)
    assert r.status_code == 302 and r["Location"] == reverse("accordi:obiettivo", args=[ob.pk])
    dati = {"titolo": "Sportello unico", "destinatari": "Anziani", **_griglia_vuota(mondo.piano),
            "s_2025_fnps": "1.234,56", "s_2026_comuni": "100",
            "indicatori-TOTAL_FORMS": "2", "indicatori-INITIAL_FORMS": "0", "indicatori-MIN_NUM_FORMS": "0",
            "indicatori-MAX_NUM_FORMS": "50", "indicatori-0-descrizione": "Persone prese in carico",
            "indicatori-0-unita": "persone", "indicatori-0-valore_obiettivo": "40"}
    r = client.post(reverse("accordi:azione_nuova", args=[ob.pk]), dati)
    azione = Azione.objects.get(obiettivo=ob)
    assert r.status_code == 302
    assert sum(StanziamentoAzione.objects.filter(azione=azione).values_list("importo_centesimi", flat=True)) == 133456
    assert azione.indicatori.count() == 1
    r = client.get(reverse("accordi:azione", args=[azione.pk]))
    assert 'value="1.234,56"' in r.content.decode() and "1.334,56" in r.content.decode()
    # the page says to tick «Elimina» to remove an indicator: the box is labelled so
    assert re.search(r'<label[^>]*for="id_indicatori-0-DELETE"[^>]*>\s*Elimina\s*<', r.content.decode())
    # A wrong cell refuses the whole save, with the cell named.
    dati.update({"titolo": "Cambiato", "s_2027_fna": "3,456"})
    r = client.post(reverse("accordi:azione", args=[azione.pk]), dati)
    assert r.status_code == 200 and "al più due decimali" in r.content.decode()
    azione.refresh_from_db()
    assert azione.titolo == "Sportello unico"
    r = client.get(reverse("accordi:contenuto", args=[mondo.piano.pk]))
    assert "1.334,56" in r.content.decode()


def test_eliminare_un_obiettivo_con_azioni_e_rifiutato(mondo, client, udp):
    ob = ObiettivoFactory(piano=mondo.piano)
    AzioneFactory(obiettivo=ob)
    r = client.post(reverse("accordi:obiettivo_elimina", args=[ob.pk]), follow=True)
    assert "elimina prima le azioni" in r.content.decode()
    assert Obiettivo.objects.filter(pk=ob.pk).exists()


def test_dopo_la_stesura_l_ufficio_di_piano_legge_soltanto(mondo, client, udp):
    sezione = sc.sezioni_garantisci(mondo.piano)[0]
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato="parere_sindacati")
    r = client.get(reverse("accordi:sezione", args=[sezione.pk]))
    assert r.status_code == 200 and "editor-sezione" not in r.content.decode()
    assert "rinviato alla stesura" in r.content.decode()
    r = client.post(reverse("accordi:sezione", args=[sezione.pk]), {"testo": "<p>Tardi</p>", "versione": "1"},
                    follow=True)
    assert "rinviato alla stesura" in r.content.decode()
    sezione.refresh_from_db()
    assert sezione.testo == ""


def test_la_scheda_del_piano(mondo, client, udp):
    sc.sezioni_garantisci(mondo.piano)
    AzioneFactory(obiettivo=ObiettivoFactory(piano=mondo.piano))
    r = client.get(reverse("accordi:contenuto_scheda", args=[mondo.piano.pk]))
    assert "Scrivi il piano" in r.content.decode() and "1 obiettivo, 1 azione" in r.content.decode()
    client.force_login(mondo[R.SINDACO])
    assert "Leggi la bozza" in client.get(reverse("accordi:contenuto_scheda", args=[mondo.piano.pk])).content.decode()
    client.force_login(mondo[R.REFERENTE_SINDACATO])
    r = client.get(reverse("accordi:contenuto_scheda", args=[mondo.piano.pk]))
    assert "Leggi la bozza" not in r.content.decode() and "Esiti" not in r.content.decode()


def test_il_modello_del_ciclo_per_la_regione(mondo, client):
    url = reverse("accordi:modello_ciclo", args=[mondo.piano.ciclo.pk])
    client.force_login(mondo[R.RESPONSABILE_UDP])
    assert client.get(url).status_code == 403
    client.force_login(mondo.regionale)
    assert client.get(url).status_code == 200
    r = client.post(url, {"azione": "salva", "codice": "casa", "titolo": "Politiche abitative"})
    assert r.status_code == 302
    assert "Politiche abitative" in client.get(url).content.decode()


def _bozza(piano, n):
    for i in range(n):
        SezionePianoFactory(piano=piano, testo=f"<p>Testo {i}</p>")
        ob = ObiettivoFactory(piano=piano)
        azione = AzioneFactory(obiettivo=ob)
        StanziamentoAzioneFactory(azione=azione)


@pytest.mark.parametrize("n", [2, 10])
def test_le_pagine_leggono_in_un_numero_fisso_di_query(mondo, client, udp, django_assert_max_num_queries, n):
    _bozza(mondo.piano, n)
    ob = Obiettivo.objects.filter(piano=mondo.piano).first()
    for _i in range(n):
        AzioneFactory(obiettivo=ob)
    azione = Azione.objects.filter(obiettivo=ob).first()
    with django_assert_max_num_queries(25):
        assert client.get(reverse("accordi:contenuto", args=[mondo.piano.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("accordi:obiettivo", args=[ob.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("accordi:azione", args=[azione.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("accordi:contenuto_scheda", args=[mondo.piano.pk])).status_code == 200
    sezione = SezionePiano.objects.filter(piano=mondo.piano).first()
    with django_assert_max_num_queries(25):
        assert client.get(reverse("accordi:sezione", args=[sezione.pk])).status_code == 200


def test_le_query_non_crescono_con_la_bozza(mondo, client, udp):
    """The same pages with 2 and with 10 sections, objectives and actions read in the same
    number of queries."""
    def conta(n):
        _bozza(mondo.piano, n)
        ob = Obiettivo.objects.filter(piano=mondo.piano).last()
        for _i in range(n):
            AzioneFactory(obiettivo=ob)
        conti = []
        for url in (reverse("accordi:contenuto", args=[mondo.piano.pk]), reverse("accordi:obiettivo", args=[ob.pk]),
                    reverse("accordi:contenuto_scheda", args=[mondo.piano.pk])):
            client.get(url)  # the first visit may create the region's areas of intervention
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            conti.append(len(q))
        return conti

    assert conta(2) == conta(8)

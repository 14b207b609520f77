"""Pages of the plan's versions: the list, one version, two versions side by side; who reads
what (the union only the version sent to it), and queries that do not grow with the plan."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accordi.models import Consultazione, Parere, PianoDiZona
from accordi.services_versioni import versione_congela
from ambiti.models import Incarico

from ..factories import (
    AzioneFactory,
    ObiettivoFactory,
    SezionePianoFactory,
    StanziamentoAzioneFactory,
    utente_con_ruolo,
)

R = Incarico.Ruolo


@pytest.fixture(autouse=True)
def _senza_pdf(monkeypatch):
    monkeypatch.setattr("accordi.services_documenti._accoda", lambda pk: None)


@pytest.fixture
def versioni(mondo):
    """Version 1 (sent to the union of the fixture) and version 2 (changed text and budget)."""
    udp = mondo[R.RESPONSABILE_UDP]
    piano = mondo.piano
    PianoDiZona.objects.filter(pk=piano.pk).update(stato="bozza")
    piano.refresh_from_db()
    sezione = SezionePianoFactory(piano=piano, codice="contesto", titolo="Contesto",
                                  testo="<p>La rete dei servizi è fragile.</p>")
    azione = AzioneFactory(obiettivo=ObiettivoFactory(piano=piano, titolo="Domiciliarità"), titolo="SAD")
    stanziamento = StanziamentoAzioneFactory(azione=azione, anno=2025, fonte="fnps", importo_centesimi=1_000_000)
    v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati")
    consultazione = Consultazione.objects.create(piano=piano, versione=v1, inviata_da=udp,
                                                 scadenza=timezone.now() + datetime.timedelta(days=20))
    Parere.objects.create(consultazione=consultazione, sindacato=mondo[R.REFERENTE_SINDACATO].incarichi.get().ente)
    sezione.testo = "<p>La rete dei servizi è solida &amp; integrata.</p>"
    sezione.save()
    stanziamento.importo_centesimi = 1_250_000
    stanziamento.save()
    v2 = versione_congela(piano=piano, utente=udp, motivo="assemblea")
    return v1, v2


def url_confronta(piano, da, a):
    return reverse("accordi:versioni_confronta", args=[piano.pk]) + f"?da={da}&a={a}"


def test_l_ufficio_di_piano_vede_l_elenco_con_motivi_pdf_e_confronti(client, mondo, versioni):
    v1, v2 = versioni
    client.force_login(mondo[R.RESPONSABILE_UDP])
    testo = client.get(reverse("accordi:versioni", args=[mondo.piano.pk])).text
    assert "Inviata ai sindacati per il parere" in testo and "Sottoposta all&#x27;Assemblea dei Sindaci" in testo
    assert reverse("accordi:documento", args=[v2.documento.pk]) in testo
    assert "?da=1&amp;a=2" in testo


def test_la_pagina_di_una_versione_mostra_testo_e_stanziamenti(client, mondo, versioni):
    v1, _v2 = versioni
    client.force_login(mondo[R.SINDACO])
    risposta = client.get(reverse("accordi:versione", args=[v1.pk]))
    assert risposta.status_code == 200
    assert "La rete dei servizi è fragile." in risposta.text
    assert "10.000,00 €" in risposta.text and "Fondo Nazionale Politiche Sociali (FNPS)" in risposta.text


def test_il_testo_di_una_versione_e_ripulito(client, mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    SezionePianoFactory(piano=mondo.piano, testo='<p onclick="x()">Ciao</p><script>alert(1)</script>')
    v = versione_congela(piano=mondo.piano, utente=udp, motivo="altro")
    client.force_login(udp)
    testo = client.get(reverse("accordi:versione", args=[v.pk])).text
    assert "<p>Ciao</p>" in testo and "alert(1)" not in testo and "onclick" not in testo


def test_il_confronto_affianca_le_versioni_con_aggiunte_e_tolte(client, mondo, versioni):
    client.force_login(mondo[R.PRESIDENTE_ASSEMBLEA])
    risposta = client.get(url_confronta(mondo.piano, 1, 2))
    assert risposta.status_code == 200
    testo = risposta.text
    assert '<del><span class="visually-hidden">rimosso: </span>fragile.</del>' in testo
    assert '<ins><span class="visually-hidden">aggiunto: </span>solida &amp; integrata.</ins>' in testo
    assert "12.500,00 €" in testo and "importo cambiato" in testo
    assert risposta.context["confronto"].riepilogo["sezioni"] == {"modificata": 1}


def test_il_confronto_senza_parametri_prende_le_ultime_due(client, mondo, versioni):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    risposta = client.get(reverse("accordi:versioni_confronta", args=[mondo.piano.pk]))
    assert (risposta.context["da"], risposta.context["a"]) == (1, 2)


def test_la_bozza_di_lavoro_si_confronta_solo_dall_ufficio_di_piano(client, mondo, versioni):
    SezionePianoFactory(piano=mondo.piano, codice="nuova", titolo="Sezione nuova", testo="<p>Nuovo testo</p>")
    client.force_login(mondo[R.RESPONSABILE_UDP])
    risposta = client.get(url_confronta(mondo.piano, 2, 0))
    assert risposta.status_code == 200
    assert [s.stato for s in risposta.context["confronto"].sezioni] == ["invariata", "aggiunta"]
    client.force_login(mondo[R.SINDACO])
    assert client.get(url_confronta(mondo.piano, 2, 0)).status_code == 403


def test_parametri_sbagliati_hanno_un_messaggio(client, mondo, versioni):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    assert "non esiste" in client.get(url_confronta(mondo.piano, 1, 9)).text
    assert "due versioni diverse" in client.get(url_confronta(mondo.piano, 1, 1)).text
    assert "con il loro numero" in client.get(url_confronta(mondo.piano, "x", 1)).text


def test_il_sindacato_vede_solo_la_versione_inviata(client, mondo, versioni):
    v1, v2 = versioni
    client.force_login(mondo[R.REFERENTE_SINDACATO])
    elenco = client.get(reverse("accordi:versioni", args=[mondo.piano.pk]))
    assert [v.numero for v in elenco.context["versioni"]] == [1]
    assert client.get(reverse("accordi:versione", args=[v1.pk])).status_code == 200
    assert client.get(reverse("accordi:versione", args=[v2.pk])).status_code == 403
    assert client.get(url_confronta(mondo.piano, 1, 2)).status_code == 403


def test_un_sindacato_a_cui_non_e_stato_inviato_nulla_non_legge(client, mondo, versioni):
    altro = utente_con_ruolo(R.REFERENTE_SINDACATO, mondo.ambito, username="altro-sindacato")
    client.force_login(altro)
    assert client.get(reverse("accordi:versioni", args=[mondo.piano.pk])).status_code == 403
    assert client.get(reverse("accordi:versione", args=[versioni[0].pk])).status_code == 403


def test_altri_ambiti_rifiutati_e_la_regione_legge(client, mondo, versioni):
    v1, _v2 = versioni
    asl_altro = utente_con_ruolo(R.REFERENTE_ASL, mondo.altro_ambito, username="asl-altro")
    for utente in (asl_altro, mondo.udp_altro):
        client.force_login(utente)
        assert client.get(reverse("accordi:versioni", args=[mondo.piano.pk])).status_code == 403
        assert client.get(reverse("accordi:versione", args=[v1.pk])).status_code == 403
        assert client.get(url_confronta(mondo.piano, 1, 2)).status_code == 403
    client.force_login(mondo.regionale)
    assert client.get(url_confronta(mondo.piano, 1, 2)).status_code == 200


def test_anonimo_rimandato_all_accesso(client, mondo, versioni):
    risposta = client.get(reverse("accordi:versione", args=[versioni[0].pk]))
    assert risposta.status_code == 302 and reverse("login") in risposta["Location"]


def test_congelare_a_mano_solo_in_bozza_e_solo_l_ufficio_di_piano(client, mondo, versioni):
    url = reverse("accordi:versione_congela", args=[mondo.piano.pk])
    client.force_login(mondo[R.SINDACO])
    assert client.post(url).status_code == 403
    client.force_login(mondo[R.RESPONSABILE_UDP])
    ObiettivoFactory(piano=mondo.piano)
    risposta = client.post(url, {"nota": "Per la riunione dei tavoli"})
    v3 = mondo.piano.versioni.get(numero=3)
    assert risposta.status_code == 302 and risposta["Location"] == reverse("accordi:versione", args=[v3.pk])
    assert (v3.motivo, v3.nota) == ("altro", "Per la riunione dei tavoli")
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato="parere_sindacati")
    ObiettivoFactory(piano=mondo.piano)
    risposta = client.post(url, follow=True)
    assert "solo durante la stesura della bozza" in risposta.text
    assert mondo.piano.versioni.count() == 3


def test_la_scheda_del_piano_elenca_le_versioni(client, mondo, versioni):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    assert 'data-testid="versioni-piano"' in client.get(reverse("accordi:piano", args=[mondo.piano.pk])).text
    scheda = client.get(reverse("accordi:versioni", args=[mondo.piano.pk]) + "?scheda=1")
    assert [v.numero for v in scheda.context["versioni"]] == [2, 1]
    client.force_login(utente_con_ruolo(R.REFERENTE_SINDACATO, mondo.ambito, username="sind-2"))
    scheda = client.get(reverse("accordi:versioni", args=[mondo.piano.pk]) + "?scheda=1")
    assert scheda.status_code == 200 and scheda.context["versioni"] == []


def _cresci(piano, udp, n):
    for i in range(n):
        SezionePianoFactory(piano=piano, testo=f"<p>Testo {i}</p>")
        obiettivo = ObiettivoFactory(piano=piano)
        for _ in range(3):
            StanziamentoAzioneFactory(azione=AzioneFactory(obiettivo=obiettivo))
        versione_congela(piano=piano, utente=udp, motivo="altro")


def test_query_costanti_nelle_pagine(client, mondo, versioni, django_assert_max_num_queries):
    udp = mondo[R.RESPONSABILE_UDP]
    client.force_login(udp)
    pagine = [reverse("accordi:versioni", args=[mondo.piano.pk]),
              reverse("accordi:versioni", args=[mondo.piano.pk]) + "?scheda=1",
              reverse("accordi:versione", args=[versioni[1].pk]),
              url_confronta(mondo.piano, 1, 2), url_confronta(mondo.piano, 2, 0)]
    conteggi = []
    for pagina in pagine:
        with django_assert_max_num_queries(40) as contate:
            assert client.get(pagina).status_code == 200
        conteggi.append(len(contate.captured_queries))
    _cresci(mondo.piano, udp, 4)
    ultima = mondo.piano.versioni.order_by("-numero").first()
    pagine[2] = reverse("accordi:versione", args=[ultima.pk])
    pagine[3] = url_confronta(mondo.piano, 1, ultima.numero)
    pagine[4] = url_confronta(mondo.piano, ultima.numero, 0)
    for pagina, prima in zip(pagine, conteggi, strict=True):
        with django_assert_max_num_queries(prima):
            assert client.get(pagina).status_code == 200

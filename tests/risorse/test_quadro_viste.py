"""The quadro's pages: the Ufficio di Piano reads and writes (grid, single cell, import with
preview and confirmation), the other roles of the ambito and the Regione's officers read, other
ambiti and other regions get 404, signed-out users the login; exports and template; queries do
not grow with the quadro."""

import datetime
import html

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse

from accordi.models import PianoDiZona
from ambiti.models import Incarico
from risorse import importa_quadro as iq
from risorse.models import ImportazioneRisorse, VoceRisorsa
from risorse.tabelle import leggi_tabella
from tests.factories import AreaInterventoFactory, RegioneFactory, VoceRisorsaFactory, fonte, utente_con_ruolo

R = Incarico.Ruolo
LETTORI = [R.SINDACO, R.PRESIDENTE_ASSEMBLEA, R.REFERENTE_ASL, "regionale"]


def url(nome, *args):
    return reverse(f"risorse:{nome}", args=args)


def html_di(risposta) -> str:
    return html.unescape(risposta.content.decode())


@pytest.fixture(autouse=True)
def _oggi(monkeypatch):
    monkeypatch.setattr(iq.timezone, "localdate", lambda: datetime.date(2026, 6, 15))


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


@pytest.fixture
def con_voci(mondo):
    VoceRisorsaFactory(piano=mondo.piano, anno=2025, fonte=fonte("fnps"), importo_centesimi=1_234_56)
    VoceRisorsaFactory(piano=mondo.piano, anno=2025, fonte=fonte("asl"), ambito_spesa="sociosanitario",
                       importo_centesimi=1_000_00)
    return mondo


def _chi(mondo, chi):
    return mondo.regionale if chi == "regionale" else mondo[chi]


def test_l_ufficio_di_piano_vede_quadro_e_griglie(client, con_voci, udp):
    client.force_login(udp)
    r = client.get(url("quadro", con_voci.piano.pk))
    testo = html_di(r)
    assert r.status_code == 200
    assert "Fondo Nazionale Politiche Sociali (FNPS)" in testo and "1.234,56\u00a0€" in testo
    assert "2.234,56\u00a0€" in testo  # the year's total
    assert 'data-testid="griglia-2025"' in testo and 'data-testid="griglia-2027"' in testo
    assert url("quadro_importa", con_voci.piano.pk) in testo
    # 3 Comuni × 1.000 inhabitants: 2.234,56 / 3.000 = 0,7448… → 0,74
    assert "0,74\u00a0€" in testo and "3.000" in testo


@pytest.mark.parametrize("chi", LETTORI)
def test_i_lettori_vedono_senza_moduli(client, con_voci, chi):
    client.force_login(_chi(con_voci, chi))
    r = client.get(url("quadro", con_voci.piano.pk))
    testo = html_di(r)
    assert r.status_code == 200 and "1.234,56\u00a0€" in testo
    assert "griglia-2025" not in testo and url("quadro_importa", con_voci.piano.pk) not in testo
    assert client.get(url("quadro_esporta", con_voci.piano.pk, "csv")).status_code == 200
    assert client.get(url("quadro_modello", con_voci.piano.pk)).status_code == 200
    griglia = {"azione": "griglia", f"a2025-c_{fonte('fnps').pk}_0_sociale_previsto": "1"}
    assert client.post(url("quadro_anno", con_voci.piano.pk, 2025), griglia).status_code == 403
    assert client.get(url("quadro_importa", con_voci.piano.pk)).status_code == 403
    assert VoceRisorsa.objects.get(fonte__codice="fnps").importo_centesimi == 1_234_56


def test_altro_ambito_e_altra_regione_non_vedono(client, con_voci):
    altra = utente_con_ruolo(R.OPERATORE_REGIONALE, regione=RegioneFactory(codice_istat="01", nome="Piemonte"))
    for utente in (con_voci.udp_altro, altra, utente_con_ruolo(R.COMPONENTE_TAVOLO, con_voci.altro_ambito)):
        client.force_login(utente)
        pk = con_voci.piano.pk
        for indirizzo in (url("quadro", pk), url("quadro_esporta", pk, "csv"), url("quadro_modello", pk),
                          url("quadro_importa", pk)):
            assert client.get(indirizzo).status_code == 404
        assert client.post(url("quadro_anno", pk, 2025), {"azione": "griglia"}).status_code == 404


def test_anonimo_va_al_login(client, con_voci):
    pk = con_voci.piano.pk
    for indirizzo in (url("quadro", pk), url("quadro_esporta", pk, "xlsx"), url("quadro_modello", pk),
                      url("quadro_importa", pk), url("quadro_anno", pk, 2025)):
        r = client.get(indirizzo) if "anno" not in indirizzo else client.post(indirizzo)
        assert r.status_code == 302 and r["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_griglia_salva_l_anno(client, mondo, udp):
    client.force_login(udp)
    fnps, fna = fonte("fnps"), fonte("fna")
    dati = {"azione": "griglia", f"a2025-c_{fnps.pk}_0_sociale_previsto": "1.000,50",
            f"a2025-c_{fna.pk}_0_sociosanitario_consuntivo": "20"}
    r = client.post(url("quadro_anno", mondo.piano.pk, 2025), dati)
    assert r.status_code == 302 and r["Location"].endswith("#anno-2025")
    celle = {(v.fonte.codice, v.ambito_spesa, v.tipo): v.importo_centesimi for v in VoceRisorsa.objects.all()}
    assert celle == {("fnps", "sociale", "previsto"): 1000_50, ("fna", "sociosanitario", "consuntivo"): 20_00}


def test_griglia_sbagliata_resta_sulla_pagina_e_non_salva(client, con_voci, udp):
    client.force_login(udp)
    fnps, fna = fonte("fnps"), fonte("fna")
    dati = {"azione": "griglia", f"a2025-c_{fnps.pk}_0_sociale_previsto": "9",
            f"a2025-c_{fna.pk}_0_sociale_previsto": "dieci",
            f"a2025-c_{fna.pk}_0_sociale_consuntivo": "1,999"}
    r = client.post(url("quadro_anno", con_voci.piano.pk, 2025), dati)
    testo = html_di(r)
    assert r.status_code == 200
    assert "Fondo Non Autosufficienze (FNA), sociale, previsto: «dieci» non è un importo" in testo
    assert "Fondo Non Autosufficienze (FNA), sociale, consuntivo:" in testo
    assert 'value="dieci"' in testo  # the input stays
    assert VoceRisorsa.objects.get(fonte=fnps).importo_centesimi == 1_234_56


def test_una_cella_per_area(client, mondo, udp):
    area = AreaInterventoFactory(regione=mondo.piano.ciclo.regione, nome="Anziani")
    client.force_login(udp)
    dati = {"azione": "cella", "cella2026-fonte": fonte("fsr").pk, "cella2026-area": area.pk,
            "cella2026-ambito_spesa": "sociale", "cella2026-tipo": "previsto", "cella2026-importo": "5.000"}
    r = client.post(url("quadro_anno", mondo.piano.pk, 2026), dati)
    assert r.status_code == 302
    voce = VoceRisorsa.objects.get()
    assert (voce.anno, voce.area, voce.importo_centesimi, voce.aggiornata_da) == (2026, area, 5000_00, udp)
    testo = html_di(client.get(url("quadro", mondo.piano.pk)))
    assert "Fondo Sociale Regionale – Anziani" in testo
    dati["cella2026-tipo"] = "consuntivo"
    r = client.post(url("quadro_anno", mondo.piano.pk, 2027).replace("2027", "2026"), dati | {
        "cella2026-importo": "x"})
    assert r.status_code == 200 and "non è un importo in euro" in html_di(r)


def test_anno_fuori_ciclo_404_e_piano_annullato(client, con_voci, udp):
    client.force_login(udp)
    assert client.post(url("quadro_anno", con_voci.piano.pk, 2030), {"azione": "griglia"}).status_code == 404
    PianoDiZona.objects.filter(pk=con_voci.piano.pk).update(stato="annullato")
    r = client.get(url("quadro", con_voci.piano.pk))
    testo = html_di(r)
    assert "resta consultabile" in testo and "griglia-2025" not in testo
    dati = {"azione": "griglia", f"a2025-c_{fonte('fnps').pk}_0_sociale_previsto": "1"}
    r = client.post(url("quadro_anno", con_voci.piano.pk, 2025), dati)
    assert r.status_code == 200 and "resta consultabile" in html_di(r)
    assert VoceRisorsa.objects.get(fonte__codice="fnps").importo_centesimi == 1_234_56


def test_importazione_anteprima_e_conferma(client, con_voci, udp):
    client.force_login(udp)
    pk = con_voci.piano.pk
    testo = "anno;fonte;area;ambito;tipo;importo\n2025;fnps;;sociale;previsto;2.000\n2026;fna;;sociale;previsto;3\n"
    r = client.post(url("quadro_importa", pk), {"file": SimpleUploadedFile("q.csv", testo.encode())})
    pagina = html_di(r)
    assert r.status_code == 200 and 'data-testid="anteprima"' in pagina
    assert "1 cella nuova" in pagina and "1 cella modificata" in pagina and "1 cella tolta" in pagina
    assert VoceRisorsa.objects.count() == 2  # nothing yet
    token = iq.impronta(testo.encode())
    assert f'value="{token}"' in pagina
    # someone else's confirmation with the same token finds nothing
    collega = utente_con_ruolo(R.OPERATORE_UDP, con_voci.ambito)
    client.force_login(collega)
    r = client.post(url("quadro_importa", pk), {"token": token})
    assert r.status_code == 302 and VoceRisorsa.objects.count() == 2
    client.force_login(udp)
    r = client.post(url("quadro_importa", pk), {"token": token})
    assert r.status_code == 302 and r["Location"] == url("quadro", pk)
    celle = {(v.anno, v.fonte.codice): v.importo_centesimi for v in VoceRisorsa.objects.all()}
    assert celle == {(2025, "fnps"): 2000_00, (2026, "fna"): 3_00}
    assert ImportazioneRisorse.objects.get().utente == udp
    # the token is used: a second confirmation finds nothing
    r = client.post(url("quadro_importa", pk), {"token": token}, follow=True)
    assert "carica di nuovo il file" in html_di(r) and ImportazioneRisorse.objects.count() == 1


def test_importazione_con_errori_li_elenca_e_non_offre_conferma(client, con_voci, udp):
    client.force_login(udp)
    testo = "anno;fonte;area;ambito;tipo;importo\n2025;fnps;;sociale;previsto;2.000\n2040;fnps;;sociale;previsto;1\n"
    r = client.post(url("quadro_importa", con_voci.piano.pk), {"file": SimpleUploadedFile("q.csv", testo.encode())})
    pagina = html_di(r)
    assert "Riga 3: il 2040 è fuori dal ciclo" in pagina and "Conferma l'importazione" not in pagina
    r = client.post(url("quadro_importa", con_voci.piano.pk), {"file": SimpleUploadedFile("q.pdf", b"%PDF")})
    assert "Carica un file CSV o XLSX." in html_di(r)
    r = client.post(url("quadro_importa", con_voci.piano.pk), {"file": SimpleUploadedFile("q.xlsx", b"PK\x03\x04x")})
    assert "XLSX non è leggibile" in html_di(r)
    assert VoceRisorsa.objects.get(fonte__codice="fnps").importo_centesimi == 1_234_56


def test_esportazioni(client, con_voci, udp):
    client.force_login(udp)
    pk = con_voci.piano.pk
    r = client.get(url("quadro_esporta", pk, "csv"))
    assert r["Content-Disposition"] == f'attachment; filename="quadro-risorse-piano-{pk}.csv"'
    righe = leggi_tabella(r.content, "q.csv", colonne=iq.COLONNE)
    assert {(x.valori["fonte"], x.valori["importo"]) for x in righe} == {("fnps", "1.234,56"), ("asl", "1.000,00")}
    r = client.get(url("quadro_esporta", pk, "xlsx"))
    righe = leggi_tabella(r.content, "q.xlsx", colonne=iq.COLONNE)
    assert {(x.valori["fonte"], x.valori["importo"]) for x in righe} == {("fnps", "1234,56"), ("asl", "1000")}
    assert client.get(url("quadro_esporta", pk, "pdf")).status_code == 404
    r = client.get(url("quadro_modello", pk))
    assert r.content.decode("utf-8-sig").startswith("anno;fonte;area;ambito;tipo;importo")


def _riempi(piano, n):
    aree = [AreaInterventoFactory(regione=piano.ciclo.regione) for _ in range(n)]
    codici = ["fnps", "fna", "fsr", "comuni", "asl"]
    for i, area in enumerate(aree):
        for anno in (2025, 2026, 2027):
            for ambito in ("sociale", "sociosanitario"):
                VoceRisorsaFactory(piano=piano, anno=anno, area=area, fonte=fonte(codici[i % 5]),
                                   ambito_spesa=ambito, importo_centesimi=1000 + i)


@pytest.mark.parametrize("n", [1, 15])
def test_le_pagine_leggono_in_un_numero_fisso_di_query(client, mondo, udp, django_assert_max_num_queries, n):
    _riempi(mondo.piano, n)
    client.force_login(udp)
    client.get(url("quadro", mondo.piano.pk))  # caches filled once per process (content types)
    with django_assert_max_num_queries(12):
        r = client.get(url("quadro", mondo.piano.pk))
    assert r.status_code == 200 and html_di(r).count('data-testid="quadro-anno"') == 3
    with django_assert_max_num_queries(8):
        r = client.get(url("quadro_esporta", mondo.piano.pk, "csv"))
    assert len(r.content.decode("utf-8-sig").splitlines()) == 1 + 6 * n
    client.force_login(mondo[R.SINDACO])
    with django_assert_max_num_queries(12):
        assert client.get(url("quadro", mondo.piano.pk)).status_code == 200

"""Pages of the Comuni's social spending: who reads and who writes, the table, the form, the
import with its preview, the export, and a fixed number of queries."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ambiti.models import Incarico
from risorse.models import ImportazioneRisorse, SpesaSocialeComune
from risorse.selectors_spesa import COLONNE
from risorse.tabelle import leggi_tabella, scrivi_csv
from tests.factories import ComuneFactory, RegioneFactory, SpesaSocialeComuneFactory, utente_con_ruolo

R = Incarico.Ruolo
pytestmark = pytest.mark.django_db

LETTORI = [r for r in R.values if r != R.OPERATORE_REGIONALE]
SCRITTORI = [R.RESPONSABILE_UDP, R.OPERATORE_UDP]


def _url(mondo, nome="spesa", *args):
    return reverse(f"risorse:{nome}", args=[mondo.ambito.pk, *args])


def _comuni(mondo):
    return list(mondo.ambito.comuni.order_by("denominazione", "pk"))


@pytest.mark.parametrize("ruolo", LETTORI)
def test_ogni_ruolo_dell_ambito_legge_solo_l_ufficio_di_piano_scrive(client, mondo, ruolo):
    a = _comuni(mondo)[0]
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=a, anno=2025)
    client.force_login(mondo[ruolo])
    risposta = client.get(_url(mondo) + "?anno=2025")
    assert risposta.status_code == 200
    pagina = risposta.content.decode()
    assert a.denominazione in pagina and "dato mancante" in pagina
    assert ('data-testid="modulo-spesa"' in pagina) == (ruolo in SCRITTORI)
    assert client.get(_url(mondo, "spesa_esporta", "csv")).status_code == 200
    stato_post = client.post(_url(mondo), {"anno": "2025", f"s_{a.pk}": "1,00", f"c_{a.pk}": "1,00"}).status_code
    stato_importa = client.get(_url(mondo, "spesa_importa")).status_code
    if ruolo in SCRITTORI:
        assert (stato_post, stato_importa) == (302, 200)
    else:
        assert (stato_post, stato_importa) == (403, 403)
        assert SpesaSocialeComune.objects.get(comune=a).spesa_totale_centesimi == 100_000_000


def test_regionale_della_regione_legge_senza_scrivere(client, mondo):
    regionale = utente_con_ruolo(R.OPERATORE_REGIONALE, regione=mondo.ambito.asl.regione, username="reg-stessa")
    client.force_login(regionale)
    assert client.get(_url(mondo)).status_code == 200
    assert client.get(_url(mondo, "spesa_esporta", "xlsx")).status_code == 200
    assert client.post(_url(mondo), {"anno": "2025"}).status_code == 403
    assert client.get(_url(mondo, "spesa_importa")).status_code == 403


def _regionale_altrove(mondo):
    # RegioneFactory() answers the ambito's own Regione (get_or_create): this one is another.
    altra = RegioneFactory(codice_istat="09", nome="Toscana")
    assert altra != mondo.ambito.asl.regione
    return utente_con_ruolo(R.OPERATORE_REGIONALE, regione=altra, username="reg-altrove")


@pytest.mark.parametrize("chi", ["udp_altro", "presidente_altro", "regionale_altrove"])
def test_altri_ambiti_e_altre_regioni_non_vedono_nulla(client, mondo, chi):
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=_comuni(mondo)[0], nota="riservata")
    client.force_login(_regionale_altrove(mondo) if chi == "regionale_altrove" else getattr(mondo, chi))
    for url in (_url(mondo), _url(mondo, "spesa_importa"), _url(mondo, "spesa_esporta", "csv")):
        assert client.get(url).status_code == 404
    assert client.post(_url(mondo), {"anno": "2025"}).status_code == 404


def test_anonimo_va_al_login(client, mondo):
    for url in (_url(mondo), _url(mondo, "spesa_importa"), _url(mondo, "spesa_esporta", "csv")):
        risposta = client.get(url)
        assert risposta.status_code == 302
        assert risposta["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")


def test_ambito_inesistente_e_formato_sconosciuto(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    assert client.get(reverse("risorse:spesa", args=[999_999])).status_code == 404
    assert client.get(_url(mondo, "spesa_esporta", "pdf")).status_code == 404
    assert client.get(_url(mondo) + "?anno=mai").status_code == 404


def test_tabella_quote_classi_e_totali(client, mondo):
    a, b, c = _comuni(mondo)
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=a, anno=2024, spesa_totale_centesimi=300_000_00,
                              conferita_udp_centesimi=150_000_00)
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=b, anno=2024, spesa_totale_centesimi=100_000_00,
                              conferita_udp_centesimi=10_000_00)
    client.force_login(mondo[R.SINDACO])
    pagina = client.get(_url(mondo)).content.decode()  # the latest year with figures by default
    assert "Spesa sociale del 2024" in pagina
    assert "300.000,00" in pagina and "400.000,00" in pagina  # a row and the total
    # a: 50% exactly (middle class); b: 10%; the ambito: 160.000 / 400.000 = 40%.
    assert "50,0%" in pagina and "10,0%" in pagina and "40,0%" in pagina
    assert "sotto il 16%" in pagina and "tra il 16% e il 50%" in pagina and "oltre il 50%" not in pagina.split(
        "<table")[1]
    assert "<caption>" in pagina and 'scope="row"' in pagina
    assert c.denominazione in pagina and "dato mancante" in pagina


def test_salvataggio_dal_modulo_ed_errori_sul_campo(client, mondo):
    a, b, c = _comuni(mondo)
    client.force_login(mondo[R.OPERATORE_UDP])
    dati = {"anno": "2026", f"s_{a.pk}": "1.000,00", f"c_{a.pk}": "1.000,01", f"n_{a.pk}": "",
            f"s_{b.pk}": "2.000", f"c_{b.pk}": "1.500,00", f"n_{b.pk}": "ok", f"s_{c.pk}": "", f"c_{c.pk}": ""}
    risposta = client.post(_url(mondo), dati)
    assert risposta.status_code == 200
    pagina = risposta.content.decode()
    assert "La parte conferita supera" in pagina and 'aria-invalid="true"' in pagina
    assert 'value="1.000,01"' in pagina  # the input stays in the form
    assert not SpesaSocialeComune.objects.exists()

    dati[f"c_{a.pk}"] = "1.000,00"
    risposta = client.post(_url(mondo), dati)
    assert risposta.status_code == 302 and risposta["Location"].endswith("?anno=2026")
    assert SpesaSocialeComune.objects.get(comune=b, anno=2026).conferita_udp_centesimi == 1_500_00
    assert not SpesaSocialeComune.objects.filter(comune=c).exists()
    pagina = client.get(risposta["Location"]).content.decode()
    assert "oltre il 50%" in pagina  # 2.500 / 3.000


def test_importa_anteprima_conferma_e_registro(client, mondo):
    a, b, _c = _comuni(mondo)
    udp = mondo[R.RESPONSABILE_UDP]
    client.force_login(udp)
    contenuto = scrivi_csv(COLONNE, [[2025, a.codice_istat, a.denominazione, "1.000,00", "200,00", ""],
                                     [2025, b.codice_istat, b.denominazione, "500,00", "0", "nessuna"]])
    risposta = client.post(_url(mondo, "spesa_importa"), {"file": SimpleUploadedFile("spesa.csv", contenuto)})
    pagina = risposta.content.decode()
    assert risposta.status_code == 200 and 'data-testid="tabella-anteprima"' in pagina
    assert a.denominazione in pagina and "Righe nuove: 2" in pagina
    assert not SpesaSocialeComune.objects.exists()
    impronta = risposta.context["conferma"].initial["impronta"]

    # Someone else's confirmation with the same hash opens nothing.
    client.force_login(mondo[R.OPERATORE_UDP])
    risposta = client.post(_url(mondo, "spesa_importa"), {"impronta": impronta})
    assert risposta.status_code == 302 and not SpesaSocialeComune.objects.exists()

    client.force_login(udp)
    risposta = client.post(_url(mondo, "spesa_importa"), {"impronta": impronta})
    assert risposta.status_code == 302 and risposta["Location"].endswith("?anno=2025")
    assert SpesaSocialeComune.objects.count() == 2
    assert ImportazioneRisorse.objects.get().utente == udp
    # The kept file is used once.
    assert client.post(_url(mondo, "spesa_importa"), {"impronta": impronta}).status_code == 302
    assert ImportazioneRisorse.objects.count() == 1


def test_importa_file_sbagliato_mostra_le_righe(client, mondo):
    a = _comuni(mondo)[0]
    client.force_login(mondo[R.RESPONSABILE_UDP])
    contenuto = scrivi_csv(COLONNE, [[2025, a.codice_istat, "Altro nome", "1,00", "2,00", ""],
                                     [2025, "999999", "X", "1,00", "1,00", ""]])
    risposta = client.post(_url(mondo, "spesa_importa"), {"file": SimpleUploadedFile("spesa.csv", contenuto)})
    pagina = risposta.content.decode()
    assert "Riga 2:" in pagina and "Riga 3:" in pagina and 'data-testid="modulo-conferma"' not in pagina
    assert "conferma" not in risposta.context
    risposta = client.post(_url(mondo, "spesa_importa"), {"file": SimpleUploadedFile("spesa.pdf", b"%PDF")})
    assert "Carica un file CSV o XLSX." in risposta.content.decode()
    assert not SpesaSocialeComune.objects.exists()


def test_esporta_csv_e_xlsx_nel_formato_d_importazione(client, mondo):
    a = _comuni(mondo)[0]
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=a, anno=2025, spesa_totale_centesimi=123_456,
                              conferita_udp_centesimi=456)
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=a, anno=2024)
    SpesaSocialeComuneFactory(ambito=mondo.altro_ambito, comune=mondo.altro_ambito.comuni.first())
    client.force_login(mondo[R.SINDACO])
    for formato in ("csv", "xlsx"):
        risposta = client.get(_url(mondo, "spesa_esporta", formato) + "?anno=2025")
        righe = leggi_tabella(risposta.content, f"x.{formato}", colonne=COLONNE)
        assert [r.valori for r in righe] == [{"anno": "2025", "codice_istat": a.codice_istat, "comune": a.denominazione,
                                              "spesa_totale": "1.234,56", "conferita_udp": "4,56", "nota": ""}]
    tutte = leggi_tabella(client.get(_url(mondo, "spesa_esporta", "csv")).content)
    assert [r.valori["anno"] for r in tutte] == ["2024", "2025"]


def _popola(mondo, n_comuni: int):
    mondo.ambito.comuni.add(*ComuneFactory.create_batch(n_comuni - mondo.ambito.comuni.count()))
    for anno in (2024, 2025):
        for comune in mondo.ambito.comuni.all():
            SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=comune, anno=anno)


@pytest.mark.parametrize("n_comuni", [3, 30])
def test_le_pagine_leggono_in_un_numero_fisso_di_query(client, mondo, django_assert_max_num_queries, n_comuni):
    _popola(mondo, n_comuni)
    client.force_login(mondo[R.RESPONSABILE_UDP])
    with django_assert_max_num_queries(13):
        assert client.get(_url(mondo) + "?anno=2025").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(_url(mondo, "spesa_esporta", "xlsx")).status_code == 200
    contenuto = client.get(_url(mondo, "spesa_esporta", "csv")).content
    with django_assert_max_num_queries(11):
        risposta = client.post(_url(mondo, "spesa_importa"), {"file": SimpleUploadedFile("s.csv", contenuto)})
    assert risposta.context["anteprima"]["a"].invariate == 2 * n_comuni
    client.force_login(mondo[R.SINDACO])
    with django_assert_max_num_queries(13):
        assert client.get(_url(mondo) + "?anno=2024").status_code == 200

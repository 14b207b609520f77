"""The Accordo di Programma's pages: the Ufficio di Piano prepares it (dates, parties and their
commitments, population, cost items), the other roles of the ambito and the Regione read it, other
ambiti get 404 and signed-out users the login; the cost sharing adds up to the cent on the page and
in the CSV; bad input keeps what was typed; queries do not grow with the Comuni."""

import csv
import html
import io
import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from accordi import services_accordo
from accordi.models import (
    AccordoDiProgramma,
    Documento,
    ParteAccordo,
    PianoDiZona,
    PopolazioneRiferimento,
    Stato,
    VoceOnere,
)
from ambiti.models import Ente, Incarico

from ..factories import (
    AmbitoFactory,
    ComuneFactory,
    EnteFactory,
    ProvinciaFactory,
    RichiestaAdesioneFactory,
    crea_piano,
    ente_terzo_settore,
    sindaco_di,
    utente_con_ruolo,
)

R = Incarico.Ruolo


def url(nome, *args):
    return reverse(f"accordi:{nome}", args=args)


def html_di(risposta) -> str:
    return html.unescape(risposta.content.decode())


def in_stato(piano, stato):
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=stato)
    piano.refresh_from_db()
    return piano


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


@pytest.fixture
def piano(mondo):
    in_stato(mondo.piano_altro, Stato.BOZZA)
    return in_stato(mondo.piano, Stato.BOZZA)


@pytest.fixture
def accordo(piano):
    return services_accordo.accordo_di(piano)


@pytest.fixture
def voce(accordo, udp):
    return services_accordo.voce_salva(
        accordo=accordo, utente=udp, denominazione="Segretariato sociale", criterio="per_abitante",
        quota_popolazione=10000, quota_utenti=0, quota_parti_uguali=0, importi={2025: 300000}, utenti={})


@pytest.fixture
def provincia(accordo, udp):
    ente = Ente.objects.create(tipo=Ente.Tipo.PROVINCIA, denominazione="Provincia di Pavia",
                               provincia=ProvinciaFactory())
    return services_accordo.parte_aggiungi(accordo=accordo, utente=udp, ente=ente,
                                           ruolo=ParteAccordo.Ruolo.PROVINCIA, firma_obbligatoria=True)


def pagine_in_lettura(piano, voce, parte) -> list[str]:
    return [url("accordo", piano.pk), url("accordo_dati", piano.pk), url("accordo_popolazione", piano.pk),
            url("accordo_ripartizione", piano.pk), url("accordo_ripartizione_csv", piano.pk),
            url("accordo_parte", parte.pk), url("accordo_voce", voce.pk), url("accordo_scheda", piano.pk)]


def pagine_di_scrittura(piano, voce, parte) -> list[str]:
    return [url("accordo_dati", piano.pk), url("accordo_popolazione", piano.pk), url("accordo_parte", parte.pk),
            url("accordo_parte_nuova", piano.pk), url("accordo_parte_elimina", parte.pk),
            url("accordo_voce_nuova", piano.pk), url("accordo_voce", voce.pk), url("accordo_voce_elimina", voce.pk),
            url("accordo_atto", piano.pk)]


# --- who sees what -------------------------------------------------------------------------


def test_l_ufficio_di_piano_apre_ogni_pagina_e_trova_i_comandi(client, mondo, piano, voce, provincia, udp):
    client.force_login(udp)
    for indirizzo in pagine_in_lettura(piano, voce, provincia) + [url("accordo_parte_nuova", piano.pk),
                                                                   url("accordo_voce_nuova", piano.pk)]:
        assert client.get(indirizzo).status_code == 200, indirizzo
    pagina = html_di(client.get(url("accordo", piano.pk)))
    for comando in (url("accordo_dati", piano.pk), url("accordo_voce_nuova", piano.pk),
                    url("accordo_parte_nuova", piano.pk), "Modifica la popolazione di riferimento"):
        assert comando in pagina
    assert 'data-testid="accordo-bloccato"' not in pagina
    # the proposed parties: every Comune of the ambito with its mayor, the ASL, and the Provincia added
    for comune in mondo.ambito.comuni.all():
        assert f"Comune di {comune.denominazione}" in pagina
    assert mondo.ambito.asl.nome in pagina and "Provincia di Pavia" in pagina
    assert mondo[R.SINDACO].get_full_name() in pagina
    for indirizzo in (url("accordo_dati", piano.pk), url("accordo_parte", provincia.pk),
                      url("accordo_voce", voce.pk), url("accordo_popolazione", piano.pk)):
        assert 'data-testid="modulo-' in html_di(client.get(indirizzo)), indirizzo


@pytest.mark.parametrize("chi", [R.SINDACO, R.REFERENTE_ASL, R.PRESIDENTE_ASSEMBLEA, "regionale"])
def test_chi_legge_vede_tutto_senza_comandi_e_non_scrive(client, mondo, piano, accordo, voce, provincia, chi):
    client.force_login(mondo.regionale if chi == "regionale" else mondo[chi])
    for indirizzo in pagine_in_lettura(piano, voce, provincia):
        risposta = client.get(indirizzo)
        assert risposta.status_code == 200, indirizzo
        assert 'data-testid="modulo-' not in html_di(risposta), indirizzo
    pagina = html_di(client.get(url("accordo", piano.pk)))
    assert "Segretariato sociale" in pagina and "Provincia di Pavia" in pagina
    for comando in (url("accordo_dati", piano.pk), url("accordo_voce_nuova", piano.pk),
                    url("accordo_parte_nuova", piano.pk), "Modifica la popolazione"):
        assert comando not in pagina
    assert "lo modifica solo l'Ufficio di Piano" in pagina
    for indirizzo in (url("accordo_parte_nuova", piano.pk), url("accordo_voce_nuova", piano.pk)):
        assert client.get(indirizzo).status_code == 403, indirizzo
    for indirizzo in pagine_di_scrittura(piano, voce, provincia):
        assert client.post(indirizzo, {"impegni": "x", "denominazione": "x"}).status_code == 403, indirizzo
    assert ParteAccordo.objects.filter(pk=provincia.pk, impegni="").exists()
    assert VoceOnere.objects.filter(pk=voce.pk, denominazione="Segretariato sociale").exists()


def test_l_ufficio_di_piano_di_un_altro_ambito_riceve_404(client, mondo, piano, accordo, voce, provincia):
    client.force_login(mondo.udp_altro)
    for indirizzo in pagine_in_lettura(piano, voce, provincia):
        assert client.get(indirizzo).status_code == 404, indirizzo
    for indirizzo in pagine_di_scrittura(piano, voce, provincia):
        assert client.post(indirizzo, {"impegni": "x"}).status_code == 404, indirizzo
    assert ParteAccordo.objects.filter(pk=provincia.pk).exists() and VoceOnere.objects.filter(pk=voce.pk).exists()


def test_senza_accesso_si_va_al_login(client, piano, accordo, voce, provincia):
    for indirizzo in pagine_in_lettura(piano, voce, provincia) + pagine_di_scrittura(piano, voce, provincia):
        risposta = client.get(indirizzo) if "elimina" not in indirizzo and "atto" not in indirizzo \
            else client.post(indirizzo)
        assert risposta.status_code == 302, indirizzo
        assert risposta["Location"].startswith(resolve_url(settings.LOGIN_URL)), indirizzo


def test_prima_della_stesura_nessuno_prepara_l_accordo(client, mondo, udp):
    client.force_login(udp)
    risposta = client.get(url("accordo", mondo.piano.pk))
    assert risposta.status_code == 200
    assert "non ha ancora preparato" in html_di(risposta) and "si prepara dalla stesura" in html_di(risposta)
    assert not AccordoDiProgramma.objects.filter(piano=mondo.piano).exists()
    assert client.get(url("accordo_dati", mondo.piano.pk)).status_code == 404
    # the plan page links the Accordo only from the draft on
    assert url("accordo_scheda", mondo.piano.pk) not in html_di(client.get(url("piano", mondo.piano.pk)))


def test_la_pagina_del_piano_collega_l_accordo_e_ne_dice_la_completezza(client, mondo, piano, udp):
    client.force_login(udp)
    pagina = html_di(client.get(url("piano", piano.pk)))
    assert url("accordo_scheda", piano.pk) in pagina and url("accordo", piano.pk) in pagina
    scheda = html_di(client.get(url("accordo_scheda", piano.pk)))
    assert "Prepara l'Accordo" in scheda and "Mancano ancora" in scheda and "ente capofila" in scheda
    client.force_login(mondo[R.SINDACO])
    assert "Leggi l'Accordo" in html_di(client.get(url("accordo_scheda", piano.pk)))


# --- the Ufficio di Piano prepares the Accordo ---------------------------------------------


def _tabella(pagina: str, testid: str) -> list[list[str]]:
    """The cells of the first table in the element marked ``data-testid=testid``."""
    inizio = pagina.index(f'data-testid="{testid}"')
    tabella = pagina[pagina.index("<table", inizio):pagina.index("</table>", inizio)]
    righe = re.findall(r"<tr>(.*?)</tr>", tabella, flags=re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, flags=re.S)]
            for r in righe]


def _centesimi(testo_euro: str) -> int:
    return int(testo_euro.replace("\u00a0€", "").replace(".", "").replace(",", ""))


def test_dalle_date_alla_ripartizione_e_al_csv(client, mondo, piano, accordo, udp):
    client.force_login(udp)
    comuni = list(mondo.ambito.comuni.order_by("denominazione"))

    r = client.post(url("accordo_dati", piano.pk), {
        "data_inizio": "2025-04-01", "data_fine": "2027-12-31", "data_popolazione": "2024-01-01",
        "modalita_aggiornamento": "Con deliberazione dell'Assemblea dei Sindaci, sentita l'ASL."})
    assert r.status_code == 302 and r["Location"] == url("accordo", piano.pk)

    parte = accordo.parti.get(ente__comune=comuni[0])
    pagina = html_di(client.get(url("accordo_parte", parte.pk)))
    assert f'value="{mondo[R.SINDACO].pk}" selected' in pagina or parte.firmatario_id is None
    r = client.post(url("accordo_parte", parte.pk), {"impegni": "Mette a disposizione l'assistente sociale.",
                                                     "firmatario": str(mondo[R.SINDACO].pk)})
    assert r.status_code == 302
    parte.refresh_from_db()
    assert parte.impegni == "Mette a disposizione l'assistente sociale." and parte.firmatario == mondo[R.SINDACO]

    abitanti = {f"c_{c.pk}": v for c, v in zip(comuni, ["12.345", "6789", "1.001"], strict=True)}
    r = client.post(url("accordo_popolazione", piano.pk), {"data_popolazione": "2024-01-01", **abitanti})
    assert r.status_code == 302
    assert dict(PopolazioneRiferimento.objects.filter(accordo=accordo).values_list("comune_id", "abitanti")) == {
        comuni[0].pk: 12345, comuni[1].pk: 6789, comuni[2].pk: 1001}

    utenti = {f"u_{c.pk}": v for c, v in zip(comuni, ["5", "3", "0"], strict=True)}
    r = client.post(url("accordo_voce_nuova", piano.pk), {
        "denominazione": "Tutela minori", "criterio": "misto", "quota_popolazione": "33,33",
        "quota_utenti": "33,33", "quota_parti_uguali": "33,34", "i_2025": "10.000,01", "i_2026": "1.234,56",
        "i_2027": "", **utenti})
    assert r.status_code == 302 and r["Location"] == url("accordo_ripartizione", piano.pk)
    voce = VoceOnere.objects.get(accordo=accordo, denominazione="Tutela minori")
    assert (voce.quota_popolazione, voce.quota_utenti, voce.quota_parti_uguali) == (3333, 3333, 3334)
    # the form shows the saved values back in Italian notation
    pagina = html_di(client.get(url("accordo_voce", voce.pk)))
    assert 'value="33,34"' in pagina and 'value="10.000,01"' in pagina and 'value="5"' in pagina

    pagina = html_di(client.get(url("accordo_ripartizione", piano.pk)))
    assert "Tutela minori" in pagina and "33,33% in proporzione agli utenti serviti" in pagina
    righe = _tabella(pagina, "ripartizione-voce")
    assert righe[0] == ["Comune", "2025", "2026", "2027", "Totale"]
    corpo, piede = righe[1:-1], righe[-1]
    assert [r[0] for r in corpo] == [c.denominazione for c in comuni]
    assert piede == ["Totale", "10.000,01\u00a0€", "1.234,56\u00a0€", "0,00\u00a0€", "11.234,57\u00a0€"]
    for colonna in range(1, 5):
        assert sum(_centesimi(r[colonna]) for r in corpo) == _centesimi(piede[colonna])
    # the Comune that served no users pays less than its population and equal parts alone would say
    assert _centesimi(corpo[2][1]) < _centesimi(corpo[1][1])

    r = client.get(url("accordo_ripartizione_csv", piano.pk))
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="') and ".csv" in r["Content-Disposition"]
    contenuto = r.content.decode("utf-8")
    assert contenuto.startswith("\ufeff")
    dal_csv = {(riga[2], riga[4]): riga[5] for riga in csv.reader(io.StringIO(contenuto[1:]), delimiter=";")
               if riga and riga[0] == "Tutela minori"}
    for riga in corpo:
        for colonna, anno in enumerate(["2025", "2026", "2027"], start=1):
            assert _centesimi(dal_csv[(riga[0], anno)]) == _centesimi(riga[colonna])

    # the overview sums the items by year
    pagina = html_di(client.get(url("accordo", piano.pk)))
    assert "11.234,57\u00a0€" in pagina and "Mette a disposizione l'assistente sociale." in pagina


def test_aggiungere_e_togliere_la_provincia(client, mondo, piano, accordo, udp):
    ente = Ente.objects.create(tipo=Ente.Tipo.PROVINCIA, denominazione="Provincia di Pavia",
                               provincia=mondo.ambito.comuni.first().provincia)
    lontano = EnteFactory(tipo=Ente.Tipo.ALTRO_PUBBLICO, denominazione="Consorzio di un'altra provincia")
    client.force_login(udp)
    pagina = html_di(client.get(url("accordo_parte_nuova", piano.pk)))
    assert "Provincia di Pavia" in pagina and "Consorzio di un'altra provincia" not in pagina
    r = client.post(url("accordo_parte_nuova", piano.pk), {"ente": str(ente.pk)})
    parte = ParteAccordo.objects.get(accordo=accordo, ente=ente)
    assert r.status_code == 302 and r["Location"] == url("accordo_parte", parte.pk)
    assert parte.ruolo == ParteAccordo.Ruolo.PROVINCIA and parte.firma_obbligatoria
    assert client.post(url("accordo_parte_nuova", piano.pk), {"ente": str(lontano.pk)}).status_code == 200
    r = client.post(url("accordo_parte_elimina", parte.pk))
    assert r.status_code == 302 and not ParteAccordo.objects.filter(pk=parte.pk).exists()
    # a Comune of the plan stays
    comune = accordo.parti.filter(ruolo=ParteAccordo.Ruolo.COMUNE).first()
    r = client.post(url("accordo_parte_elimina", comune.pk), follow=True)
    assert "non si può togliere" in html_di(r) and ParteAccordo.objects.filter(pk=comune.pk).exists()


def test_eliminare_una_voce(client, piano, voce, udp):
    client.force_login(udp)
    r = client.post(url("accordo_voce_elimina", voce.pk))
    assert r.status_code == 302 and not VoceOnere.objects.filter(pk=voce.pk).exists()


# --- bad input keeps what was typed --------------------------------------------------------


def test_percentuali_che_non_fanno_cento_e_importo_all_inglese(client, mondo, piano, accordo, udp):
    client.force_login(udp)
    comune = mondo.ambito.comuni.first()
    dati = {"denominazione": "Tutela minori", "criterio": "misto", "quota_popolazione": "60",
            "quota_utenti": "30", "quota_parti_uguali": "20", "i_2025": "1.000,00", f"u_{comune.pk}": "4"}
    r = client.post(url("accordo_voce_nuova", piano.pk), dati)
    pagina = html_di(r)
    assert r.status_code == 200 and "Le percentuali devono sommare a 100: ora sommano a 110." in pagina
    assert 'value="Tutela minori"' in pagina and 'value="20"' in pagina and 'value="1.000,00"' in pagina
    assert 'value="misto"' in pagina and re.search(r'value="misto"[^>]*checked', pagina)
    assert f'name="u_{comune.pk}"' in pagina and 'value="4"' in pagina

    dati.update({"quota_parti_uguali": "10", "i_2025": "1234.56"})
    r = client.post(url("accordo_voce_nuova", piano.pk), dati)
    pagina = html_di(r)
    assert r.status_code == 200 and "«1234.56» non è un importo in euro" in pagina
    assert 'value="1234.56"' in pagina and 'aria-invalid="true"' in pagina

    dati.update({"i_2025": "1.000,00", "quota_popolazione": "33.33"})
    pagina = html_di(client.post(url("accordo_voce_nuova", piano.pk), dati))
    assert "«33.33» non è una percentuale" in pagina
    assert not VoceOnere.objects.filter(accordo=accordo).exists()


def test_date_fuori_dal_ciclo(client, piano, accordo, udp):
    client.force_login(udp)
    prima = (accordo.data_inizio, accordo.data_fine)
    r = client.post(url("accordo_dati", piano.pk), {"data_inizio": "2024-01-01", "data_fine": "2027-12-31",
                                                    "modalita_aggiornamento": "Testo mio"})
    pagina = html_di(r)
    assert r.status_code == 200 and "deve cadere nel periodo di validità degli Accordi del ciclo" in pagina
    assert 'value="2024-01-01"' in pagina and "Testo mio" in pagina
    assert "dal 01/04/2025 al 31/12/2099" in pagina  # the window, in the help text
    accordo.refresh_from_db()
    assert (accordo.data_inizio, accordo.data_fine) == prima


def test_popolazione_non_valida(client, mondo, piano, accordo, udp):
    client.force_login(udp)
    comune = mondo.ambito.comuni.first()
    r = client.post(url("accordo_popolazione", piano.pk), {"data_popolazione": "2024-01-01",
                                                           f"c_{comune.pk}": "12,5"})
    assert r.status_code == 200 and "non è un numero intero" in html_di(r) and 'value="12,5"' in html_di(r)
    assert PopolazioneRiferimento.objects.get(accordo=accordo, comune=comune).abitanti == comune.popolazione


# --- signature ------------------------------------------------------------------------------


def test_alla_firma_si_genera_il_testo_e_l_accordo_non_si_modifica(client, mondo, piano, accordo, voce, udp,
                                                                    pki_attiva, django_capture_on_commit_callbacks):
    in_stato(piano, Stato.SOTTOSCRIZIONE)
    client.force_login(mondo[R.SINDACO])
    pagina = html_di(client.get(url("accordo", piano.pk)))
    assert "Genera il testo dell'Accordo per la firma" not in pagina and "alla firma" in pagina
    assert client.post(url("accordo_atto", piano.pk)).status_code == 403

    client.force_login(udp)
    pagina = html_di(client.get(url("accordo", piano.pk)))
    assert "Genera il testo dell'Accordo per la firma" in pagina and url("accordo_atto", piano.pk) in pagina
    assert url("accordo_dati", piano.pk) not in pagina and "non si modifica più" in pagina
    # a save arriving after the lock is refused with the reason, and the input stays
    r = client.post(url("accordo_dati", piano.pk), {"data_inizio": "2025-05-01", "data_fine": "2027-12-31",
                                                    "modalita_aggiornamento": "Testo tardivo"})
    assert r.status_code == 200 and "L'Accordo è alla firma: non si modifica più." in html_di(r)
    assert "Testo tardivo" in html_di(r)
    r = client.get(url("accordo_voce_nuova", piano.pk))
    assert r.status_code == 302 and r["Location"] == url("accordo", piano.pk)

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url("accordo_atto", piano.pk))
    documento = Documento.objects.get(piano=piano, tipo=Documento.Tipo.ACCORDO)
    assert r.status_code == 302 and r["Location"] == url("documento", documento.pk)
    pagina = html_di(client.get(url("accordo", piano.pk)))
    assert url("documento", documento.pk) in pagina and "Genera il testo" not in pagina


# --- queries ---------------------------------------------------------------------------------


def _piano_con_comuni(n: int):
    ambito = AmbitoFactory(comuni=ComuneFactory.create_batch(n))
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito)
    for comune in ambito.comuni.all():
        sindaco_di(comune, ambito)
    piano = crea_piano(ambito, stato=Stato.BOZZA)
    accordo = services_accordo.accordo_di(piano)
    comuni = list(ambito.comuni.all())
    for i in range(3):
        services_accordo.voce_salva(
            accordo=accordo, utente=udp, denominazione=f"Voce {i}", criterio="misto", quota_popolazione=5000,
            quota_utenti=3000, quota_parti_uguali=2000, importi={2025: 1_000_000 + i, 2026: 2_000_000},
            utenti={c.pk: k + 1 for k, c in enumerate(comuni)})
    for _i in range(2):
        richiesta = RichiestaAdesioneFactory(accordo=accordo, ente=ente_terzo_settore(ambito)[0],
                                             stato="sottoscritta")
        richiesta.risorse.create(tipo="volontari", descrizione="Volontari", quantita=4, valore_centesimi=100000)
    return piano, udp


@pytest.mark.parametrize("n", [3, 20])
def test_le_pagine_leggono_in_un_numero_fisso_di_query(client, db, django_assert_max_num_queries, n):
    piano, udp = _piano_con_comuni(n)
    client.force_login(udp)
    for nome in ("accordo", "accordo_ripartizione"):  # caches filled once per process (content types)
        client.get(url(nome, piano.pk))
    with django_assert_max_num_queries(30):
        r = client.get(url("accordo", piano.pk))
    assert r.status_code == 200 and "Voce 2" in html_di(r)
    with django_assert_max_num_queries(22):
        r = client.get(url("accordo_ripartizione", piano.pk))
    assert r.status_code == 200 and html_di(r).count('data-testid="ripartizione-voce"') == 3

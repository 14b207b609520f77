"""The open REST API: what anonymous callers and token holders read, object permissions as on
the pages (own ambito, other ambito, regional officers, unions, Terzo Settore referents),
public endpoints that never show a plan before its approval, filters, pagination and a number
of queries that does not grow with the data."""

import datetime
import io
import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from accordi.models import AccordoDiProgramma, ParteAccordo, PianoDiZona, StatoAdesione, TransizionePiano
from ambiti.models import Incarico
from risorse.api.serializers import euro_decimale

from ..factories import (
    AmbitoFactory,
    AreaInterventoFactory,
    ComuneFactory,
    EnteFactory,
    RegioneFactory,
    RichiestaAdesioneFactory,
    VoceRisorsaFactory,
    crea_piano,
    ente_terzo_settore,
    fonte,
    utente_con_ruolo,
)

R = Incarico.Ruolo
S = StatoAdesione
API = "/api/v1"
VIGENTE_DAL = datetime.date(2025, 4, 1)


def chiama(client, url, utente=None, **params):
    """GET ``url`` as ``utente`` with their token (anonymous without one)."""
    intestazioni = {}
    if utente is not None:
        token, _ = Token.objects.get_or_create(user=utente)
        intestazioni["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client.get(url, params, **intestazioni)


def ids(risposta) -> list[int]:
    assert risposta.status_code == 200, risposta.content
    return [r["id"] for r in risposta.json()["results"]]


def piano_vigente(*ambiti, **campi):
    return crea_piano(*ambiti, stato="vigente", vigente_dal=VIGENTE_DAL, revisione_vigente=1, **campi)


def accordo_vigente(piano, capofila=None) -> AccordoDiProgramma:
    PianoDiZona.objects.filter(pk=piano.pk).update(stato="vigente", vigente_dal=VIGENTE_DAL,
                                                   revisione_vigente=piano.revisione)
    capofila = capofila or EnteFactory()
    accordo = AccordoDiProgramma.objects.create(piano=piano, revisione=piano.revisione, ente_capofila=capofila,
                                                data_inizio=VIGENTE_DAL, data_fine=datetime.date(2027, 12, 31))
    ParteAccordo.objects.create(accordo=accordo, ente=capofila, ruolo=ParteAccordo.Ruolo.values[0],
                                impegni="Coordina l'Ufficio di Piano.")
    return accordo


def aderente(accordo, stato=S.SOTTOSCRITTA, valori=(150_000, 2_575), ente=None, **campi):
    ente = ente or ente_terzo_settore()[0]
    richiesta = RichiestaAdesioneFactory(accordo=accordo, ente=ente, stato=stato, **campi)
    for i, valore in enumerate(valori):
        richiesta.risorse.create(tipo="denaro" if i == 0 else "volontari", descrizione=f"Risorsa {i}",
                                 quantita=i + 1, valore_centesimi=valore)
    return richiesta


@pytest.fixture
def regionale_della_regione(mondo):
    assert mondo.regionale.incarichi.get().regione_id == mondo.piano.ciclo.regione_id
    return mondo.regionale


@pytest.fixture
def regionale_altra_regione(mondo):
    return utente_con_ruolo(R.OPERATORE_REGIONALE, regione=RegioneFactory(codice_istat="01", nome="Piemonte"),
                            username="regionale-piemonte")


# --- authentication ---------------------------------------------------------------------------------

PRIVATI = ["/piani/", "/piani/{pk}/", "/piani/{pk}/risorse/", "/piani/{pk}/adesioni/"]


@pytest.mark.parametrize("percorso", PRIVATI)
def test_senza_token_gli_endpoint_riservati_rispondono_401(client, mondo, percorso):
    risposta = client.get(API + percorso.format(pk=mondo.piano.pk))
    assert risposta.status_code == 401
    assert risposta["WWW-Authenticate"].startswith("Token")
    assert risposta["Content-Type"] == "application/json"


def test_un_token_sbagliato_e_rifiutato(client, mondo):
    risposta = client.get(API + "/piani/", HTTP_AUTHORIZATION="Token non-esiste")
    assert risposta.status_code == 401


def test_anche_la_sessione_del_browser_autentica(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    assert ids(client.get(API + "/piani/")) == [mondo.piano.pk]


# --- private plans: who reads what --------------------------------------------------------------------

@pytest.mark.parametrize("ruolo", [r for r in R.values if r != R.OPERATORE_REGIONALE])
def test_ogni_ruolo_dell_ambito_legge_solo_i_piani_del_suo_ambito(client, mondo, ruolo):
    utente = mondo[ruolo]
    assert ids(chiama(client, API + "/piani/", utente)) == [mondo.piano.pk]
    assert chiama(client, f"{API}/piani/{mondo.piano.pk}/", utente).status_code == 200
    for percorso in PRIVATI[1:]:
        assert chiama(client, API + percorso.format(pk=mondo.piano_altro.pk), utente).status_code == 404


def test_l_altro_ambito_e_l_altra_regione_non_leggono(client, mondo, regionale_altra_regione):
    assert ids(chiama(client, API + "/piani/", mondo.udp_altro)) == [mondo.piano_altro.pk]
    assert ids(chiama(client, API + "/piani/", regionale_altra_regione)) == []
    for percorso in PRIVATI[1:]:
        assert chiama(client, API + percorso.format(pk=mondo.piano.pk), regionale_altra_regione).status_code == 404
        assert chiama(client, API + percorso.format(pk=mondo.piano.pk), mondo.udp_altro).status_code == 404


def test_l_operatore_regionale_legge_tutti_i_piani_della_sua_regione(client, mondo, regionale_della_regione):
    atteso = sorted([mondo.piano.pk, mondo.piano_altro.pk])
    assert sorted(ids(chiama(client, API + "/piani/", regionale_della_regione))) == atteso


def test_piano_inesistente_o_id_fuori_misura_404_in_json(client, mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    for pk in (999_999, 0, -3, 10**30, "abc", "1,2"):
        risposta = chiama(client, f"{API}/piani/{pk}/", udp)
        assert risposta.status_code == 404
        assert risposta["Content-Type"] == "application/json"


def test_il_dettaglio_riservato_ha_il_registro_delle_transizioni(client, mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    TransizionePiano.objects.create(piano=mondo.piano, nome="approva_atto_indirizzo", da_stato="avvio",
                                    a_stato="indirizzo", utente=udp, ruolo="Ufficio di Piano",
                                    nota="Atto approvato.", revisione=1)
    dati = chiama(client, f"{API}/piani/{mondo.piano.pk}/", udp).json()
    assert dati["stato"] == mondo.piano.stato
    assert dati["ciclo"]["regione"]["id"] == mondo.piano.ciclo.regione_id
    assert [a["id"] for a in dati["ambiti"]] == [mondo.ambito.pk]
    [voce] = dati["transizioni"]
    assert (voce["a_stato"], voce["nota"], voce["utente"]) == ("indirizzo", "Atto approvato.", udp.get_full_name())


# --- public endpoints ---------------------------------------------------------------------------------

def test_i_piani_pubblici_sono_solo_quelli_approvati(client, mondo):
    approvato = piano_vigente(AmbitoFactory(comuni=[]), titolo="Approvato")
    in_aggiornamento = crea_piano(AmbitoFactory(comuni=[]), stato="bozza", vigente_dal=VIGENTE_DAL,
                                  revisione=2, revisione_vigente=1, titolo="In aggiornamento")
    bozza = crea_piano(AmbitoFactory(comuni=[]), stato="bozza", titolo="Bozza")
    annullato = crea_piano(AmbitoFactory(comuni=[]), stato="annullato", vigente_dal=VIGENTE_DAL, titolo="Annullato")
    visti = ids(chiama(client, API + "/pubblico/piani/"))
    assert sorted(visti) == sorted([approvato.pk, in_aggiornamento.pk])
    for nascosto in (bozza, annullato, mondo.piano):
        assert chiama(client, f"{API}/pubblico/piani/{nascosto.pk}/").status_code == 404
    # even a token holder who reads the draft does not find it among the public plans
    assert mondo.piano.pk not in ids(chiama(client, API + "/pubblico/piani/", mondo[R.RESPONSABILE_UDP]))


def test_il_dettaglio_pubblico_non_mostra_persone_ne_note(client, mondo):
    piano = piano_vigente(AmbitoFactory(comuni=[]))
    TransizionePiano.objects.create(piano=piano, nome="dichiara_vigente", da_stato="sottoscrizione",
                                    a_stato="vigente", utente=mondo[R.RESPONSABILE_UDP], ruolo="Ufficio di Piano",
                                    nota="Nota interna riservata.", revisione=1)
    risposta = chiama(client, f"{API}/pubblico/piani/{piano.pk}/")
    assert risposta.status_code == 200
    [voce] = risposta.json()["transizioni"]
    assert set(voce) == {"da_stato", "a_stato", "quando", "ruolo"}
    assert "Nota interna" not in risposta.content.decode()


def test_gli_ambiti_sono_pubblici_con_comuni_e_popolazione(client, mondo):
    comuni = [ComuneFactory(popolazione=p, popolazione_al=VIGENTE_DAL) for p in (1200, 800, 45)]
    ambito = AmbitoFactory(comuni=comuni, nome="Ambito con popolazione")
    risposta = chiama(client, f"{API}/ambiti/{ambito.pk}/")
    assert risposta.status_code == 200
    dati = risposta.json()
    assert dati["numero_comuni"] == len(comuni)
    assert dati["popolazione"] == sum(c.popolazione for c in comuni)
    assert dati["regione"]["id"] == ambito.asl.regione_id
    assert mondo.ambito.pk in ids(chiama(client, API + "/ambiti/"))
    altra = AmbitoFactory(comuni=[], asl__nome="ASL di un'altra regione",
                          asl__regione=RegioneFactory(codice_istat="01", nome="Piemonte"))
    assert ids(chiama(client, API + "/ambiti/", regione=altra.asl.regione_id)) == [altra.pk]


def test_gli_accordi_pubblici_sono_quelli_in_vigore_con_gli_aderenti(client, mondo):
    accordo = accordo_vigente(mondo.piano)
    firmata = aderente(accordo)
    aderente(accordo, stato=S.INVIATA)  # not yet an adherent: not public
    non_in_vigore = AccordoDiProgramma.objects.create(piano=mondo.piano_altro, revisione=1)
    risposta = chiama(client, API + "/pubblico/accordi/")
    assert ids(risposta) == [accordo.pk]
    [dati] = risposta.json()["results"]
    assert [a["id"] for a in dati["aderenti"]] == [firmata.pk]
    totale = sum(r.valore_centesimi for r in firmata.risorse.all())
    assert dati["aderenti"][0]["valore_centesimi"] == totale
    assert dati["aderenti"][0]["valore_euro"] == euro_decimale(totale)
    assert dati["parti"][0]["ente"]["id"] == accordo.ente_capofila_id
    assert chiama(client, f"{API}/pubblico/accordi/{accordo.pk}/").status_code == 200
    assert chiama(client, f"{API}/pubblico/accordi/{non_in_vigore.pk}/").status_code == 404


# --- resources ---------------------------------------------------------------------------------------

def test_le_risorse_sono_sommate_per_anno_fonte_ambito_di_spesa_e_tipo(client, mondo):
    regione = mondo.piano.ciclo.regione
    aree = [AreaInterventoFactory(regione=regione) for _ in range(3)]
    voci = []
    for anno in (2025, 2026):
        for codice in ("fnps", "fna"):
            for i, area in enumerate([None, *aree]):
                for tipo in ("previsto", "consuntivo"):
                    voci.append(VoceRisorsaFactory(piano=mondo.piano, anno=anno, fonte=fonte(codice), area=area,
                                                   ambito_spesa="sociale" if i % 2 else "sociosanitario",
                                                   tipo=tipo, importo_centesimi=anno * 7 + i * 1001 + len(voci)))
    VoceRisorsaFactory(piano=mondo.piano_altro, importo_centesimi=5)  # another plan: never summed here
    attese = defaultdict(lambda: [0, 0])
    for v in voci:
        chiave = (v.anno, v.fonte.codice, v.ambito_spesa, v.tipo)
        attese[chiave][0] += v.importo_centesimi
        attese[chiave][1] += 1
    righe = chiama(client, f"{API}/piani/{mondo.piano.pk}/risorse/", mondo[R.SINDACO], per_pagina=200).json()
    ottenute = {(r["anno"], r["fonte"]["codice"], r["ambito_spesa"], r["tipo"]): r for r in righe["results"]}
    assert set(ottenute) == set(attese)
    for chiave, (totale, n) in attese.items():
        riga = ottenute[chiave]
        assert (riga["totale_centesimi"], riga["voci"]) == (totale, n)
        assert riga["totale_euro"] == euro_decimale(totale)
        assert riga["fonte"]["categoria"] == fonte(chiave[1]).categoria
    assert chiama(client, f"{API}/piani/{mondo.piano.pk}/risorse/", mondo.udp_altro).status_code == 404


def test_euro_decimale():
    assert euro_decimale(0) == "0.00"
    assert euro_decimale(5) == "0.05"
    assert euro_decimale(123_456_789) == "1234567.89"
    assert euro_decimale(-1050) == "-10.50"


# --- adesioni -----------------------------------------------------------------------------------------

@pytest.fixture
def adesioni(mondo):
    accordo = accordo_vigente(mondo.piano)
    ente_a, referente_a = ente_terzo_settore(mondo.ambito)
    ente_b, referente_b = ente_terzo_settore(mondo.ambito)
    bozza_a = aderente(accordo, stato=S.BOZZA, ente=ente_a)
    inviata_b = aderente(accordo, stato=S.INVIATA, ente=ente_b)
    # the Terzo Settore referent of the ambito acts for a body that also asked
    ente_ruolo = mondo[R.REFERENTE_TERZO_SETTORE].incarichi.get().ente
    propria = aderente(accordo, stato=S.IN_ISTRUTTORIA, ente=ente_ruolo, creata_da=mondo[R.REFERENTE_TERZO_SETTORE])
    return {"bozza_a": bozza_a, "inviata_b": inviata_b, "propria": propria,
            "referente_a": referente_a, "referente_b": referente_b}


def _adesioni(client, mondo, utente):
    return chiama(client, f"{API}/piani/{mondo.piano.pk}/adesioni/", utente)


@pytest.mark.parametrize("ruolo", [R.RESPONSABILE_UDP, R.OPERATORE_UDP, R.SINDACO, R.REFERENTE_ASL,
                                   R.PRESIDENTE_ASSEMBLEA])
def test_chi_esamina_o_consulta_vede_le_richieste_inviate_non_le_bozze(client, mondo, adesioni, ruolo):
    visti = ids(_adesioni(client, mondo, mondo[ruolo]))
    assert sorted(visti) == sorted([adesioni["inviata_b"].pk, adesioni["propria"].pk])


def test_l_operatore_regionale_della_regione_vede_le_inviate(client, mondo, adesioni, regionale_della_regione,
                                                            regionale_altra_regione):
    visti = ids(_adesioni(client, mondo, regionale_della_regione))
    assert sorted(visti) == sorted([adesioni["inviata_b"].pk, adesioni["propria"].pk])
    assert _adesioni(client, mondo, regionale_altra_regione).status_code == 404


def test_il_referente_di_un_ente_vede_solo_le_richieste_del_suo_ente(client, mondo, adesioni):
    assert ids(_adesioni(client, mondo, adesioni["referente_a"])) == [adesioni["bozza_a"].pk]
    assert ids(_adesioni(client, mondo, adesioni["referente_b"])) == [adesioni["inviata_b"].pk]
    dati = _adesioni(client, mondo, adesioni["referente_b"]).json()["results"][0]
    assert dati["valore_centesimi"] == sum(r.valore_centesimi for r in adesioni["inviata_b"].risorse.all())
    # the referent holding a role in the ambito reads the plan, but only their body's requests
    assert ids(_adesioni(client, mondo, mondo[R.REFERENTE_TERZO_SETTORE])) == [adesioni["propria"].pk]


@pytest.mark.parametrize("ruolo", [R.REFERENTE_SINDACATO, R.COMPONENTE_TAVOLO])
def test_sindacati_e_tavoli_leggono_il_piano_ma_non_le_richieste(client, mondo, adesioni, ruolo):
    assert ids(_adesioni(client, mondo, mondo[ruolo])) == []


def test_l_ufficio_di_piano_di_un_altro_ambito_non_vede_nulla(client, mondo, adesioni):
    assert _adesioni(client, mondo, mondo.udp_altro).status_code == 404
    assert chiama(client, f"{API}/piani/{mondo.piano_altro.pk}/adesioni/", adesioni["referente_a"]).status_code \
        == 404


# --- filters and pagination --------------------------------------------------------------------------

def test_filtri_dei_piani(client, mondo, regionale_della_regione, regionale_altra_regione):
    in_bozza = crea_piano(AmbitoFactory(comuni=[], asl=mondo.ambito.asl), ciclo=mondo.piano.ciclo, stato="bozza")
    utente = regionale_della_regione
    assert ids(chiama(client, API + "/piani/", utente, stato="bozza")) == [in_bozza.pk]
    assert ids(chiama(client, API + "/piani/", utente, ambito=mondo.altro_ambito.pk)) == [mondo.piano_altro.pk]
    assert len(ids(chiama(client, API + "/piani/", utente, ciclo=mondo.piano.ciclo_id))) == 3
    altra_regione = regionale_altra_regione.incarichi.get().regione_id
    assert ids(chiama(client, API + "/piani/", utente, regione=altra_regione)) == []
    assert ids(chiama(client, API + "/piani/", utente, ciclo=mondo.piano.ciclo_id + 1000)) == []


@pytest.mark.parametrize("percorso", ["/piani/", "/pubblico/piani/"])
@pytest.mark.parametrize(("filtro", "valore", "messaggio"), [
    ("stato", "inventato", "non è uno stato del piano"),
    ("stato", "", "non è uno stato del piano"),
    ("ciclo", "abc", "identificativo numerico"),
    ("regione", "-1", "identificativo numerico"),
    ("ambito", str(10**30), "identificativo numerico"),
])
def test_un_filtro_sbagliato_e_un_400_in_italiano(client, mondo, percorso, filtro, valore, messaggio):
    risposta = chiama(client, API + percorso, mondo[R.RESPONSABILE_UDP], **{filtro: valore})
    assert risposta.status_code == 400
    assert messaggio in risposta.json()[filtro][0]


def test_paginazione_di_50_al_piu_200(client, mondo):
    asl = mondo.ambito.asl
    piani = [piano_vigente(AmbitoFactory(comuni=[], asl=asl), ciclo=mondo.piano.ciclo, titolo=f"Piano {i:03d}")
             for i in range(53)]
    prima = chiama(client, API + "/pubblico/piani/").json()
    assert prima["count"] == len(piani)
    assert [r["id"] for r in prima["results"]] == [p.pk for p in piani[:50]]  # by title: stable
    seconda = chiama(client, API + "/pubblico/piani/", pagina=2).json()
    assert [r["id"] for r in seconda["results"]] == [p.pk for p in piani[50:]]
    assert seconda["next"] is None and "pagina" not in seconda["previous"]
    assert len(chiama(client, API + "/pubblico/piani/", per_pagina=7).json()["results"]) == 7
    assert len(chiama(client, API + "/pubblico/piani/", per_pagina=1000).json()["results"]) == len(piani)
    assert chiama(client, API + "/pubblico/piani/", pagina=9).status_code == 404
    for sbagliato in ("abc", "0", "-5", "", "٣"):
        risposta = chiama(client, API + "/pubblico/piani/", per_pagina=sbagliato)
        assert risposta.status_code == 400
        assert "numero intero positivo" in risposta.json()["per_pagina"][0]
    # An empty or repeated «pagina» is refused (DRF would read it as page 1); no page at all: 404.
    for query in ("?pagina=", "?pagina=1&pagina=2"):
        risposta = client.get(API + "/pubblico/piani/" + query)
        assert risposta.status_code == 400, query
        assert "numero intero positivo" in risposta.json()["pagina"][0]
    assert chiama(client, API + "/pubblico/piani/", pagina="abc").status_code == 404


def test_la_pagina_non_supera_200_elementi(client, mondo):
    from ambiti.models import Ambito

    Ambito.objects.bulk_create(Ambito(nome=f"Ambito {i:03d}", codice=f"X-{i}", asl=mondo.ambito.asl)
                               for i in range(205))
    assert len(chiama(client, API + "/ambiti/").json()["results"]) == 50
    dati = chiama(client, API + "/ambiti/", per_pagina=1000).json()
    assert (dati["count"], len(dati["results"])) == (207, 200)


# --- queries ------------------------------------------------------------------------------------------

def _molti_piani(mondo, n):
    asl = mondo.ambito.asl
    for i in range(n):
        piano = piano_vigente(AmbitoFactory(comuni=[], asl=asl), titolo=f"Piano {i}")
        TransizionePiano.objects.create(piano=piano, nome="dichiara_vigente", da_stato="sottoscrizione",
                                        a_stato="vigente", revisione=1)
        accordo = accordo_vigente(piano)
        aderente(accordo)


@pytest.mark.parametrize("n", [1, 12])
def test_le_liste_leggono_in_un_numero_fisso_di_query(client, mondo, regionale_della_regione,
                                                      django_assert_max_num_queries, n):
    _molti_piani(mondo, n)
    accordo = accordo_vigente(mondo.piano)
    for _ in range(n):
        aderente(accordo, stato=S.INVIATA)
    for i in range(n):
        VoceRisorsaFactory(piano=mondo.piano, anno=2025 + i % 3, fonte=fonte("fnps" if i % 2 else "fna"),
                           area=AreaInterventoFactory(regione=mondo.piano.ciclo.regione), tipo="previsto")
    udp = mondo[R.RESPONSABILE_UDP]
    # The same cap with 1 and with 12 of everything. The private ones also read the token and
    # (django-guardian) the permissions by codename: a fixed number of queries, too. The second
    # time the lists come from the cache (the versions of the data are there too): then only the
    # token with its user (third figure; None: not cached).
    casi = [
        (API + "/ambiti/", None, 2, 0),
        (API + "/pubblico/piani/", None, 3, 0),
        (API + f"/pubblico/piani/{mondo.piano.pk}/", None, 3, None),
        (API + "/pubblico/accordi/", None, 6, 0),
        (API + "/piani/", regionale_della_regione, 12, 1),
        (API + f"/piani/{mondo.piano.pk}/", udp, 12, None),
        (API + f"/piani/{mondo.piano.pk}/risorse/", udp, 12, 1),
        (API + f"/piani/{mondo.piano.pk}/adesioni/", udp, 16, 1),
    ]
    for url, utente, massimo, dalla_cache in casi:
        intestazioni = {}
        if utente is not None:
            intestazioni["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=utente)[0].key}"
        with django_assert_max_num_queries(massimo):
            risposta = client.get(url, **intestazioni)
        assert risposta.status_code == 200, url
        assert risposta.json()["count" if url.endswith("/") and "results" in risposta.json() else "id"]
        if dalla_cache is not None:
            with django_assert_max_num_queries(dalla_cache):
                di_nuovo = client.get(url, **intestazioni)
            assert di_nuovo.content == risposta.content, url


# --- schema, documentation, tokens, limits ---------------------------------------------------------------

def test_schema_e_documentazione_senza_cdn(client, db):
    schema = client.get(API + "/schema/?format=json")
    assert schema.status_code == 200
    percorsi = schema.json()["paths"]
    assert {"/api/v1/pubblico/piani/", "/api/v1/piani/{id}/risorse/", "/api/v1/piani/{id}/adesioni/"} <= set(percorsi)
    pagina = client.get(API + "/docs/")
    assert pagina.status_code == 200
    html = pagina.content.decode()
    risorse = re.findall(r'(?:src|href)="([^"]+)"', html)
    # Swagger UI from the vendored assets, its start-up script from the application: no CDN
    assert any(r.startswith("/static/drf_spectacular_sidecar/") for r in risorse)
    assert all(r.startswith("/") and not r.startswith("//") for r in risorse)
    for risorsa in risorse:
        assert client.get(risorsa.replace("&amp;", "&")).status_code == 200, risorsa


def test_il_token_si_rilascia_con_un_comando(client, mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    uscita = io.StringIO()
    call_command("drf_create_token", udp.username, stdout=uscita)
    chiave = Token.objects.get(user=udp).key
    assert chiave in uscita.getvalue()
    risposta = client.get(API + "/piani/", HTTP_AUTHORIZATION=f"Token {chiave}")
    assert [p["id"] for p in risposta.json()["results"]] == [mondo.piano.pk]
    call_command("drf_create_token", udp.username, reset_token=True, stdout=io.StringIO())
    assert client.get(API + "/piani/", HTTP_AUTHORIZATION=f"Token {chiave}").status_code == 401


def test_un_utente_disattivato_non_usa_piu_il_token(client, mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    token = Token.objects.create(user=udp)
    udp.is_active = False
    udp.save()
    assert client.get(API + "/piani/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401


def test_le_chiamate_anonime_sono_limitate_per_indirizzo(client, db, monkeypatch, settings):
    from risorse.api.permessi import LimiteAnonimi

    monkeypatch.setattr(LimiteAnonimi, "THROTTLE_RATES", {**LimiteAnonimi.THROTTLE_RATES, "anonimi": "3/minute"})
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    for _ in range(3):
        assert client.get(API + "/ambiti/", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1").status_code == 200
    troppe = client.get(API + "/ambiti/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert troppe.status_code == 429
    assert int(troppe["Retry-After"]) > 0
    assert troppe["Content-Type"] == "application/json"
    # another client behind the same proxy is not affected
    assert client.get(API + "/ambiti/", HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 200


def test_i_messaggi_sono_in_italiano(client, db):
    risposta = client.get(API + "/piani/")
    assert "credenziali di autenticazione" in risposta.json()["detail"]


def test_l_amministrazione_elenca_e_rilascia_i_token(client, mondo):
    from ..factories import UtenteFactory

    admin = UtenteFactory(username="admin-api", is_staff=True, is_superuser=True)
    Token.objects.create(user=mondo[R.RESPONSABILE_UDP])
    client.force_login(admin)
    pagina = client.get("/admin/authtoken/tokenproxy/")
    assert pagina.status_code == 200
    assert str(mondo[R.RESPONSABILE_UDP]) in pagina.content.decode()
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 200

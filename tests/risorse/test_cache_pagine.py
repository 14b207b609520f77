"""Whole dashboards and API lists from the cache (risorse/cache_pagine.py): a page read again
costs a couple of queries, and yet every user sees their own frame and a valid CSRF token, a
change of the data or of the user's roles shows at the next request, pending messages and the
CSP nonce are never stored, and the language, the host and the query make other entries."""

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordi.models import PianoDiZona, RisorsaAdesione
from ambiti.importazione import importa_comuni
from ambiti.models import Ambito, Comune, Incarico
from ambiti.services import incarico_assegna, incarico_termina
from risorse import versioni
from risorse.cache_pagine import SEGNAPOSTO_CSRF, contenuto_in_cache, pagina_in_cache

from ..ambiti.test_importazione import AGLIE, AIRASCA, INTESTAZIONE, scrivi
from ..factories import AmbitoFactory, VoceRisorsaFactory, fonte, utente_con_ruolo
from .cruscotti_dati import crea_regione, funzionario
from .test_api_viste import API, chiama, ids, piano_vigente

pytestmark = pytest.mark.django_db
REGIONALE = reverse("risorse:cruscotto_regionale")
R = Incarico.Ruolo


@pytest.fixture
def r():
    return crea_regione()


def _query(client, url, **extra):
    with CaptureQueriesContext(connection) as q:
        risposta = client.get(url, **extra)
    assert risposta.status_code == 200, url
    return len(q), risposta


def _senza_token(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+', r"\1", html)


# --- the dashboards -----------------------------------------------------------------------------

@pytest.mark.parametrize("pagina", ["regionale", "ambito"])
def test_la_pagina_ripetuta_viene_dalla_cache(client, r, pagina):
    client.force_login(funzionario(r.regione))
    url = REGIONALE if pagina == "regionale" else reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])
    calcolo, prima = _query(client, url)
    # The user (the session is in the cache); nothing else: the versions are in the cache.
    letture, seconda = _query(client, url)
    assert letture == 1 < calcolo
    assert _senza_token(seconda.content.decode()) == _senza_token(prima.content.decode())
    assert SEGNAPOSTO_CSRF not in seconda.content.decode()


def test_il_token_csrf_della_pagina_in_cache_vale_per_la_sessione(r):
    client = Client(enforce_csrf_checks=True)
    client.force_login(funzionario(r.regione))
    client.get(REGIONALE)
    html = client.get(REGIONALE).content.decode()  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html).group(1)
    assert re.search(r'"X-CSRFToken": "[A-Za-z0-9]{64}"', html)
    uscita = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert uscita.status_code == 302
    assert client.get(REGIONALE).status_code == 302  # signed out: to the login page


def test_ogni_utente_vede_la_sua_cornice(r):
    anna = funzionario(r.regione, username="anna")
    anna.first_name, anna.last_name = "Anna", "Rossi"
    anna.save()
    bruno = funzionario(r.regione, username="bruno")
    bruno.first_name, bruno.last_name = "Bruno", "Verdi"
    bruno.save()
    for utente, nome, altro in ((anna, "Anna Rossi", "Bruno Verdi"), (bruno, "Bruno Verdi", "Anna Rossi")):
        client = Client()
        client.force_login(utente)
        for _ in range(2):
            html = client.get(REGIONALE).content.decode()
            assert nome in html and altro not in html


def test_la_pagina_in_cache_non_apre_la_porta_ad_altri(r):
    """Filled by who may read it, the cache does not serve the same address to who may not."""
    ambito = reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])
    ufficiale = Client()
    ufficiale.force_login(funzionario(r.regione))
    for url in (REGIONALE, ambito, REGIONALE, ambito):
        assert ufficiale.get(url).status_code == 200
    estraneo = Client()
    estraneo.force_login(utente_con_ruolo(R.RESPONSABILE_UDP, ambito=r.beta, username="udp-beta"))
    assert estraneo.get(REGIONALE).status_code == 403
    assert estraneo.get(ambito).status_code == 404


def test_un_incarico_terminato_chiude_la_pagina_subito(client, r):
    utente = funzionario(r.regione)
    client.force_login(utente)
    assert client.get(REGIONALE).status_code == 200
    assert client.get(REGIONALE).status_code == 200
    incarico_termina(incarico=Incarico.objects.get(utente=utente, ruolo=R.OPERATORE_REGIONALE))
    assert client.get(REGIONALE).status_code == 403
    assert client.get(reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])).status_code == 404


def test_un_nuovo_ruolo_compare_nel_menu_subito(client, r):
    utente = funzionario(r.regione)
    client.force_login(utente)
    url = reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])
    assert "Ufficio di Piano" not in _ruoli(client.get(url).content.decode())
    incarico_assegna(utente=utente, ruolo=R.RESPONSABILE_UDP, ambito=r.alfa)
    assert "Ufficio di Piano" in _ruoli(client.get(url).content.decode())


def _ruoli(html: str) -> str:
    """The header's line with the user's name and roles."""
    inizio = html.index('data-testid="utente-corrente"')
    return html[inizio:html.index("</span>\n", inizio)]


def test_un_dato_cambiato_si_vede_subito_anche_nella_pagina(client, r):
    client.force_login(funzionario(r.regione))
    url = reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])
    client.get(url)
    piano = PianoDiZona.objects.get(pk=r.piano_alfa.pk)
    piano.titolo = "Piano Alfa rinominato"
    piano.save()
    assert "Piano Alfa rinominato" in client.get(url).content.decode()
    VoceRisorsaFactory(piano=r.piano_alfa, fonte=fonte("fnps"), anno=2026, importo_centesimi=4_242_400)
    assert "52.424,00" in client.get(url).content.decode()  # 10.000 + 42.424 € FNPS, planned


def test_la_lingua_e_un_altra_pagina(client, r):
    client.force_login(funzionario(r.regione))
    italiano = client.get(REGIONALE, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    inglese = client.get(REGIONALE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cruscotto regionale" in italiano
    assert "Regional dashboard" in inglese and "Cruscotto regionale" not in inglese
    assert client.get(REGIONALE, HTTP_ACCEPT_LANGUAGE="it").content.decode().count("Cruscotto regionale") \
        == italiano.count("Cruscotto regionale")


def _con_messaggio(client, testo):
    """Put a pending message in the client's cookies, as a redirect after a form would."""
    richiesta = RequestFactory().get("/")
    archivio = CookieStorage(richiesta)
    archivio.add(messages.SUCCESS, testo)
    risposta = HttpResponse()
    archivio.update(risposta)
    client.cookies["messages"] = risposta.cookies["messages"].value


def test_i_messaggi_si_vedono_una_volta_e_non_restano_nella_cache(client, r):
    client.force_login(funzionario(r.regione))
    client.get(REGIONALE)  # in the cache
    _con_messaggio(client, "Voce salvata davvero.")
    assert "Voce salvata davvero." in client.get(REGIONALE).content.decode()
    assert "Voce salvata davvero." not in client.get(REGIONALE).content.decode()


# --- the helper: nonce, what is computed ---------------------------------------------------------

MODELLI = {"nonce.html": "<script nonce=\"{{ request.csp_nonce }}\"></script>{{ valore }}",
           "semplice.html": "{% csrf_token %}{{ valore }}"}


@override_settings(TEMPLATES=[{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", MODELLI)],
                "context_processors": ["django.template.context_processors.request",
                                       "django.template.context_processors.csrf",
                                       "django.contrib.messages.context_processors.messages"]},
}])
def test_una_pagina_con_il_nonce_non_va_in_cache(r):
    from csp.middleware import CSPMiddleware

    utente = funzionario(r.regione)
    chiamate = []

    def richiesta():
        req = RequestFactory().get("/prova/")
        req.user, req.session, req.COOKIES = utente, {}, {}
        req._messages = CookieStorage(req)
        CSPMiddleware(lambda _r: HttpResponse()).process_request(req)
        return req

    def contesto():
        chiamate.append(1)
        return {"valore": len(chiamate)}

    # Without the nonce: computed once, then from the cache, with a token in place of the placeholder.
    primo = pagina_in_cache(richiesta(), "semplice.html", contesto, regione=r.regione.pk).content.decode()
    secondo = pagina_in_cache(richiesta(), "semplice.html", contesto, regione=r.regione.pk).content.decode()
    assert len(chiamate) == 1 and primo.endswith(">1") and secondo.endswith(">1")
    assert SEGNAPOSTO_CSRF not in primo + secondo
    # With the nonce: computed every time, each with the request's own nonce.
    chiamate.clear()
    uno = pagina_in_cache(richiesta(), "nonce.html", contesto, regione=r.regione.pk).content.decode()
    due = pagina_in_cache(richiesta(), "nonce.html", contesto, regione=r.regione.pk).content.decode()
    assert len(chiamate) == 2 and uno != due


def test_contenuto_che_fallisce_non_resta(r):
    req = RequestFactory().get("/prova/")
    req.user = AnonymousUser()

    def fallisce():
        raise ValueError("no")

    with pytest.raises(ValueError):
        contenuto_in_cache(req, fallisce, per_utente=False)
    assert contenuto_in_cache(req, lambda: b"ok", per_utente=False) == b"ok"


# --- the API's lists ------------------------------------------------------------------------------

def test_le_liste_riservate_sono_di_ciascun_utente(client, r):
    regionale = funzionario(r.regione)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito=r.beta, username="udp-beta")
    tutti = ids(chiama(client, API + "/piani/", regionale))
    assert ids(chiama(client, API + "/piani/", regionale)) == tutti
    assert set(tutti) == {r.piano_alfa.pk, r.piano_beta.pk}
    assert ids(chiama(client, API + "/piani/", udp)) == [r.piano_beta.pk]
    # The regional officer's role ends: the same list, at once, is empty.
    incarico_termina(incarico=Incarico.objects.get(utente=regionale, ruolo=R.OPERATORE_REGIONALE))
    assert ids(chiama(client, API + "/piani/", regionale)) == []


def test_le_liste_pubbliche_seguono_i_dati(client, r):
    prima = ids(chiama(client, API + "/pubblico/piani/"))
    assert ids(chiama(client, API + "/pubblico/piani/")) == prima
    nuovo = piano_vigente(AmbitoFactory(asl=r.asl_due, comuni=[]), titolo="Piano nuovo")
    assert ids(chiama(client, API + "/pubblico/piani/")) == sorted([*prima, nuovo.pk], key=lambda pk: (
        -PianoDiZona.objects.get(pk=pk).ciclo.anno_inizio, PianoDiZona.objects.get(pk=pk).titolo, pk))


def test_host_e_query_sono_altre_voci(client, r):
    piano_vigente(AmbitoFactory(asl=r.asl_due, comuni=[]), titolo="Piano due")
    for host in ("testserver", "localhost"):
        risposta = client.get(API + "/pubblico/piani/", {"per_pagina": 1}, HTTP_HOST=host)
        assert risposta.json()["next"].startswith(f"http://{host}/")
    una = client.get(API + "/pubblico/piani/", {"per_pagina": 1}).json()
    due = client.get(API + "/pubblico/piani/", {"per_pagina": 1, "pagina": 2}).json()
    assert una["results"] != due["results"]
    # A bad query is a 400 every time: errors are not stored.
    for _ in range(2):
        assert client.get(API + "/pubblico/piani/", {"per_pagina": "x"}).status_code == 400


def test_json_indentato_e_un_altra_voce(client, r):
    compatto = client.get(API + "/ambiti/", HTTP_ACCEPT="application/json").content
    indentato = client.get(API + "/ambiti/", HTTP_ACCEPT="application/json; indent=2").content
    assert b"\n" not in compatto and b"\n  " in indentato


# --- what moves the versions ---------------------------------------------------------------------

def test_l_import_dei_comuni_cambia_la_versione(client, tmp_path, r):
    importa_comuni(scrivi(tmp_path, "\n".join([INTESTAZIONE, AGLIE])))
    prima = versioni.versioni().dati()
    client.get(API + "/ambiti/")
    importa_comuni(scrivi(tmp_path, "\n".join([INTESTAZIONE, AGLIE.replace(",2644", ",2700"), AIRASCA])))
    assert Comune.objects.get(codice_istat="001001").popolazione == 2700
    assert versioni.versioni().dati() != prima


def test_accessi_l_ultimo_accesso_non_conta_il_nome_si(r):
    utente = funzionario(r.regione)
    cache.delete(versioni.CHIAVE_ACCESSI)
    versioni.accessi_cambiati()
    prima = cache.get(versioni.CHIAVE_ACCESSI)
    utente.save(update_fields=["last_login"])
    assert cache.get(versioni.CHIAVE_ACCESSI) == prima
    utente.first_name = "Nuovo"
    utente.save()
    assert cache.get(versioni.CHIAVE_ACCESSI) == prima + 1


# --- families of models ---------------------------------------------------------------------------

def test_ogni_modello_letto_e_in_una_famiglia_sola():
    modelli = [m for famiglia in versioni.FAMIGLIE.values() for m in famiglia]
    assert len(modelli) == len(set(modelli)) == len(versioni.LETTI)


@pytest.fixture
def accordo_pubblico(r):
    from .test_api_viste import accordo_vigente, aderente

    accordo = accordo_vigente(piano_vigente(AmbitoFactory(asl=r.asl_due, comuni=[]), titolo="Piano con Accordo"))
    return accordo, aderente(accordo)


def _liste(r, regionale, udp):
    return {
        "ambiti": (API + "/ambiti/", None),
        "pubblici": (API + "/pubblico/piani/", None),
        "accordi": (API + "/pubblico/accordi/", None),
        "piani": (API + "/piani/", regionale),
        "risorse": (API + f"/piani/{r.piano_alfa.pk}/risorse/", udp),
        "adesioni": (API + f"/piani/{r.piano_alfa.pk}/adesioni/", udp),
    }


def test_una_voce_del_quadro_lascia_in_cache_le_liste_che_non_mostrano_denaro(client, r, accordo_pubblico):
    accordo, richiesta = accordo_pubblico
    regionale = funzionario(r.regione)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito=r.alfa, username="udp-alfa")
    liste = _liste(r, regionale, udp)
    prima = {nome: chiama(client, url, utente).content for nome, (url, utente) in liste.items()}
    # Changes that send no signal (QuerySet.update) to what every list shows…
    r.alfa.__class__.objects.filter(pk=r.alfa.pk).update(nome="Alfa rinominato")
    PianoDiZona.objects.filter(pk__in=[r.piano_alfa.pk, accordo.piano_id]).update(titolo="Titolo nuovo")
    richiesta.risorse.update(descrizione="Descrizione nuova")
    # …then a row of a quadro is saved: only the lists that read money are computed again.
    VoceRisorsaFactory(piano=r.piano_alfa, fonte=fonte("fnps"), anno=2030, importo_centesimi=1_00)
    dopo = {nome: chiama(client, url, utente).content for nome, (url, utente) in liste.items()}
    rimaste = {nome for nome in liste if dopo[nome] == prima[nome]}
    assert rimaste == {"ambiti", "pubblici", "accordi", "piani", "adesioni"}
    assert "Titolo nuovo" not in dopo["pubblici"].decode() and "Alfa rinominato" not in dopo["piani"].decode()
    # The dashboards read every family.
    client.force_login(regionale)
    assert "Alfa rinominato" in client.get(REGIONALE).content.decode()


@pytest.mark.parametrize("cambia, mostrano", [
    # a saved row of each family the lists read shows at the next request in every list that shows it
    (lambda r, a, x: _salva(r.alfa, nome="Alfa rinominato"), {"ambiti": "Alfa rinominato", "piani": "Alfa rinominato"}),
    (lambda r, a, x: _salva(r.regione, nome="Regione rinominata"),
     {"ambiti": "Regione rinominata", "pubblici": "Regione rinominata", "accordi": "Regione rinominata"}),
    (lambda r, a, x: _salva(a.piano, titolo="Titolo nuovo"), {"pubblici": "Titolo nuovo", "accordi": "Titolo nuovo"}),
    (lambda r, a, x: _salva(r.piano_alfa.ciclo, atto_linee_indirizzo="DGR nuova"),
     {"piani": "DGR nuova", "accordi": "DGR nuova"}),
    (lambda r, a, x: _salva(x.ente, denominazione="Ente rinominato"), {"accordi": "Ente rinominato"}),
    (lambda r, a, x: _salva(x.risorse.first(), descrizione="Descrizione nuova"), {"accordi": "Descrizione nuova"}),
    (lambda r, a, x: _salva(a.parti.first(), impegni="Impegni nuovi"), {"accordi": "Impegni nuovi"}),
    (lambda r, a, x: _salva(RisorsaAdesione.objects.get(richiesta__accordo__piano=r.piano_alfa,
                                                        descrizione="Educatori"), descrizione="Ore nuove"),
     {"adesioni": "Ore nuove"}),
    (lambda r, a, x: VoceRisorsaFactory(piano=r.piano_alfa, fonte=fonte("fnps"), anno=2031, importo_centesimi=1),
     {"risorse": '"anno":2031'}),
], ids=["ambito", "regione", "piano", "ciclo", "ente", "risorsa", "parte", "adesione", "voce"])
def test_un_dato_salvato_si_vede_in_ogni_lista_che_lo_mostra(client, r, accordo_pubblico, cambia, mostrano):
    accordo, richiesta = accordo_pubblico
    regionale = funzionario(r.regione)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito=r.alfa, username="udp-alfa")
    liste = _liste(r, regionale, udp)
    for nome, (url, utente) in liste.items():
        assert chiama(client, url, utente).status_code == 200, nome
    cambia(r, accordo, richiesta)
    for nome, testo in mostrano.items():
        url, utente = liste[nome]
        assert testo in chiama(client, url, utente).content.decode(), nome


def _salva(oggetto, **campi):
    for campo, valore in campi.items():
        setattr(oggetto, campo, valore)
    oggetto.save()


def test_il_referente_di_un_ente_registrato_cambia_gli_accessi(client, r):
    from accordi.models import RegistrazioneEnte, RichiestaAdesione

    from ..factories import UtenteFactory

    richiesta = RichiestaAdesione.objects.filter(accordo__piano=r.piano_alfa, stato="sottoscritta").get()
    registrazione = RegistrazioneEnte.objects.get(ente=richiesta.ente)
    vecchio, nuovo = registrazione.referente, UtenteFactory()
    url = API + f"/piani/{r.piano_alfa.pk}/adesioni/"
    assert ids(chiama(client, url, vecchio)) == [richiesta.pk]
    assert chiama(client, url, nuovo).status_code == 404
    registrazione.referente = nuovo
    registrazione.save()
    assert chiama(client, url, vecchio).status_code == 404
    assert ids(chiama(client, url, nuovo)) == [richiesta.pk]


# --- versions per region ----------------------------------------------------------------------------

def _altra_regione():
    from ambiti.models import ASL

    from ..factories import CicloFactory, RegioneFactory, crea_piano

    regione = RegioneFactory(codice_istat="19", nome="Sicilia")
    ambito = AmbitoFactory(nome="Ambito Altrove", asl=ASL.objects.create(nome="ASL Altra", regione=regione),
                           comuni=[])
    piano = crea_piano(ambito, ciclo=CicloFactory(regione=regione), stato="bozza", titolo="Piano Altrove")
    return regione, ambito, piano


def test_una_scrittura_in_una_regione_lascia_in_cache_le_altre(client, r):
    altra, _ambito, piano_altrove = _altra_regione()
    qui, li = Client(), Client()
    qui.force_login(funzionario(r.regione))
    li.force_login(funzionario(altra, username="funzionario-altra"))
    pagine = {c: (c.get(REGIONALE).content, c.get(reverse("risorse:cruscotto_ambito", args=[a.pk])).content)
              for c, a in ((qui, r.alfa), (li, _ambito))}
    # A change that sends no signal, in this region…
    Ambito.objects.filter(pk=r.alfa.pk).update(nome="Alfa senza segnale")
    # …then a row of a quadro saved in the other region: only the other region's pages are recomputed.
    VoceRisorsaFactory(piano=piano_altrove, fonte=fonte("fnps"), importo_centesimi=7_777_700)
    assert "Alfa senza segnale" not in qui.get(REGIONALE).content.decode()
    assert "Alfa senza segnale" not in qui.get(reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])).content.decode()
    assert li.get(REGIONALE).content != pagine[li][0]
    assert "77.777,00" in li.get(reverse("risorse:cruscotto_ambito", args=[_ambito.pk])).content.decode()
    # A row saved in this region: its pages show everything.
    VoceRisorsaFactory(piano=r.piano_alfa, fonte=fonte("fnps"), anno=2030, importo_centesimi=1)
    assert "Alfa senza segnale" in qui.get(REGIONALE).content.decode()


@pytest.mark.parametrize("nazionale", [
    lambda r: _salva(r.alfa.asl, nome="ASL rinominata"),
    lambda r: _salva(PianoDiZona.objects.get(pk=r.piano_alfa.pk), titolo="Piano Alfa"),
    lambda r: _salva(fonte("fnps"), nome="Fondo nazionale"),
    lambda r: r.gamma.comuni.clear(),
], ids=["asl", "piano", "fonte", "comuni-ambito"])
def test_una_scrittura_nazionale_rinnova_ogni_regione(client, r, nazionale):
    client.force_login(funzionario(r.regione))
    client.get(REGIONALE)
    Ambito.objects.filter(pk=r.alfa.pk).update(nome="Alfa senza segnale")
    nazionale(r)
    assert "Alfa senza segnale" in client.get(REGIONALE).content.decode()


def test_le_righe_scritte_spesso_muovono_solo_la_loro_regione(r):
    from accordi.models import ParteAccordo, PianoAmbito, RichiestaAdesione, TransizionePiano
    from risorse.models import SpesaSocialeComune

    altra, ambito_altrove, _piano = _altra_regione()

    def contatori():
        return {k: cache.get(k) for k in (versioni.chiave_regione(r.regione.pk), versioni.chiave_regione(altra.pk),
                                           versioni.CHIAVE_NAZIONALE)}

    scritture = {
        "voce": lambda: VoceRisorsaFactory(piano=r.piano_alfa, fonte=fonte("fnps"), anno=2030),
        "passo": lambda: TransizionePiano.objects.create(piano=r.piano_alfa, nome="prova", da_stato="bozza",
                                                         a_stato="bozza", revisione=1),
        "parte": lambda: ParteAccordo.objects.filter(accordo__piano=r.piano_alfa).first().save(),
        "richiesta": lambda: RichiestaAdesione.objects.filter(accordo__piano=r.piano_alfa).first().save(),
        "risorsa": lambda: RisorsaAdesione.objects.filter(richiesta__accordo__piano=r.piano_alfa).first().save(),
        "spesa": lambda: SpesaSocialeComune.objects.filter(ambito=r.alfa).first().save(),
    }
    for nome, scrittura in scritture.items():
        versioni.dati_cambiati()  # every counter set
        prima = contatori()
        scrittura()
        dopo = contatori()
        assert dopo[versioni.chiave_regione(r.regione.pk)] == prima[versioni.chiave_regione(r.regione.pk)] + 1, nome
        assert dopo[versioni.chiave_regione(altra.pk)] == prima[versioni.chiave_regione(altra.pk)], nome
        assert dopo[versioni.CHIAVE_NAZIONALE] == prima[versioni.CHIAVE_NAZIONALE], nome
    # An ambito of the other region added to a plan of this one: both regions move.
    prima = contatori()
    PianoAmbito.objects.create(piano=r.piano_alfa, ambito=ambito_altrove, ciclo=r.piano_alfa.ciclo)
    dopo = contatori()
    assert all(dopo[k] == prima[k] + 1 for k in list(prima)[:2]) and dopo[versioni.CHIAVE_NAZIONALE] == prima[
        versioni.CHIAVE_NAZIONALE]


def test_un_contatore_perso_non_riporta_una_pagina_vecchia(client, r):
    client.force_login(funzionario(r.regione))
    client.get(REGIONALE)
    cache.delete(versioni.chiave_regione(r.regione.pk))  # evicted, or never set
    Ambito.objects.filter(pk=r.alfa.pk).update(nome="Alfa senza segnale")
    assert "Alfa senza segnale" in client.get(REGIONALE).content.decode()


def test_senza_contatori_i_permessi_non_restano_nel_processo(r, monkeypatch):
    from risorse import cache_pagine

    utente = funzionario(r.regione)
    richiesta = RequestFactory().get("/")
    richiesta.user = utente
    vuote = versioni.Versioni(dict.fromkeys(versioni.TUTTE), None, None, {})
    monkeypatch.setattr(cache_pagine, "versioni", lambda _request=None: vuote)
    monkeypatch.setattr(cache_pagine.cache, "get", lambda *_a, **_k: None)  # the shared cache is down
    calcoli = []
    for _ in range(2):
        cache_pagine.dell_utente(richiesta, ("prova",), lambda: calcoli.append(1) or "fatto")
    assert len(calcoli) == 2

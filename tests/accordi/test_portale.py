"""The public side of the Terzo Settore portal and of the Accordi: a body's registration
(confirmed by e-mail, answering the same whatever is already registered), its abuse guards
(honeypot, rate limits), the purge of unconfirmed requests, and the public pages of the Accordi
in force, which show only public data in a constant number of queries."""

import datetime
import html
import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accordi import services_registrazione
from accordi.models import (
    AccordoDiProgramma,
    Documento,
    ImportoOnere,
    ParteAccordo,
    PianoDiZona,
    PopolazioneRiferimento,
    RegistrazioneEnte,
    RichiestaAdesione,
    RichiestaRegistrazione,
    RisorsaAdesione,
    Stato,
    StatoAdesione,
    VoceOnere,
)
from accordi.tasks_portale import elimina_registrazioni_scadute
from ambiti.models import Ente, Incarico, Utente

from ..factories import EnteFactory, UtenteFactory, cf_ente, cf_persona, sindaco_di

R = Incarico.Ruolo
PASSWORD = "Girasole-in-fiore-2025"


@pytest.fixture(autouse=True)
def contatori_azzerati():
    """The rate limits count in the (LocMem) cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mailoutbox(db, mailoutbox):
    """pytest-django's outbox, taken once the database is set up (setting it up empties
    ``mail.outbox`` by replacing the list)."""
    return mailoutbox


# --- helpers ------------------------------------------------------------------------------------------

def url(nome, *args):
    return reverse(f"accordi:{nome}", args=args)


def visibile(risposta) -> str:
    """The page as a person reads it: no tags, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", risposta.content.decode())).split())


def modulo(**cambi) -> dict:
    dati = {
        "denominazione": "Associazione Il Girasole", "forma_giuridica": "aps", "codice_fiscale": cf_ente(4242),
        "partita_iva": "", "sezione_runts": "b", "numero_runts": "98765", "sede": "Via Roma 1, 27100 Pavia",
        "nome": "Giulia", "cognome": "Bianchi", "codice_fiscale_referente": cf_persona(5),
        "email": "Giulia.Bianchi@example.it", "password1": PASSWORD, "password2": PASSWORD,
        "legale_rappresentante": "Paolo Verdi", "legale_rappresentante_cf": cf_persona(9),
        "privacy": "on", "sito_web": "",
    }
    dati.update(cambi)
    return {k: v for k, v in dati.items() if v is not None}


@pytest.fixture
def invia(db, client, django_capture_on_commit_callbacks):
    """Post the registration form as a browser does, running what is queued after the commit."""
    def _invia(dati=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url("registrazione"), dati if dati is not None else modulo(), **extra)
    return _invia


def link_di_conferma(messaggio) -> str:
    trovato = re.search(r"https?://\S+/terzo-settore/registrazione/conferma/\S+/", messaggio.body)
    assert trovato, messaggio.body
    return urlparse(trovato.group(0)).path


def conferma(client, percorso, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(percorso)


# --- registration: the happy path ----------------------------------------------------------------------

def test_registrazione_dal_modulo_alla_conferma(client, invia, mailoutbox, mondo, django_capture_on_commit_callbacks):
    pagina = client.get(url("registrazione"))
    assert pagina.status_code == 200
    assert "Registra un ente del Terzo Settore" in visibile(pagina)

    dati = modulo(ambiti=[mondo.ambito.pk])
    risposta = invia(dati)
    assert risposta.status_code == 302 and risposta["Location"] == url("registrazione_inviata")
    assert "Controlla la tua casella di posta" in visibile(client.get(risposta["Location"]))
    # nothing exists yet but the request, and its password is only a hash
    richiesta = RichiestaRegistrazione.objects.get()
    assert PASSWORD not in str(richiesta.dati) and check_password(PASSWORD, richiesta.dati["password"])
    assert not Ente.objects.filter(codice_fiscale=dati["codice_fiscale"]).exists()

    [messaggio] = mailoutbox
    assert messaggio.to == ["Giulia.Bianchi@example.it"]
    assert "Il Girasole" not in messaggio.body  # what the form's author typed is never mailed
    percorso = link_di_conferma(messaggio)
    pagina = client.get(percorso)
    assert pagina.status_code == 200 and "Associazione Il Girasole" in visibile(pagina)
    assert not Utente.objects.filter(email__iexact="giulia.bianchi@example.it").exists()  # opening is not confirming

    risposta = conferma(client, percorso, django_capture_on_commit_callbacks)
    assert risposta.status_code == 302 and risposta["Location"] == url("area_ente")
    utente = Utente.objects.get(username="giulia.bianchi@example.it")
    assert (utente.email, utente.first_name, utente.last_name) == ("Giulia.Bianchi@example.it", "Giulia", "Bianchi")
    assert utente.codice_fiscale == cf_persona(5) and utente.is_active and utente.check_password(PASSWORD)
    ente = Ente.objects.get(codice_fiscale=dati["codice_fiscale"])
    assert ente.tipo == Ente.Tipo.TERZO_SETTORE and ente.denominazione == "Associazione Il Girasole"
    assert (ente.forma_giuridica, ente.sezione_runts, ente.numero_runts) == ("aps", "b", "98765")
    assert ente.sede == "Via Roma 1, 27100 Pavia" and list(ente.ambiti.all()) == [mondo.ambito]
    registrazione = RegistrazioneEnte.objects.get(ente=ente)
    assert registrazione.referente == utente and registrazione.email_confermata_il
    assert (registrazione.legale_rappresentante, registrazione.legale_rappresentante_cf) == (
        "Paolo Verdi", cf_persona(9))
    richiesta.refresh_from_db()
    assert richiesta.confermata_il and richiesta.ente == ente
    assert int(client.session["_auth_user_id"]) == utente.pk  # signed in
    assert "Registrazione completata" in visibile(client.get(url("area_ente")))


def test_il_referente_legale_rappresentante_copia_nome_e_codice_fiscale_sul_server(
        client, invia, mailoutbox, django_capture_on_commit_callbacks):
    invia(modulo(referente_legale="on", legale_rappresentante="Qualcun Altro", legale_rappresentante_cf="NONVALIDO"))
    conferma(client, link_di_conferma(mailoutbox[0]), django_capture_on_commit_callbacks)
    registrazione = RegistrazioneEnte.objects.get()
    assert registrazione.legale_rappresentante == "Giulia Bianchi"
    assert registrazione.legale_rappresentante_cf == cf_persona(5)


def test_identificativi_scritti_con_spazi_e_minuscole_sono_normalizzati(client, invia, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    cf = cf_ente(777)
    invia(modulo(codice_fiscale=f" {cf[:5]} {cf[5:]} ", partita_iva=f"IT{cf}",
                 codice_fiscale_referente=cf_persona(5).lower()))
    conferma(client, link_di_conferma(mailoutbox[0]), django_capture_on_commit_callbacks)
    ente = Ente.objects.get(tipo=Ente.Tipo.TERZO_SETTORE)
    assert (ente.codice_fiscale, ente.partita_iva) == (cf, cf)
    assert Utente.objects.get(username="giulia.bianchi@example.it").codice_fiscale == cf_persona(5)


# --- registration: validation ----------------------------------------------------------------------------

@pytest.mark.parametrize(("cambi", "campo", "messaggio"), [
    ({"codice_fiscale": "12345678901"}, "codice_fiscale", "Codice fiscale dell'ente non valido"),
    ({"codice_fiscale": cf_persona(3)}, "codice_fiscale", "Il codice fiscale di un ente è formato da 11 cifre."),
    ({"partita_iva": "12345678901"}, "partita_iva", "Partita IVA non valida"),
    ({"codice_fiscale_referente": "RSSMRA80A01G388X"}, "codice_fiscale_referente",
     "Codice fiscale della persona non valido"),
    ({"legale_rappresentante_cf": "RSSMRA80A01G388X"}, "legale_rappresentante_cf",
     "Codice fiscale della persona non valido"),
    ({"password2": "Unaltra-password-2025"}, "password2", "Le due password non coincidono."),
    ({"password1": "12345678", "password2": "12345678"}, "password1", "Questa password è interamente numerica."),
    ({"sezione_runts": "a"}, "sezione_runts", "non corrisponde alla forma giuridica"),
    ({"legale_rappresentante": "", "legale_rappresentante_cf": ""}, "legale_rappresentante",
     "Indica il legale rappresentante, oppure segna che è il referente."),
    ({"privacy": None}, "privacy", "prendere visione del trattamento dei dati"),
    ({"denominazione": ""}, "denominazione", "Questo campo è obbligatorio."),
])
def test_errori_in_italiano_e_dati_conservati(client, invia, mailoutbox, cambi, campo, messaggio):
    risposta = invia(modulo(**cambi))
    assert risposta.status_code == 200
    testo = visibile(risposta)
    assert messaggio in testo
    sorgente = risposta.content.decode()
    assert f'id="err-id_{campo}"' in sorgente and 'aria-invalid="true"' in sorgente
    if campo != "denominazione":
        assert 'value="Associazione Il Girasole"' in sorgente
    assert 'value="Via Roma 1, 27100 Pavia"' in sorgente
    assert not RichiestaRegistrazione.objects.exists() and mailoutbox == []


def test_password_non_ripresentata_dopo_un_errore(invia):
    sorgente = invia(modulo(password2="diversa-2025-xyz")).content.decode()
    assert PASSWORD not in sorgente


# --- abuse: honeypot and rate limits ------------------------------------------------------------------

def test_la_trappola_e_nascosta_a_vista_e_tecnologie_assistive(client, db):
    sorgente = client.get(url("registrazione")).content.decode()
    trappola = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', sorgente, re.S).group(1)
    assert 'name="sito_web"' in trappola and 'tabindex="-1"' in trappola and 'autocomplete="off"' in trappola
    assert "Non compilare questo campo" in trappola


def test_trappola_compilata_finge_successo_senza_salvare_ne_scrivere(invia, mailoutbox):
    risposta = invia(modulo(sito_web="https://spam.example"))
    assert risposta.status_code == 302 and risposta["Location"] == url("registrazione_inviata")
    assert not RichiestaRegistrazione.objects.exists() and mailoutbox == []
    # even an invalid form: a robot never learns what it got wrong
    assert invia({"sito_web": "x"})["Location"] == url("registrazione_inviata")


def test_limite_per_indirizzo_ip_all_ora(client, invia):
    for _n in range(5):
        assert invia({}, REMOTE_ADDR="10.1.1.1").status_code == 200
    bloccata = invia({}, REMOTE_ADDR="10.1.1.1")
    assert bloccata.status_code == 429 and bloccata["Retry-After"] == "3600"
    assert "Troppe richieste" in visibile(bloccata) and "Riprova tra un'ora." in visibile(bloccata)
    assert "Verifica un documento" in visibile(bloccata)  # the site's page, with its menu
    assert invia({}, REMOTE_ADDR="10.1.1.2").status_code == 200  # another client is not affected
    assert client.get(url("registrazione"), REMOTE_ADDR="10.1.1.1").status_code == 200  # reading is free


def test_limite_per_indirizzo_e_mail_da_molti_client(invia, mailoutbox):
    for n in range(5):
        assert invia(modulo(), REMOTE_ADDR=f"10.2.0.{n}").status_code == 302
    assert invia(modulo(email="GIULIA.bianchi@example.it"), REMOTE_ADDR="10.2.0.99").status_code == 429
    assert len(mailoutbox) == 5


# --- registration: the browser never tells ---------------------------------------------------------------

def test_stessa_risposta_per_email_nuova_email_registrata_e_codice_fiscale_registrato(
        client, invia, mailoutbox):
    UtenteFactory(username="gia.utente", email="Gia.Utente@example.it")
    ente = EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, forma_giuridica="aps", codice_fiscale=cf_ente(99))
    casi = {
        "nuova": modulo(email="nuova@example.it", codice_fiscale=cf_ente(98)),
        "email registrata": modulo(email="gia.utente@EXAMPLE.it", codice_fiscale=cf_ente(97)),
        "codice fiscale registrato": modulo(email="altra@example.it", codice_fiscale=ente.codice_fiscale),
    }
    risposte = {caso: invia(dati, REMOTE_ADDR=f"10.3.0.{i}") for i, (caso, dati) in enumerate(casi.items())}
    impronte = {(r.status_code, r["Location"], r.content) for r in risposte.values()}
    assert impronte == {(302, url("registrazione_inviata"), b"")}
    pagine = {visibile(client.get(r["Location"])) for r in risposte.values()}
    assert len(pagine) == 1

    per_indirizzo = {m.to[0]: m for m in mailoutbox}
    assert set(per_indirizzo) == {"nuova@example.it", "gia.utente@EXAMPLE.it", "altra@example.it"}
    assert link_di_conferma(per_indirizzo["nuova@example.it"])
    assert link_di_conferma(per_indirizzo["altra@example.it"])  # the outcome is decided at confirmation
    gia = per_indirizzo["gia.utente@EXAMPLE.it"]
    assert "conferma" not in gia.body and reverse("password_reset") in gia.body and reverse("login") in gia.body
    assert "hai già un account" in gia.subject
    # for the address already in use, nothing was kept
    assert set(RichiestaRegistrazione.objects.values_list("email", flat=True)) == {
        "nuova@example.it", "altra@example.it"}


# --- the confirmation link ----------------------------------------------------------------------------------

@pytest.fixture
def richiesta(invia, mailoutbox):
    invia()
    return RichiestaRegistrazione.objects.get(), link_di_conferma(mailoutbox[0])


def test_link_scaduto(client, richiesta, monkeypatch, django_capture_on_commit_callbacks):
    oggetto, _percorso = richiesta
    adesso = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: adesso - 73 * 3600)
    vecchio = services_registrazione.token_per(oggetto)
    monkeypatch.undo()
    for risposta in (client.get(url("registrazione_conferma", vecchio)),
                     conferma(client, url("registrazione_conferma", vecchio), django_capture_on_commit_callbacks)):
        assert risposta.status_code == 400
        assert "Il collegamento è scaduto" in visibile(risposta)
        assert url("registrazione") in risposta.content.decode()
    assert not Utente.objects.filter(username="giulia.bianchi@example.it").exists()


def test_link_alterato(client, richiesta, django_capture_on_commit_callbacks):
    _oggetto, percorso = richiesta
    token = percorso.rstrip("/").rsplit("/", 1)[1]
    alterato = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    risposta = conferma(client, url("registrazione_conferma", alterato), django_capture_on_commit_callbacks)
    assert risposta.status_code == 400 and "Collegamento non valido" in visibile(risposta)
    assert client.get(url("registrazione_conferma", "spazzatura")).status_code == 400
    assert not Ente.objects.filter(tipo=Ente.Tipo.TERZO_SETTORE).exists()


def test_link_di_una_richiesta_cancellata_non_vale(client, richiesta):
    oggetto, percorso = richiesta
    oggetto.delete()
    risposta = client.get(percorso)
    assert risposta.status_code == 400 and "la richiesta non esiste più" in visibile(risposta)


def test_link_usato_due_volte(client, richiesta, django_capture_on_commit_callbacks):
    _oggetto, percorso = richiesta
    conferma(client, percorso, django_capture_on_commit_callbacks)
    client.logout()
    for risposta in (client.get(percorso), conferma(client, percorso, django_capture_on_commit_callbacks)):
        assert risposta.status_code == 200
        assert "Registrazione già confermata" in visibile(risposta)
        assert reverse("login") in risposta.content.decode()
    assert Utente.objects.filter(username="giulia.bianchi@example.it").count() == 1
    assert Ente.objects.filter(tipo=Ente.Tipo.TERZO_SETTORE).count() == 1
    assert "_auth_user_id" not in client.session


def test_codice_fiscale_registrato_nel_frattempo_non_crea_nulla_e_avvisa_il_referente(
        client, richiesta, mailoutbox, django_capture_on_commit_callbacks):
    _oggetto, percorso = richiesta
    esistente = EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, denominazione="Girasole già registrato",
                            forma_giuridica="aps", codice_fiscale=cf_ente(4242))
    referente = UtenteFactory(email="referente@girasole.example")
    RegistrazioneEnte.objects.create(ente=esistente, referente=referente, legale_rappresentante="Anna Neri",
                                     legale_rappresentante_cf=cf_persona(11), email_confermata_il=timezone.now())
    utenti_prima = Utente.objects.count()
    mailoutbox.clear()

    risposta = conferma(client, percorso, django_capture_on_commit_callbacks)
    assert risposta.status_code == 409
    testo = visibile(risposta)
    assert "Non è possibile completare la registrazione con questi dati" in testo
    assert "Ufficio di Piano" in testo and "referente attuale" in testo
    assert Utente.objects.count() == utenti_prima
    assert Ente.objects.filter(codice_fiscale=cf_ente(4242)).get() == esistente
    assert RegistrazioneEnte.objects.count() == 1 and not RichiestaRegistrazione.objects.exists()
    assert "_auth_user_id" not in client.session
    [avviso] = mailoutbox
    assert avviso.to == ["referente@girasole.example"]
    assert "Girasole già registrato" in avviso.body and "Giulia.Bianchi@example.it" in avviso.body
    # the link is now spent: no second notice
    assert client.get(percorso).status_code == 400


def test_email_registrata_nel_frattempo_non_crea_nulla(client, richiesta, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    _oggetto, percorso = richiesta
    UtenteFactory(username="giulia", email="giulia.bianchi@EXAMPLE.it")
    mailoutbox.clear()
    risposta = conferma(client, percorso, django_capture_on_commit_callbacks)
    assert risposta.status_code == 409
    assert not Ente.objects.filter(codice_fiscale=cf_ente(4242)).exists()
    assert not Utente.objects.filter(username="giulia.bianchi@example.it").exists()
    assert mailoutbox == []


# --- the purge ------------------------------------------------------------------------------------------------

def test_le_richieste_non_confermate_da_oltre_sette_giorni_vengono_eliminate(db):
    adesso = timezone.now()

    def crea(giorni, confermata=False):
        r = RichiestaRegistrazione.objects.create(email=f"r{giorni}{confermata}@example.it", dati={})
        RichiestaRegistrazione.objects.filter(pk=r.pk).update(
            creata_il=adesso - datetime.timedelta(days=giorni), confermata_il=adesso if confermata else None)
        return r.pk

    vecchia, recente, quasi = crea(8), crea(1), crea(6)
    confermata = crea(30, confermata=True)
    assert services_registrazione.registrazioni_scadute_elimina(adesso=adesso) == 1
    assert set(RichiestaRegistrazione.objects.values_list("pk", flat=True)) == {recente, quasi, confermata}
    assert vecchia not in RichiestaRegistrazione.objects.values_list("pk", flat=True)
    # the daily task does the same
    crea(9)
    assert elimina_registrazioni_scadute.delay().get() == 1
    voce = settings.CELERY_BEAT_SCHEDULE["elimina-registrazioni-scadute"]
    assert voce["task"] == elimina_registrazioni_scadute.name


# --- the landing page -----------------------------------------------------------------------------------------

def test_portale_per_chi_non_ha_accesso(client, mondo):
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato=Stato.SOTTOSCRIZIONE)
    AccordoDiProgramma.objects.create(piano=mondo.piano, revisione=1)
    AccordoDiProgramma.objects.create(piano=mondo.piano_altro, revisione=1)  # plan still being drafted
    risposta = client.get(url("portale"))
    assert risposta.status_code == 200
    testo = visibile(risposta)
    assert "con l'indicazione del concorso di risorse proprie" in testo
    assert "Piano di Pavia" in testo and "In corso di firma" in testo
    assert "Piano di Certosa" not in testo
    sorgente = risposta.content.decode()
    assert url("registrazione") in sorgente and reverse("login") in sorgente


def test_portale_per_il_referente_di_un_ente(client, mondo):
    referente = mondo[R.REFERENTE_TERZO_SETTORE]
    client.force_login(referente)
    sorgente = client.get(url("portale")).content.decode()
    assert url("area_ente") in sorgente
    assert url("registrazione") not in sorgente.split('id="contenuto"', 1)[1]


def test_menu_con_terzo_settore_e_accordi_in_vigore(client, db):
    sorgente = client.get(url("portale")).content.decode()
    assert f'href="{url("portale")}" aria-current="page"' in sorgente
    assert f'href="{url("accordi_vigenti")}"' in sorgente


# --- the public pages of the Accordi -------------------------------------------------------------------------

def accordo_pubblico(piano, ambito, *, stato=Stato.VIGENTE, parti_extra=0, aderenti=1, risorse=2,
                     numero_documento=1) -> AccordoDiProgramma:
    """An Accordo with its parties (the Comuni with their mayors, the ASL, other public bodies),
    one cost item, a signed text and ``aderenti`` bodies whose adesione is signed."""
    campi = {"stato": stato}
    if stato == Stato.VIGENTE:
        campi.update(vigente_dal=datetime.date(2025, 4, 1), revisione_vigente=piano.revisione)
    PianoDiZona.objects.filter(pk=piano.pk).update(**campi)
    piano.refresh_from_db()
    documento = Documento.objects.create(
        tipo=Documento.Tipo.ACCORDO, titolo="Accordo di Programma", ambito=ambito, anno=2025,
        numero=numero_documento, piano=piano, ente_emittente="Ufficio di Piano", chiave=f"accordo-{piano.pk}",
        stato=Documento.Stato.PRONTO)
    comuni = list(ambito.comuni.order_by("pk"))
    sindaci = [sindaco_di(c, ambito, email=f"sindaco{c.pk}@comune.example") for c in comuni]
    enti_comuni = [Ente.objects.get(comune=c) for c in comuni]
    accordo = AccordoDiProgramma.objects.create(
        piano=piano, revisione=piano.revisione, ente_capofila=enti_comuni[0], documento=documento,
        data_inizio=datetime.date(2025, 4, 1), data_fine=datetime.date(2027, 12, 31),
        data_popolazione=datetime.date(2024, 1, 1))
    for i, (ente, sindaco) in enumerate(zip(enti_comuni, sindaci, strict=True)):
        ParteAccordo.objects.create(accordo=accordo, ente=ente, ruolo=ParteAccordo.Ruolo.COMUNE, firmatario=sindaco,
                                    impegni=f"Il {ente.denominazione} gestisce lo sportello sociale.", ordine=i)
        PopolazioneRiferimento.objects.create(accordo=accordo, comune=ente.comune, abitanti=1000 * (i + 1))
    asl, _ = Ente.objects.get_or_create(asl=ambito.asl, defaults={"tipo": Ente.Tipo.ASL,
                                                                   "denominazione": ambito.asl.nome})
    ParteAccordo.objects.get_or_create(accordo=accordo, ente=asl, defaults={
        "ruolo": ParteAccordo.Ruolo.ASL, "impegni": "Integrazione socio-sanitaria.", "ordine": 50})
    for n in range(parti_extra):
        ParteAccordo.objects.create(accordo=accordo, ente=EnteFactory(tipo=Ente.Tipo.ALTRO_PUBBLICO),
                                    ruolo=ParteAccordo.Ruolo.ALTRO_PUBBLICO, impegni=f"Impegno {n}", ordine=60 + n)
    voce = VoceOnere.objects.create(accordo=accordo, denominazione="Segretariato sociale")
    for anno in (2025, 2026, 2027):
        ImportoOnere.objects.create(voce=voce, anno=anno, centesimi=6_000_000)
    for n in range(aderenti):
        ente = EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Aderente {piano.pk}-{n}",
                           forma_giuridica="odv", sede="Via del Volontariato 3, Pavia")
        referente = UtenteFactory(email=f"referente{piano.pk}-{n}@ets.example")
        RegistrazioneEnte.objects.create(ente=ente, referente=referente, legale_rappresentante="Legale Segreto",
                                         legale_rappresentante_cf=cf_persona(400 + n),
                                         email_confermata_il=timezone.now())
        adesione = RichiestaAdesione.objects.create(
            accordo=accordo, ente=ente, stato=StatoAdesione.SOTTOSCRITTA, creata_da=referente,
            dichiarazione="Dichiarazione riservata", sottoscritta_il=timezone.now())
        for k in range(risorse):
            RisorsaAdesione.objects.create(richiesta=adesione, tipo=RisorsaAdesione.Tipo.VOLONTARI,
                                           descrizione=f"Volontari del turno {k}", quantita=4,
                                           valore_centesimi=150_000)
    bozza = EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Ente in bozza {piano.pk}", forma_giuridica="aps")
    RichiestaAdesione.objects.create(accordo=accordo, ente=bozza, stato=StatoAdesione.BOZZA,
                                     creata_da=UtenteFactory())
    return accordo


def test_pagina_pubblica_dell_accordo_in_vigore(client, mondo):
    accordo = accordo_pubblico(mondo.piano, mondo.ambito)
    risposta = client.get(url("accordo_pubblico", accordo.pk))
    assert risposta.status_code == 200
    testo = visibile(risposta)
    sorgente = risposta.content.decode()
    capofila = accordo.ente_capofila.denominazione
    assert "Accordo di Programma – Piano di Pavia" in testo and "In vigore" in testo
    assert f"Ente capofila {capofila}" in testo
    assert "01/04/2025" in testo and "31/12/2027" in testo
    for parte in accordo.parti.select_related("ente"):
        assert parte.ente.denominazione in testo and parte.impegni in testo
    # the cost sharing per Comune: 60.000,00 € a year split by population 1:2:3, exactly
    assert "Segretariato sociale" in testo and "180.000,00" in testo
    assert "10.000,00" in testo and "30.000,00" in testo
    # the adherents and what they bring; not the draft request
    assert "Aderente" in testo and "Volontari del turno 1" in testo and "3.000,00" in testo
    assert f"Ente in bozza {mondo.piano.pk}" not in testo
    # the signed text and its verification
    codice = accordo.documento.codice_verifica
    assert url("verifica_scarica", codice) in sorgente and url("verifica_codice", codice) in sorgente
    # nothing private
    for riservato in ("@", "Legale Segreto", "Dichiarazione riservata", cf_persona(400), cf_persona(401)):
        assert riservato not in testo
    for parte in accordo.parti.exclude(firmatario=None).select_related("firmatario"):
        assert parte.firmatario.codice_fiscale not in sorgente and parte.firmatario.email not in sorgente


def test_il_pdf_firmato_e_la_sua_verifica_si_aprono_senza_accesso(client, mondo):
    from accordi.services_documenti import salva_revisione

    accordo = accordo_pubblico(mondo.piano, mondo.ambito)
    salva_revisione(accordo.documento, 0, b"%PDF-1.7 sigillato")
    salva_revisione(accordo.documento, 1, b"%PDF-1.7 sigillato e firmato da tutte le parti")
    codice = accordo.documento.codice_verifica
    scarica = client.get(url("verifica_scarica", codice))
    assert scarica.status_code == 200
    assert b"".join(scarica.streaming_content) == b"%PDF-1.7 sigillato e firmato da tutte le parti"  # the latest
    assert client.get(url("verifica_codice", codice)).status_code == 200


def test_accordo_alla_firma_e_pubblico_e_aperto_alle_adesioni(client, mondo):
    accordo = accordo_pubblico(mondo.piano, mondo.ambito, stato=Stato.SOTTOSCRIZIONE, aderenti=0)
    testo = visibile(client.get(url("accordo_pubblico", accordo.pk)))
    assert "In corso di firma" in testo and "Scarica il testo alla firma" in testo
    assert "Nessun ente del Terzo Settore ha ancora aderito" in testo
    assert "vuole aderire" in testo
    # not in force: not among the Accordi in force
    assert "Piano di Pavia" not in visibile(client.get(url("accordi_vigenti")))


@pytest.mark.parametrize("stato", [Stato.BOZZA, Stato.ACCORDO, Stato.ANNULLATO])
def test_404_per_accordi_non_in_vigore_ne_alla_firma(client, mondo, stato):
    accordo = AccordoDiProgramma.objects.create(piano=mondo.piano, revisione=mondo.piano.revisione)
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato=stato)
    assert client.get(url("accordo_pubblico", accordo.pk)).status_code == 404
    assert client.get(url("accordo_pubblico", 999999)).status_code == 404


def test_404_per_la_revisione_non_piu_in_vigore(client, mondo):
    accordo = accordo_pubblico(mondo.piano, mondo.ambito)
    vecchio = AccordoDiProgramma.objects.create(piano=mondo.piano, revisione=accordo.revisione + 1)
    assert client.get(url("accordo_pubblico", vecchio.pk)).status_code == 404  # the update being drafted
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato=Stato.BOZZA, revisione=accordo.revisione + 1)
    # during the update the Accordo in force stays public, but is not open to adesioni
    testo = visibile(client.get(url("accordo_pubblico", accordo.pk)))
    assert "In vigore" in testo and "vuole aderire" not in testo


def test_elenco_degli_accordi_in_vigore(client, mondo):
    accordo = accordo_pubblico(mondo.piano, mondo.ambito, parti_extra=2, aderenti=2)
    risposta = client.get(url("accordi_vigenti"))
    assert risposta.status_code == 200
    riga = next(r.split("</tr>")[0] for r in risposta.content.decode().split("<tr")[1:] if "Piano di Pavia" in r)
    testo = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", riga)).split())
    assert "Ambito di Pavia" in testo and accordo.ente_capofila.denominazione in testo
    assert "dal 01/04/2025 al 31/12/2027" in testo
    # 3 Comuni + the ASL + 2 other bodies; 2 adherents (the draft request does not count)
    assert testo.endswith("6 2")
    assert url("accordo_pubblico", accordo.pk) in riga


def _conta(client, indirizzo, django_assert_max_num_queries, massimo=40) -> int:
    with django_assert_max_num_queries(massimo) as contate:
        assert client.get(indirizzo).status_code == 200
    return len(contate.captured_queries)


def test_query_costanti_nella_pagina_dell_accordo(client, mondo, django_assert_max_num_queries):
    piccolo = accordo_pubblico(mondo.piano, mondo.ambito, aderenti=1, risorse=1)
    grande = accordo_pubblico(mondo.piano_altro, mondo.altro_ambito, parti_extra=8, aderenti=6, risorse=4,
                              numero_documento=2)
    client.get(url("accordo_pubblico", piccolo.pk))  # warm the process (content types, sessions…)
    base = _conta(client, url("accordo_pubblico", piccolo.pk), django_assert_max_num_queries)
    with django_assert_max_num_queries(base):
        assert client.get(url("accordo_pubblico", grande.pk)).status_code == 200


def test_query_costanti_nell_elenco_degli_accordi(client, mondo, django_assert_max_num_queries):
    accordo_pubblico(mondo.piano, mondo.ambito)
    client.get(url("accordi_vigenti"))
    base = _conta(client, url("accordi_vigenti"), django_assert_max_num_queries)
    accordo_pubblico(mondo.piano_altro, mondo.altro_ambito, parti_extra=5, aderenti=4, numero_documento=2)
    with django_assert_max_num_queries(base):
        risposta = client.get(url("accordi_vigenti"))
    assert "Piano di Certosa" in visibile(risposta)


def test_query_costanti_nel_portale(client, mondo, django_assert_max_num_queries):
    accordo_pubblico(mondo.piano, mondo.ambito)
    client.get(url("portale"))
    base = _conta(client, url("portale"), django_assert_max_num_queries)
    accordo_pubblico(mondo.piano_altro, mondo.altro_ambito, numero_documento=2)
    with django_assert_max_num_queries(base):
        assert "Piano di Certosa" in visibile(client.get(url("portale")))


# --- the public verification is rate limited --------------------------------------------------------------

def test_verifica_limitata_per_indirizzo_ip(client, db):
    for _n in range(30):
        assert client.post(url("verifica"), {"codice": "NESSUNO"}, REMOTE_ADDR="10.9.9.9").status_code == 200
    bloccata = client.post(url("verifica"), {"codice": "NESSUNO"}, REMOTE_ADDR="10.9.9.9")
    assert bloccata.status_code == 429 and "Troppe richieste" in visibile(bloccata)
    assert bloccata["Retry-After"] == "60" and "Riprova tra un minuto." in visibile(bloccata)
    # the code's page shares the same counter: guessing codes there is limited as well
    assert client.get(url("verifica_codice", "ABCDEFGH"), REMOTE_ADDR="10.9.9.9").status_code == 429
    assert client.get(url("verifica_codice", "ABCDEFGH"), REMOTE_ADDR="10.9.9.8").status_code == 404
    assert client.get(url("verifica"), REMOTE_ADDR="10.9.9.9").status_code == 429

"""User stories, keyboard only: a Terzo Settore body registers on the public portal, then adheres
to an Accordo and signs the act.

Its referent uses no mouse: on the portal the first Tab shows the skip link, Enter moves to the
page's content, Tab reaches «Registra l'ente»; on the form each field is reached with Tab and
filled by typing (the selects by typing the option's first letters, the checkboxes with Space),
and Enter on the button sends it. Every element that takes the focus on the way shows it (an
outline or a shadow around it, or around the styled box of a checkbox). The mail's link leads to
the confirmation, also pressed with the keyboard: the body is registered.

Then the same referent, who is the body's legal representative, signs in, asks to adhere to the
Accordo open for signature (an area, the tavolo it attended, one resource, the statute in PDF) and
sends the request; once the Ufficio di Piano has accepted it, the referent opens the act from the
invitation and signs it in the browser with the demo certificate, always with the keyboard; the
public page of the Accordo lists the body."""

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect
from weasyprint import HTML

from accordi import services_adesioni
from accordi.models import Firmatario, RegistrazioneEnte, RichiestaAdesione, StatoAdesione
from ambiti.models import Ente
from tavoli.models import PresenzaTavolo

from ..factories import AmbitoFactory, cf_ente, cf_persona
from .test_adesione import TITOLO, accordo_aperto, messaggio, posta, segui_il_link  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ENTE = "Cooperativa La Tastiera ODV"
EMAIL = "referente@latastiera.example.it"
PASSWORD = "Tasti-e-frecce-2025"
CF_ENTE = cf_ente(515_151)
CF_REFERENTE = cf_persona(51)

# The focused element, its accessible name and whether the focus is drawn: an outline or a
# box-shadow on the element, or (a checkbox or radio of Bootstrap Italia, visually replaced by
# its label) on the label's ::before/::after box.
FUOCO = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {nome: '', tag: 'body', segnato: false, dimensioni: false};
    const disegnato = (s) => s && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                                   || (s.boxShadow && s.boxShadow !== 'none'));
    let segnato = disegnato(getComputedStyle(e));
    let riquadro = e.getBoundingClientRect();
    const etichetta = e.labels && e.labels.length ? e.labels[0] : null;
    if (!segnato && etichetta && (e.type === 'checkbox' || e.type === 'radio')) {
        segnato = disegnato(getComputedStyle(etichetta, '::before'))
                  || disegnato(getComputedStyle(etichetta, '::after')) || disegnato(getComputedStyle(etichetta));
        riquadro = etichetta.getBoundingClientRect();
    }
    const nome = (e.getAttribute('aria-label') || (etichetta ? etichetta.innerText : '') || e.innerText || '')
        .replace(/\\s+/g, ' ').trim();
    return {nome, tag: e.tagName.toLowerCase(), id: e.id, segnato: !!segnato,
            dimensioni: riquadro.width > 0 && riquadro.height > 0};
}"""


def fuoco(pagina) -> dict:
    return pagina.evaluate(FUOCO)


def tab_fino_a(pagina, nome: str, massimo: int = 60) -> dict:
    """Press Tab until the focused element's name starts with ``nome``; every element the focus
    passes through must show it."""
    for _ in range(massimo):
        pagina.keyboard.press("Tab")
        attuale = fuoco(pagina)
        assert attuale["dimensioni"], f"l'elemento con il fuoco non si vede: {attuale}"
        assert attuale["segnato"], f"il fuoco non è visibile su: {attuale}"
        if attuale["nome"].startswith(nome):
            return attuale
    raise AssertionError(f"«{nome}» non raggiunto con {massimo} Tab; ultimo: {attuale}")


def salta_al_contenuto(pagina):
    """The first Tab shows the skip link; Enter moves the focus to the page's content."""
    pagina.keyboard.press("Tab")
    link = pagina.get_by_role("link", name="Vai al contenuto")
    expect(link).to_be_focused()
    expect(link).to_be_visible()
    assert fuoco(pagina)["segnato"], "il collegamento «Vai al contenuto» non mostra il fuoco"
    pagina.keyboard.press("Enter")
    expect(pagina.locator("main#contenuto")).to_be_focused()


def scrivi_in(pagina, campo: str, testo: str):
    tab_fino_a(pagina, campo)
    pagina.keyboard.type(testo)


@pytest.mark.django_db(transaction=True)
def test_un_ente_si_registra_sul_portale_solo_con_la_tastiera(nuova_sessione, screenshot, mailoutbox):
    AmbitoFactory(nome="Ambito distrettuale di Pavia")
    pagina = nuova_sessione()
    pagina.goto("/terzo-settore/")

    # --- the portal: skip link, then to «Registra l'ente»
    salta_al_contenuto(pagina)
    tab_fino_a(pagina, "Registra l'ente")
    screenshot(pagina, "01-fuoco-su-registra")
    pagina.keyboard.press("Enter")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Registra un ente del Terzo Settore")

    # --- the form, field after field
    salta_al_contenuto(pagina)
    scrivi_in(pagina, "Denominazione dell'ente", ENTE)
    scrivi_in(pagina, "Forma giuridica", "Organizzazione di v")
    scrivi_in(pagina, "Sezione del RUNTS", "a)")
    scrivi_in(pagina, "Numero di iscrizione al RUNTS", "PV-2023-0077")
    scrivi_in(pagina, "Codice fiscale dell'ente", CF_ENTE)
    scrivi_in(pagina, "Sede legale", "Via dei Tasti 1, 27100 Pavia")
    tab_fino_a(pagina, "Ambito distrettuale di Pavia")
    pagina.keyboard.press("Space")
    screenshot(pagina, "02-fuoco-su-casella")
    scrivi_in(pagina, "Nome", "Luca")
    scrivi_in(pagina, "Cognome", "Tasti")
    scrivi_in(pagina, "Codice fiscale", CF_REFERENTE)
    scrivi_in(pagina, "E-mail", EMAIL)
    scrivi_in(pagina, "Password", PASSWORD)
    scrivi_in(pagina, "Ripeti la password", PASSWORD)
    tab_fino_a(pagina, "Il referente è il legale rappresentante")
    pagina.keyboard.press("Space")
    tab_fino_a(pagina, "Ho letto come vengono trattati i dati personali")
    pagina.keyboard.press("Space")
    modulo = pagina.get_by_test_id("modulo-registrazione")
    expect(modulo.get_by_label("Forma giuridica")).to_have_value("odv")
    expect(modulo.get_by_label("Sezione del RUNTS")).to_have_value("a")
    expect(modulo.get_by_label("Ambito distrettuale di Pavia")).to_be_checked()
    expect(modulo.get_by_label("Ho letto come vengono trattati i dati personali")).to_be_checked()
    tab_fino_a(pagina, "Invia la richiesta di registrazione")
    screenshot(pagina, "03-fuoco-su-invia")
    pagina.keyboard.press("Enter")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Controlla la tua casella di posta")

    # --- the mail's link, and the confirmation pressed with the keyboard
    segui_il_link(pagina, posta(mailoutbox, "PianoZona: conferma la registrazione dell'ente", EMAIL))
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Conferma la registrazione")
    salta_al_contenuto(pagina)
    tab_fino_a(pagina, "Conferma e accedi")
    pagina.keyboard.press("Enter")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Area dell'ente")
    registrato = Ente.objects.get(codice_fiscale=CF_ENTE)
    assert (registrato.denominazione, registrato.forma_giuridica, registrato.sezione_runts) == (ENTE, "odv", "a")
    assert [a.nome for a in registrato.ambiti.all()] == ["Ambito distrettuale di Pavia"]
    assert registrato.registrazione.legale_rappresentante == "Luca Tasti"
    assert registrato.numero_runts == "PV-2023-0077"


ADERENTE = "Associazione Tasto Invio APS"
EMAIL_ADERENTE = "rappresentante@tastoinvio.example.it"
CF_ADERENTE = cf_ente(525_252)
CF_RAPPRESENTANTE = cf_persona(52)


def ente_registrato(ambito):
    """The body as the portal's confirmation leaves it (that journey is the test above): its
    referent's account, who is also its legal representative."""
    referente = get_user_model().objects.create_user(
        username=EMAIL_ADERENTE, email=EMAIL_ADERENTE, password=PASSWORD, first_name="Sara",
        last_name="Invio", codice_fiscale=CF_RAPPRESENTANTE)
    ente = Ente.objects.create(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=ADERENTE, forma_giuridica="aps",
                               codice_fiscale=CF_ADERENTE, sezione_runts="b", numero_runts="PV-2022-0101",
                               sede="Via del Tasto 5, 27100 Pavia", email=EMAIL_ADERENTE)
    ente.ambiti.set([ambito])
    RegistrazioneEnte.objects.create(ente=ente, referente=referente, legale_rappresentante="Sara Invio",
                                     legale_rappresentante_cf=CF_RAPPRESENTANTE, email_confermata_il=timezone.now())
    return ente, referente


def premi(pagina, nome: str, tasto: str = "Enter"):
    tab_fino_a(pagina, nome)
    pagina.keyboard.press(tasto)


@pytest.mark.django_db(transaction=True)
def test_il_legale_rappresentante_chiede_l_adesione_e_firma_solo_con_la_tastiera(
    nuova_sessione, screenshot, accordo_aperto, mailoutbox  # noqa: F811
):
    accordo, seduta = accordo_aperto
    ente, referente = ente_registrato(accordo.piano.ambiti.get())
    PresenzaTavolo.objects.create(seduta=seduta, nominativo="Sara Invio", ente=ente)
    pagina = nuova_sessione()

    # --- sign in: the fields by Tab and typing, Enter on the button
    pagina.goto("/account/accedi/")
    salta_al_contenuto(pagina)
    scrivi_in(pagina, "Nome utente", EMAIL_ADERENTE)
    scrivi_in(pagina, "Password", PASSWORD)
    premi(pagina, "Accedi")
    pagina.wait_for_url(lambda indirizzo: "/account/accedi/" not in indirizzo)  # the skip link's #contenuto stays
    pagina.goto("/area-ente/")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Area dell'ente")

    # --- the Accordo open for signature: «Chiedi l'adesione»
    salta_al_contenuto(pagina)
    premi(pagina, "Chiedi l'adesione")
    messaggio(pagina, "Richiesta di adesione creata come bozza")
    expect(pagina.get_by_test_id("stato-adesione")).to_have_text("Bozza")

    # --- the request: statement, area, tavolo, one resource; Enter on «Salva le modifiche»
    salta_al_contenuto(pagina)
    scrivi_in(pagina, "Dichiarazione dell'ente", "L'associazione ha partecipato al tavolo Anziani e offre "
                                                 "ore di ascolto telefonico.")
    premi(pagina, "Anziani", "Space")
    premi(pagina, "Tavolo Anziani", "Space")
    scrivi_in(pagina, "Tipo – risorsa 1", "Ore")
    scrivi_in(pagina, "Descrizione – risorsa 1", "Ascolto telefonico per gli anziani soli")
    scrivi_in(pagina, "Quantità – risorsa 1", "200")
    scrivi_in(pagina, "Valore in euro – risorsa 1", "4.000,00")
    expect(pagina.get_by_label("Anziani", exact=True)).to_be_checked()
    expect(pagina.get_by_label("Tipo – risorsa 1")).to_have_value("ore_personale")
    screenshot(pagina, "04-richiesta-compilata")
    premi(pagina, "Salva le modifiche")
    messaggio(pagina, "Modifiche salvate.")
    expect(pagina.get_by_test_id("mancanze")).to_contain_text("Allega lo statuto dell'ente in PDF.")

    # --- the statute: the file input is reached with Tab; a keyboard user then picks the file in
    # the operating system's dialog (Enter or Space opens it), which a browser test cannot drive:
    # set_input_files on the focused element is what that dialog does.
    salta_al_contenuto(pagina)
    scrivi_in(pagina, "Tipo di documento", "Statuto")
    tab_fino_a(pagina, "File PDF")
    statuto = HTML(string=f"<h1>Statuto dell'{ADERENTE}</h1><p>Art. 1 – Denominazione</p>").write_pdf()
    pagina.locator("input[type=file]:focus").set_input_files(
        files=[{"name": "statuto.pdf", "mimeType": "application/pdf", "buffer": statuto}])
    premi(pagina, "Carica l'allegato")
    messaggio(pagina, "Allegato caricato.")
    expect(pagina.get_by_test_id("allegati-adesione")).to_contain_text("statuto.pdf")
    expect(pagina.get_by_test_id("mancanze")).to_have_count(0)

    # --- send it: the page came back at its attachments (#allegati), where Tab goes on from
    expect(pagina).to_have_url(re.compile("#allegati$"))
    tab_fino_a(pagina, "Invia la richiesta")
    screenshot(pagina, "05-fuoco-su-invia-la-richiesta")
    pagina.keyboard.press("Enter")
    messaggio(pagina, "Richiesta inviata all'Ufficio di Piano")
    expect(pagina.get_by_test_id("stato-adesione")).to_have_text("Inviata")
    expect(pagina.get_by_test_id("totale-risorse")).to_have_text("4.000,00")

    # --- the Ufficio di Piano (another role, not this journey's) accepts it
    richiesta = RichiestaAdesione.objects.get(ente=ente)
    udp = get_user_model().objects.get(username="udp")
    services_adesioni.prendi_in_carico(richiesta=richiesta, utente=udp)
    services_adesioni.accogli(richiesta=richiesta, utente=udp)

    # --- the legal representative opens the act from the invitation and signs it
    segui_il_link(pagina, posta(mailoutbox, "Richiesta di firma: Atto di adesione", EMAIL_ADERENTE))
    expect(pagina.get_by_role("heading", level=1)).to_contain_text(f"Atto di adesione di {ADERENTE}")
    salta_al_contenuto(pagina)
    tab_fino_a(pagina, "Firma con il certificato dimostrativo")
    screenshot(pagina, "06-fuoco-su-firma")
    pagina.keyboard.press("Enter")
    messaggio(pagina, "Firmato con il certificato dimostrativo")
    riga = pagina.get_by_test_id("tabella-firme").locator("tbody tr")
    expect(riga).to_contain_text("Firmato")
    expect(riga).to_contain_text("INVIO SARA")
    firmatario = Firmatario.objects.get(richiesta__documento=RichiestaAdesione.objects.get(pk=richiesta.pk).documento)
    assert (firmatario.metodo, firmatario.codice_fiscale) == (Firmatario.Metodo.DEMO, CF_RAPPRESENTANTE)
    assert RichiestaAdesione.objects.get(pk=richiesta.pk).stato == StatoAdesione.SOTTOSCRITTA

    # --- signed out, the portal leads to the Accordo's public page, which lists the body
    pubblico = nuova_sessione()
    pubblico.goto("/terzo-settore/")
    salta_al_contenuto(pubblico)
    premi(pubblico, TITOLO)
    expect(pubblico.get_by_role("heading", level=1)).to_have_text(f"Accordo di Programma – {TITOLO}")
    aderente = pubblico.get_by_test_id("aderente")
    expect(aderente).to_have_count(1)
    expect(aderente.get_by_role("heading")).to_have_text(ADERENTE)
    expect(aderente).to_contain_text("Ascolto telefonico per gli anziani soli")
    screenshot(pubblico, "07-accordo-pubblico")

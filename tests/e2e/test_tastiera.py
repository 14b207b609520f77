"""User story, keyboard only: a Terzo Settore body registers on the public portal.

Its referent uses no mouse: on the portal the first Tab shows the skip link, Enter moves to the
page's content, Tab reaches «Registra l'ente»; on the form each field is reached with Tab and
filled by typing (the selects by typing the option's first letters, the checkboxes with Space),
and Enter on the button sends it. Every element that takes the focus on the way shows it (an
outline or a shadow around it, or around the styled box of a checkbox). The mail's link leads to
the confirmation, also pressed with the keyboard: the body is registered."""

import os

import pytest
from playwright.sync_api import expect

from ambiti.models import Ente

from ..factories import AmbitoFactory, cf_ente, cf_persona
from .test_adesione import posta, segui_il_link

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

"""User story: the plan's content, from the draft to the Accordo.

The Ufficio di Piano writes two sections in the rich-text editor and one objective with one
action (a budget in the year × source grid and an indicator), and sends the draft to two
unions. The CGIL's referent gives a parere «Favorevole con osservazioni» asking for a change in
a section; the UIL stays silent past the deadline (the deadline is moved into the past, as
time passing, and the Celery beat task records the silence). The Ufficio di Piano accepts the
observation.

The Ufficio di Piano answers it and closes the consultation (the plan goes to the
approval), then brings the accepted observation into the section in the browser: during the
approval the draft is writable again (``services_contenuto.STATI_MODIFICABILI``), while the
version the unions read stays frozen. The Assemblea approves the final text (version 2,
frozen for it) and the mayors sign it (through services, as in the Assemblea's own tests);
the Presidente «Licenzia il piano» from the plan page; the ASL's referent gives a positive
intesa and the plan reaches «Accordo». The final PDF act carries the annex «Differenze
rispetto alla versione inviata ai sindacati»: version 1 against version 2, with the added
words.
"""

import datetime
import os
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from playwright.sync_api import expect

from accordi.models import Consultazione, Documento, Parere, PianoDiZona, VersionePiano
from accordi.services_consultazione import pareri_scaduti
from accordi.services_documenti import contesto_atto, documento_richiedi, leggi, revisione_corrente
from accordi.services_firme import firma_demo, richiesta_firma_crea
from ambiti.models import Ente, Incarico
from tavoli import services as assemblea
from tavoli.services_assemblea import assemblea_garantisci

from ..factories import (
    AmbitoFactory,
    ComuneFactory,
    crea_piano,
    referente_di,
    sindacato_di,
    sindaco_di,
    utente_con_ruolo,
)
from ..tavoli.conftest import Consesso
from .conftest import accedi
from .test_tavoli import campo

R = Incarico.Ruolo
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CONTESTO = "Il contesto: popolazione"
BISOGNI = "I bisogni per area di intervento"


def messaggio(pagina, testo):
    expect(pagina.locator(".messaggi").get_by_role("alert")).to_contain_text(testo)


def scrivi_sezione(pagina, piano, titolo, testo, *, in_coda=False):
    """Open a section from the plan's content and type in the Trix editor."""
    pagina.goto(f"/piani/{piano.pk}/contenuto/")
    pagina.get_by_role("link", name=f"Scrivi «{titolo}»").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text(titolo)
    # Trix replaces the plain textarea once loaded: type into the editor, not the textarea it hides.
    editor = pagina.get_by_role("textbox", name="Testo della sezione").and_(pagina.locator("trix-editor"))
    expect(editor).to_be_visible()
    editor.click()
    if in_coda:
        pagina.keyboard.press("Control+End")
    pagina.keyboard.type(testo)
    pagina.get_by_role("button", name="Salva la sezione").click()
    messaggio(pagina, f"Sezione «{titolo}» salvata.")


def fa_scadere(consultazione):
    """Time passes: the deadline for the parere is now behind us."""
    Consultazione.objects.filter(pk=consultazione.pk).update(scadenza=timezone.now() - datetime.timedelta(hours=1))


def invia_ai_sindacati(udp, piano):
    udp.goto(f"/piani/{piano.pk}/")
    udp.get_by_test_id("consultazione-piano").get_by_role("link", name="Invia ai sindacati").click()
    # every union of the ambito is proposed, ticked
    expect(udp.get_by_label("CGIL Pavia (Provinciale)")).to_be_checked()
    expect(udp.get_by_label("UIL Pensionati Pavia (Pensionati)")).to_be_checked()
    expect(campo(udp, "Termine per il parere")).not_to_have_value("")
    udp.get_by_role("button", name="Congela e invia ai sindacati").click()
    expect(udp.get_by_role("heading", level=1)).to_have_text("Consultazione dei sindacati")
    return Consultazione.objects.filter(piano=piano).latest("pk")


@pytest.mark.django_db(transaction=True)
def test_dal_contenuto_all_accordo(nuova_sessione, screenshot, pki_attiva):
    comuni = [ComuneFactory(denominazione="Pavia", popolazione=71_000),
              ComuneFactory(denominazione="Cava Manara", popolazione=6_000)]
    ambito = AmbitoFactory(nome="Ambito distrettuale di Pavia", comuni=comuni)
    piano = crea_piano(ambito, stato="bozza", titolo="Piano di Zona 2025-2027 – Pavia")
    udp_utente = utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp", first_name="Giulia",
                                  last_name="Ferrari")
    utente_con_ruolo(R.REFERENTE_ASL, ambito, username="asl", first_name="Paolo", last_name="Gatti")
    cgil = sindacato_di(ambito, Ente.Livello.PROVINCIALE, denominazione="CGIL Pavia")
    uil = sindacato_di(ambito, Ente.Livello.PENSIONATI, denominazione="UIL Pensionati Pavia")
    referente_di(cgil, ambito, username="cgil", first_name="Anna", last_name="Rossi")
    referente_di(uil, ambito, username="uil", first_name="Luca", last_name="Bianchi")
    consesso = Consesso(
        ambito=ambito, assemblea=assemblea_garantisci(ambito), comuni=comuni,
        sindaci=[sindaco_di(c, ambito, username=f"sindaco-{c.denominazione.lower().replace(' ', '')}")
                 for c in comuni],
        presidente=utente_con_ruolo(R.PRESIDENTE_ASSEMBLEA, ambito, username="presidente", first_name="Marco",
                                    last_name="Verdi"),
        udp=udp_utente, piano=piano)
    anno = piano.ciclo.anno_inizio

    # 1. The Ufficio di Piano opens the plan's content from the plan page and writes two sections.
    udp = nuova_sessione()
    accedi(udp, "udp")
    udp.goto(f"/piani/{piano.pk}/")
    udp.get_by_test_id("contenuto-piano").get_by_role("link", name="Scrivi il piano").click()
    expect(udp.get_by_role("heading", level=1)).to_have_text("Contenuto del piano")
    scrivi_sezione(udp, piano, CONTESTO, "L'ambito conta 77.000 residenti; un residente su quattro ha più di 65 anni.")
    scrivi_sezione(udp, piano, BISOGNI, "Il servizio di assistenza domiciliare copre sei Comuni su tredici.")
    screenshot(udp, "01-sezione-scritta")

    # 2. One objective with one action: 12.500,00 € of FNPS in the first year, one indicator.
    udp.goto(f"/piani/{piano.pk}/contenuto/")
    udp.get_by_role("link", name="Nuovo obiettivo").click()
    campo(udp, "Tipo di obiettivo").select_option(label="Strategico")
    campo(udp, "Codice").fill("OB1")
    campo(udp, "Titolo").fill("Sostenere la domiciliarità degli anziani")
    udp.get_by_role("button", name="Crea l'obiettivo").click()
    messaggio(udp, "Obiettivo creato")
    udp.get_by_role("link", name="Nuova azione").click()
    campo(udp, "Codice").fill("A1.1")
    campo(udp, "Titolo").fill("Dimissioni protette")
    campo(udp, "Destinatari").fill("Anziani soli dimessi dall'ospedale")
    udp.get_by_label(f"Fondo Nazionale Politiche Sociali (FNPS), {anno}").fill("12.500,00")
    indicatore = udp.get_by_role("group", name="Indicatore 1")
    campo(indicatore, "Indicatore").fill("Persone accompagnate al rientro a casa")
    campo(indicatore, "Unità di misura").fill("persone")
    campo(indicatore, "Valore atteso").fill("40")
    udp.get_by_role("button", name="Crea l'azione").click()
    expect(udp.get_by_test_id("totale-azione")).to_contain_text("12.500,00")
    screenshot(udp, "02-azione-con-risorse")
    udp.goto(f"/piani/{piano.pk}/contenuto/")
    expect(udp.get_by_text("Dimissioni protette")).to_be_visible()
    screenshot(udp, "03-contenuto-del-piano")

    # 3. The draft goes to the two unions: frozen as version 1.
    prima = invia_ai_sindacati(udp, piano)
    messaggio(udp, "Bozza congelata nella versione 1 e inviata ai sindacati.")
    expect(udp.get_by_test_id(f"parere-{cgil.pk}")).to_contain_text("In attesa")
    screenshot(udp, "04-consultazione-aperta")
    assert PianoDiZona.objects.get(pk=piano.pk).stato == "parere_sindacati"

    # 4. The CGIL's referent gives a parere with one observation on the needs' section.
    sindacato = nuova_sessione()
    accedi(sindacato, "cgil")
    parere_cgil = prima.pareri.get(sindacato=cgil)
    sindacato.goto(f"/pareri/{parere_cgil.pk}/")
    expect(sindacato.get_by_role("heading", level=1)).to_have_text("Parere di CGIL Pavia")
    sindacato.locator("label", has_text="Favorevole con osservazioni").click()
    expect(sindacato.get_by_label("Favorevole con osservazioni")).to_be_checked()
    osservazione = sindacato.get_by_role("group", name="Osservazione 1")
    campo(osservazione, "Sezione a cui si riferisce").select_option(label=BISOGNI)
    campo(osservazione, "Osservazione").fill("Il piano indichi quando il servizio domiciliare coprirà tutti i Comuni.")
    screenshot(sindacato, "05-parere-da-inviare")
    sindacato.get_by_role("button", name="Invia il parere").click()
    messaggio(sindacato, "Parere registrato")
    expect(sindacato.get_by_test_id("esito-parere")).to_contain_text("Favorevole con osservazioni")
    screenshot(sindacato, "06-parere-inviato")

    # 5. The UIL stays silent: the deadline passes and the beat task records the silence.
    fa_scadere(prima)
    assert pareri_scaduti() == 1
    assert prima.pareri.get(sindacato=uil).esito == Parere.Esito.SILENZIO

    # 6. The Ufficio di Piano accepts the observation and closes the consultation.
    udp.goto(f"/consultazioni/{prima.pk}/")
    expect(udp.get_by_test_id("termine")).to_contain_text("termine scaduto")
    expect(udp.get_by_test_id(f"parere-{uil.pk}")).to_contain_text("Non espresso entro il termine")
    risposta = udp.get_by_role("group", name=re.compile("osservazione 1 di CGIL Pavia"))
    risposta.locator("label", has_text=re.compile("^Accolta$")).click()
    risposta.get_by_label("Motivazione").fill("La sezione indicherà il 2026 come anno dell'estensione.")
    risposta.get_by_role("button", name="Salva la risposta").click()
    messaggio(udp, "Risposta registrata.")
    oss = parere_cgil.osservazioni.get()
    expect(udp.get_by_test_id(f"risposta-{oss.pk}")).to_contain_text("Accolta")
    expect(udp.locator(f"#osservazione-{oss.pk}")).to_contain_text(f"sezione «{BISOGNI}»")
    screenshot(udp, "07-osservazione-accolta")
    udp.get_by_role("button", name="Chiudi consultazione").click()
    messaggio(udp, "Consultazione chiusa: il piano passa all'approvazione.")
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Approvazione")
    screenshot(udp, "08-consultazione-chiusa")

    # 7. The accepted observation goes into the text of the final version; version 1 stays as sent.
    scrivi_sezione(udp, piano, BISOGNI, " Entro il 2026 sarà esteso a tutti i tredici Comuni.", in_coda=True)
    udp.goto(f"/piani/{piano.pk}/versioni/confronta/?da=1&a=0")
    expect(udp.locator("ins", has_text="tredici")).to_be_visible()
    screenshot(udp, "09-bozza-rispetto-alla-versione-1")

    # 9. The Assemblea approves the final text and the mayors sign it (services, as in its tests).
    definitivo = documento_richiedi(tipo="piano_definitivo", piano=piano, utente=udp_utente)
    definitivo.refresh_from_db()
    assert (definitivo.tipo, definitivo.versione) == (Documento.Tipo.PIANO_DEFINITIVO, 2)
    _seduta, punto = consesso.seduta_aperta(oggetto="Approvazione del Piano di Zona", tipo="approvazione_piano",
                                            documento_piano=definitivo, priorita=[])
    votazione = assemblea.votazione_apri(punto=punto, utente=consesso.presidente)
    for sindaco in consesso.sindaci:
        assemblea.voto_esprimi(votazione=votazione, utente=sindaco, espressione="favorevole")
    assemblea.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    assemblea.votazione_proclama(votazione=votazione, utente=consesso.presidente)
    richiesta = richiesta_firma_crea(
        documento=definitivo, utente=udp_utente, modalita="parallela",
        scadenza=timezone.localdate() + datetime.timedelta(days=10),
        firmatari=[(s, s.incarichi.get().ente, True) for s in consesso.sindaci])
    for firmatario in richiesta.firmatari.all():
        pki_attiva.p12_demo(firmatario.utente)
        firma_demo(firmatario=firmatario, utente=firmatario.utente)

    # 10. The Presidente licenses the plan from the plan page.
    presidente = nuova_sessione()
    accedi(presidente, "presidente")
    presidente.goto(f"/piani/{piano.pk}/")
    azione = presidente.get_by_test_id("azione-licenzia")
    expect(azione).not_to_contain_text("Ancora necessario")
    azione.get_by_role("button").click()
    expect(presidente.get_by_test_id("stato-piano")).to_contain_text("Intesa ASL")
    screenshot(presidente, "10-piano-licenziato")

    # 11. The ASL's referent gives a positive intesa: the plan reaches the Accordo.
    asl = nuova_sessione()
    accedi(asl, "asl")
    asl.goto(f"/piani/{piano.pk}/")
    asl.get_by_role("link", name="Esprimi l'intesa").click()
    asl.locator("label", has_text=re.compile("^Positiva$")).click()
    campo(asl, "Motivazione").fill("Il piano è coerente con la programmazione socio-sanitaria dell'ASL.")
    screenshot(asl, "11-intesa")
    asl.get_by_role("button", name="Registra l'intesa").click()
    messaggio(asl, "Intesa positiva registrata")
    expect(asl.get_by_test_id("stato-piano")).to_contain_text("Accordo")
    screenshot(asl, "12-piano-in-accordo")
    assert PianoDiZona.objects.get(pk=piano.pk).stato == "accordo"
    assert VersionePiano.objects.filter(piano=piano).count() == 2

    # 12. The final PDF act: the changed words in the text, the annex comparing with version 1.
    revisione = revisione_corrente(definitivo)
    assert leggi(revisione).startswith(b"%PDF-")
    html = render_to_string("atti/piano.html", contesto_atto(definitivo))
    assert "Allegato – Differenze rispetto alla versione inviata ai sindacati" in html
    assert "Confronto tra la versione 1, inviata alle organizzazioni sindacali" in html
    assert "Il testo definitivo coincide con la versione inviata ai sindacati." not in html
    allegato = html[html.index("Allegato – Differenze rispetto alla versione inviata ai sindacati"):]
    assert re.search(r"<ins>(?:(?!</ins>).)*tredici", allegato, re.S)
    assert "Entro il 2026 sarà esteso a tutti i tredici Comuni." in html
    assert "12.500,00 €" in html and "Persone accompagnate al rientro a casa" in html

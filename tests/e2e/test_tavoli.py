"""User story: the Ufficio di Piano sets up two tavoli; a Terzo Settore body asks to join one
and the coordinator admits it; a focus-group meets and the Terzo Settore member records a
need; the coordinator approves the minutes; the knowledge base shows the need; the plan
moves to the draft."""

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accordi.models import Documento, PianoDiZona
from ambiti.models import Ente, Incarico
from tavoli import services_sedute_tavolo, services_verbali
from tavoli.models import Bisogno, SedutaTavolo, Tavolo, VerbaleTavolo

from ..factories import AmbitoFactory, ComuneFactory, crea_piano, utente_con_ruolo
from .conftest import accedi

R = Incarico.Ruolo
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def campo(dove, etichetta):
    """A form field by its label, required (« *») or not."""
    return dove.get_by_label(re.compile(rf"^{re.escape(etichetta)}( \*)?$"))


def spunta(dove, etichetta):
    """Tick a checkbox as a user does: Bootstrap Italia draws the box on the label."""
    dove.locator("label", has_text=re.compile(rf"^{re.escape(etichetta)}")).click()
    expect(dove.get_by_label(re.compile(rf"^{re.escape(etichetta)}"))).to_be_checked()


def _tiene_seduta_con_verbale(tavolo, coordinatore):
    """The second tavolo met too (its own story is the first one's): a session held two days
    ago, with its register and approved minutes, through the same services."""
    seduta = services_sedute_tavolo.seduta_crea(
        tavolo=tavolo, utente=coordinatore, luogo="Sala consiliare", ordine_del_giorno="Avvio dei lavori",
        data=timezone.now() - datetime.timedelta(days=2))
    services_sedute_tavolo.presenze_registra(seduta=seduta, utente=coordinatore, membri=list(tavolo.membri.all()),
                                             ospiti=[])
    verbale = services_verbali.verbale_garantisci(seduta=seduta, utente=coordinatore)
    services_verbali.verbale_approva(verbale=verbale, utente=coordinatore, modalita="coordinatore")


@pytest.mark.django_db(transaction=True)
def test_dai_tavoli_alla_bozza(nuova_sessione, screenshot, pki_attiva):
    ambito = AmbitoFactory(nome="Ambito distrettuale di Pavia")
    ambito.comuni.add(ComuneFactory(denominazione="Pavia"), ComuneFactory(denominazione="Cava Manara"))
    piano = crea_piano(ambito, stato="istruttoria", titolo="Piano di Zona 2025-2027 – Pavia")
    utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp", first_name="Giulia", last_name="Ferrari")
    coordinatrice = utente_con_ruolo(R.OPERATORE_UDP, ambito, username="coordinatrice", first_name="Marta",
                                     last_name="Colombo")
    ets = utente_con_ruolo(R.REFERENTE_TERZO_SETTORE, ambito, username="ets", first_name="Chiara",
                           last_name="Moretti")
    coop = Ente.objects.get(incarichi__utente=ets)
    coop.denominazione = "Cooperativa sociale Il Ponte"
    coop.save(update_fields=["denominazione"])

    # 1. The Ufficio di Piano sets up two tavoli from the plan page.
    udp = nuova_sessione()
    accedi(udp, "udp")
    udp.goto(f"/piani/{piano.pk}/")
    for area in ("Anziani", "Disabilità"):
        udp.get_by_role("link", name="Nuovo tavolo").first.click()
        campo(udp, "Area di intervento").select_option(label=area)
        campo(udp, "Coordinatore").select_option(label="Marta Colombo (coordinatrice)")
        campo(udp, "Mandato").fill(f"Ricostruire bisogni e offerta dell'area {area.lower()}.")
        udp.get_by_role("button", name="Costituisci il tavolo").click()
        expect(udp.get_by_role("heading", level=1)).to_contain_text(area)
        udp.goto(f"/piani/{piano.pk}/")
    anziani = Tavolo.objects.get(piano=piano, area__codice="anziani")
    disabilita = Tavolo.objects.get(piano=piano, area__codice="disabilita")
    udp.goto(f"/piani/{piano.pk}/tavoli/")
    expect(udp.get_by_test_id("tavoli")).to_contain_text("Tavolo Anziani")
    expect(udp.get_by_test_id("tavoli")).to_contain_text("Tavolo Disabilità")
    screenshot(udp, "01-tavoli-del-piano")

    # 2. The Terzo Settore body asks to join the tavolo Anziani, stating what it brings.
    terzo = nuova_sessione()
    accedi(terzo, "ets")
    terzo.goto(f"/piani/{piano.pk}/tavoli/")
    terzo.get_by_role("link", name="Chiedi di partecipare – Tavolo Anziani").click()
    campo(terzo, "Che cosa porta l'ente al tavolo").fill(
        "Gestiamo il servizio di assistenza domiciliare in sei Comuni.")
    terzo.locator("#adesione").get_by_role("button").click()
    expect(terzo.get_by_role("alert").first).to_contain_text("Richiesta")
    screenshot(terzo, "02-richiesta")

    # 3. The coordinator admits it, sets up a focus-group, records the session it held.
    coord = nuova_sessione()
    accedi(coord, "coordinatrice")
    expect(coord.get_by_text("Richieste di partecipazione da decidere")).to_be_visible()
    screenshot(coord, "03-scrivania-coordinatrice")
    coord.goto(f"/tavoli/{anziani.pk}/")
    coord.get_by_role("button", name="Ammetti Chiara Moretti").click()
    expect(coord.get_by_test_id("componenti")).to_contain_text("Cooperativa sociale Il Ponte")
    coord.get_by_role("link", name="Nuovo focus-group").click()
    campo(coord, "Nome del focus-group").fill("Domiciliarità")
    spunta(coord, "Chiara Moretti")
    coord.get_by_role("button", name="Costituisci il focus-group").click()
    expect(coord.get_by_role("heading", level=1)).to_contain_text("Domiciliarità")

    coord.goto(f"/tavoli/{anziani.pk}/sedute/nuova/")
    ieri = timezone.localtime() - datetime.timedelta(days=1)
    campo(coord, "Data e ora").fill(ieri.strftime("%Y-%m-%dT15:00"))
    campo(coord, "Luogo").fill("Sala riunioni del Comune di Pavia")
    campo(coord, "Ordine del giorno").fill("Bisogni degli anziani soli\nOfferta di assistenza domiciliare")
    campo(coord, "Seduta del focus-group").select_option(label="Domiciliarità")
    coord.get_by_role("button", name="Prepara la seduta").click()
    expect(coord.get_by_test_id("stato-seduta")).to_contain_text("In preparazione")
    seduta = SedutaTavolo.objects.get(tavolo=anziani)
    spunta(coord, "Chiara Moretti")
    coord.get_by_role("button", name="Salva il registro delle presenze").click()
    expect(coord.get_by_test_id("stato-seduta")).to_contain_text("Svolta")
    expect(coord.get_by_label(re.compile(r"^Chiara Moretti"))).to_be_checked()
    screenshot(coord, "04-seduta-svolta")

    # 4. The Terzo Settore member records a need in the session.
    terzo.goto(f"/sedute-tavolo/{seduta.pk}/")
    expect(terzo.get_by_test_id("presenze")).to_contain_text("Chiara Moretti – Cooperativa sociale Il Ponte")
    aggiungi = terzo.get_by_test_id("aggiungi-bisogno")
    aggiungi.locator("summary").click()
    campo(aggiungi, "Destinatari").fill("Anziani soli non autosufficienti")
    campo(aggiungi, "Descrizione del bisogno").fill(
        "Dimissioni ospedaliere senza rete familiare: il rientro a casa non è accompagnato.")
    campo(aggiungi, "Evidenza o fonte").fill("40 segnalazioni dei servizi sociali nel 2025.")
    campo(aggiungi, "Priorità").select_option(label="Alta")
    spunta(aggiungi, "Pavia")
    aggiungi.get_by_role("button", name="Aggiungi un bisogno").click()
    expect(terzo.get_by_test_id("bisogni")).to_contain_text("Anziani soli non autosufficienti")
    expect(terzo.get_by_test_id("bisogni")).to_contain_text("Cooperativa sociale Il Ponte")
    screenshot(terzo, "05-seduta-con-bisogno")
    assert Bisogno.objects.get().ente == coop

    # 5. The coordinator writes and approves the minutes; the PDF act is issued.
    coord.goto(f"/sedute-tavolo/{seduta.pk}/verbale/")
    editor = coord.get_by_test_id("editor-verbale")
    campo(editor, "Bisogni degli anziani soli").fill("Il rientro a casa dopo il ricovero è il nodo principale.")
    campo(editor, "Offerta di assistenza domiciliare").fill("Il SAD copre sei Comuni su tredici.")
    campo(editor, "Decisioni e indicazioni emerse").fill("Proporre un percorso di dimissioni protette.")
    coord.get_by_role("button", name="Salva e approva il verbale").click()
    expect(coord.get_by_test_id("stato-verbale")).to_contain_text("Approvato")
    expect(coord.get_by_test_id("approvazione")).to_contain_text("Marta Colombo")
    screenshot(coord, "06-verbale-approvato")
    verbale = VerbaleTavolo.objects.get(seduta=seduta)
    assert verbale.documento.tipo == Documento.Tipo.VERBALE_TAVOLO

    # The draft still waits for the other tavolo: the plan page says which.
    udp.goto(f"/piani/{piano.pk}/")
    expect(udp.get_by_test_id("azione-avvia_stesura")).to_contain_text("Tavolo Disabilità")
    _tiene_seduta_con_verbale(disabilita, coordinatrice)

    # 6. The knowledge base shows the need, traceable to its session and body.
    udp.goto(f"/piani/{piano.pk}/conoscenza/")
    expect(udp.get_by_text("Anziani soli non autosufficienti")).to_be_visible()
    voce = udp.locator(f"#bisogno-{Bisogno.objects.get().pk}")
    expect(voce).to_contain_text("Cooperativa sociale Il Ponte")
    expect(voce).to_contain_text("Tavolo Anziani")
    screenshot(udp, "07-analisi-bisogni")

    # 7. Every tavolo has approved minutes: the plan moves to the draft.
    udp.goto(f"/piani/{piano.pk}/")
    azione = udp.get_by_test_id("azione-avvia_stesura")
    expect(azione).not_to_contain_text("Ancora necessario")
    azione.get_by_role("button").click()
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Stesura della bozza")
    screenshot(udp, "08-piano-in-bozza")
    assert PianoDiZona.objects.get(pk=piano.pk).stato == "bozza"

    # Another ambito's user sees nothing of the tavolo.
    altro = AmbitoFactory(nome="Ambito di Certosa", asl=ambito.asl)
    utente_con_ruolo(R.RESPONSABILE_UDP, altro, username="udp-certosa")
    estraneo = nuova_sessione()
    accedi(estraneo, "udp-certosa")
    risposta = estraneo.goto(f"/tavoli/{anziani.pk}/")
    assert risposta.status == 403
    assert "Anziani soli" not in estraneo.goto(f"/sedute-tavolo/{seduta.pk}/").text()

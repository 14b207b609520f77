"""User story: the Ufficio di Piano opens its plan, sees only the transitions its role may
make (with what each still needs), makes one, and sees it in the timeline."""

import os

import pytest
from playwright.sync_api import expect

from accordi.models import PianoDiZona
from ambiti.models import Incarico

from ..factories import AmbitoFactory, CicloFactory, crea_piano, utente_con_ruolo
from .conftest import accedi

R = Incarico.Ruolo
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.django_db(transaction=True)
def test_udp_rinvia_alla_stesura_e_vede_la_cronologia(nuova_sessione, screenshot):
    ambito = AmbitoFactory(nome="Ambito distrettuale di Pavia")
    altro = AmbitoFactory(nome="Ambito di Certosa", asl=ambito.asl)
    ciclo = CicloFactory()
    piano = crea_piano(ambito, stato="parere_sindacati", ciclo=ciclo, titolo="Piano di Zona 2025-2027 – Pavia")
    crea_piano(altro, ciclo=ciclo, titolo="Piano di Certosa")
    utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp", first_name="Giulia")
    utente_con_ruolo(R.SINDACO, ambito, username="sindaco")

    pagina = nuova_sessione()
    accedi(pagina, "udp")
    expect(pagina.get_by_test_id("utente-corrente")).to_contain_text("Responsabile dell'Ufficio di Piano")
    expect(pagina.get_by_role("heading", name="Da fare")).to_be_visible()
    screenshot(pagina, "01-scrivania")

    pagina.get_by_role("link", name="Piano di Zona 2025-2027 – Pavia").first.click()
    expect(pagina.get_by_test_id("stato-piano")).to_contain_text("Parere dei sindacati")
    # only the Ufficio di Piano's transitions from this state
    expect(pagina.get_by_test_id("azione-chiudi_consultazione")).to_be_visible()
    expect(pagina.get_by_test_id("azione-chiudi_consultazione")).to_contain_text("Ancora necessario")
    expect(pagina.get_by_test_id("azione-rinvia_alla_stesura")).to_be_visible()
    expect(pagina.get_by_test_id("azione-annulla")).to_have_count(0)
    expect(pagina.get_by_test_id("azione-licenzia")).to_have_count(0)
    screenshot(pagina, "02-piano")

    # the note is required: the browser refuses an empty one, the server too
    azione = pagina.get_by_test_id("azione-rinvia_alla_stesura")
    azione.get_by_label("Osservazioni che motivano il rinvio").fill(
        "La CGIL chiede di rafforzare l'assistenza domiciliare agli anziani."
    )
    azione.get_by_role("button", name="Rinvia alla stesura").click()
    expect(pagina.get_by_role("alert")).to_contain_text("Stesura della bozza")
    expect(pagina.get_by_test_id("stato-piano")).to_contain_text("Stesura della bozza")
    expect(pagina.get_by_test_id("timeline")).to_contain_text("Parere dei sindacati → Stesura della bozza")
    expect(pagina.get_by_test_id("timeline")).to_contain_text("assistenza domiciliare agli anziani")
    screenshot(pagina, "03-cronologia")
    assert PianoDiZona.objects.get(pk=piano.pk).stato == "bozza"

    # the plan of another ambito does not exist for this user
    pagina.goto(f"/piani/{PianoDiZona.objects.get(titolo='Piano di Certosa').pk}/")
    expect(pagina.get_by_role("heading", name="Pagina non trovata")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_il_sindaco_non_vede_transizioni(nuova_sessione):
    ambito = AmbitoFactory()
    piano = crea_piano(ambito, stato="avvio", ciclo=CicloFactory(), titolo="Piano del sindaco")
    utente_con_ruolo(R.SINDACO, ambito, username="sindaco")
    pagina = nuova_sessione()
    accedi(pagina, "sindaco")
    pagina.goto(f"/piani/{piano.pk}/")
    expect(pagina.get_by_text("In questo stato non ci sono passaggi che spettano al tuo ruolo.")).to_be_visible()

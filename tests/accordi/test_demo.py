"""The demo data load is idempotent and gives every role of ITER.md a user."""

import pytest
from django.core.management import call_command

from accordi.models import PianoDiZona, TransizionePiano
from ambiti.models import Incarico, Utente
from tavoli.models import Bisogno, EventoTavolo, SedutaTavolo, Tavolo, VerbaleTavolo


@pytest.mark.django_db
def test_demo_idempotente_con_tutti_i_ruoli(capsys):
    call_command("demo")
    conteggi = (Utente.objects.count(), Incarico.objects.count(), PianoDiZona.objects.count(),
                TransizionePiano.objects.count(), Tavolo.objects.count(), EventoTavolo.objects.count())
    call_command("demo")
    assert (Utente.objects.count(), Incarico.objects.count(), PianoDiZona.objects.count(),
            TransizionePiano.objects.count(), Tavolo.objects.count(), EventoTavolo.objects.count()) == conteggi
    assert set(Incarico.objects.values_list("ruolo", flat=True)) == set(Incarico.Ruolo.values)
    assert set(PianoDiZona.objects.values_list("stato", flat=True)) == {"avvio"}
    uscita = capsys.readouterr().out
    assert "PianoZona-demo-2026" in uscita and "udp.pavia" in uscita
    assert Utente.objects.get(username="udp.pavia").check_password("PianoZona-demo-2026")


@pytest.mark.django_db
def test_demo_tavoli_one_focus_group_met_and_approved_its_minutes():
    call_command("demo")
    assert sorted(Tavolo.objects.values_list("area__codice", flat=True)) == ["anziani", "minori-famiglia"]
    verbale = VerbaleTavolo.objects.get()
    assert verbale.stato == VerbaleTavolo.Stato.APPROVATO and verbale.documento is not None
    assert verbale.seduta.focus_group.nome == "Domiciliarità"
    assert Bisogno.objects.filter(seduta=verbale.seduta).count() == 2
    assert SedutaTavolo.objects.filter(stato=SedutaTavolo.Stato.CONVOCATA).count() == 1


@pytest.mark.django_db
def test_demo_acts_are_issued_with_the_development_seal(pki_attiva, django_capture_on_commit_callbacks):
    """``make demo`` creates the development PKI first: the demo's approved minutes become a
    sealed PDF act, not an error."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo")
    assert VerbaleTavolo.objects.get().documento.stato == "pronto"

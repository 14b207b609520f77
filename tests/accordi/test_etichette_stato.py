"""The labels of the iter's states come from a table per language instead of Django's
``get_FOO_display`` (which translates every choice at each call): same text, in every
language, for the plan and for both ends of a transition."""

import pytest
from django.db.models import Model
from django.utils import translation

from accordi.models import PianoDiZona
from accordi.models.piano import Stato, TransizionePiano, etichetta_stato


def _di_django(oggetto, campo: str) -> str:
    return Model._get_FIELD_display(oggetto, type(oggetto)._meta.get_field(campo))


@pytest.mark.parametrize("lingua", ["it", "en"])
def test_le_etichette_sono_quelle_di_django_in_ogni_lingua(lingua):
    with translation.override(lingua):
        for stato in Stato:
            piano = PianoDiZona(stato=stato)
            passo = TransizionePiano(da_stato=stato, a_stato=Stato.ANNULLATO)
            assert piano.get_stato_display() == _di_django(piano, "stato")
            assert passo.get_da_stato_display() == _di_django(passo, "da_stato")
            assert passo.get_a_stato_display() == _di_django(passo, "a_stato")


def test_la_lingua_attiva_sceglie_la_tabella():
    with translation.override("it"):
        assert etichetta_stato(Stato.INTESA_ASL) == "Intesa ASL"
        assert etichetta_stato(Stato.VIGENTE) == "Vigente"
    with translation.override("en"):
        assert etichetta_stato(Stato.VIGENTE) == "In force"
    with translation.override("it"):
        assert etichetta_stato(Stato.VIGENTE) == "Vigente"


def test_un_valore_sconosciuto_resta_com_e():
    assert etichetta_stato("inesistente") == "inesistente"
    assert PianoDiZona(stato="").get_stato_display() == ""

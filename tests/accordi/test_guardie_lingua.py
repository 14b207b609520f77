"""A guard's requirement is read in the user's language: the texts are translated when shown,
not once when the module is imported."""

from django.utils import translation

from accordi import guardie
from accordi.guardie import ACCORDO_COMPLETO

from ..factories import AmbitoFactory, crea_piano


def test_a_missing_capability_is_explained_in_the_users_language(db, monkeypatch):
    # Every capability is installed now: take one away to read the fail-closed explanation.
    monkeypatch.delitem(guardie._REGISTRO, "accordo_completo")
    piano = crea_piano(AmbitoFactory())
    with translation.override("en"):
        inglese = ACCORDO_COMPLETO(piano)
    with translation.override("it"):
        italiano = ACCORDO_COMPLETO(piano)
    assert italiano[0].startswith("L'Accordo deve essere completo")
    assert inglese[0] != italiano[0] and "Accordo deve" not in inglese[0]

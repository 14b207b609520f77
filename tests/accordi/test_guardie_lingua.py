"""A guard's requirement is read in the user's language: the texts are translated when shown,
not once when the module is imported."""

from django.utils import translation

from accordi.guardie import BOZZA_CONGELATA

from ..factories import AmbitoFactory, crea_piano


def test_a_missing_capability_is_explained_in_the_users_language(db):
    piano = crea_piano(AmbitoFactory())
    with translation.override("en"):
        inglese = BOZZA_CONGELATA(piano)
    with translation.override("it"):
        italiano = BOZZA_CONGELATA(piano)
    assert italiano[0].startswith("Deve esistere una versione congelata della bozza")
    assert inglese[0] != italiano[0] and "bozza" not in inglese[0]

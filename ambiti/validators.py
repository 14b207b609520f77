"""Identifier validators (python-stdnum) with Italian messages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.it import codicefiscale, iva


def codice_fiscale_persona(value: str) -> None:
    if value and not (len(value) == 16 and codicefiscale.is_valid(value)):
        raise ValidationError(_("Codice fiscale della persona non valido: «%(v)s».") % {"v": value})


def codice_fiscale_ente(value: str) -> None:
    """Bodies have an 11-digit numeric codice fiscale (a few have a personal-style one)."""
    if value and not codicefiscale.is_valid(value) and not iva.is_valid(value):
        raise ValidationError(_("Codice fiscale dell'ente non valido: «%(v)s».") % {"v": value})


def partita_iva(value: str) -> None:
    if value and not iva.is_valid(value):
        raise ValidationError(_("Partita IVA non valida: «%(v)s».") % {"v": value})

"""The errors of the iter services live in ``ambiti.exceptions`` (shared with ``tavoli``)."""

from ambiti.exceptions import (  # noqa: F401
    DatiNonValidi,
    GuardieNonSoddisfatte,
    IterError,
    PermessoNegato,
    PianoCambiato,
    TransizioneNonAmmessa,
)

"""Shared fixtures: two ambiti of the same ASL, a user for every role in the first, the
Ufficio di Piano of the second, a regional officer, and a plan per ambito."""

from dataclasses import dataclass

import pytest

from accordi.models import PianoDiZona
from ambiti.models import Ambito, Incarico, Utente

from .factories import AmbitoFactory, CicloFactory, RegioneFactory, crea_piano, utente_con_ruolo

R = Incarico.Ruolo


@dataclass
class Mondo:
    ambito: Ambito
    altro_ambito: Ambito
    piano: PianoDiZona
    piano_altro: PianoDiZona
    utenti: dict[str, Utente]
    udp_altro: Utente
    presidente_altro: Utente
    regionale: Utente

    def __getitem__(self, ruolo) -> Utente:
        return self.utenti[ruolo]


@pytest.fixture
def mondo(db) -> Mondo:
    ambito = AmbitoFactory(nome="Ambito di Pavia")
    altro = AmbitoFactory(nome="Ambito di Certosa", asl=ambito.asl)
    utenti = {ruolo: utente_con_ruolo(ruolo, ambito, username=f"u-{ruolo}")
              for ruolo in R.values if ruolo != R.OPERATORE_REGIONALE}
    ciclo = CicloFactory()
    return Mondo(
        ambito=ambito,
        altro_ambito=altro,
        piano=crea_piano(ambito, ciclo=ciclo, titolo="Piano di Pavia"),
        piano_altro=crea_piano(altro, ciclo=ciclo, titolo="Piano di Certosa"),
        utenti=utenti,
        udp_altro=utente_con_ruolo(R.RESPONSABILE_UDP, altro, username="udp-altro"),
        presidente_altro=utente_con_ruolo(R.PRESIDENTE_ASSEMBLEA, altro, username="pres-altro"),
        regionale=utente_con_ruolo(R.OPERATORE_REGIONALE, regione=RegioneFactory(), username="regionale"),
    )


# The test PKI (tests/pki.py) serves every app that issues or signs documents.
from .pki import pki_attiva, pki_prova  # noqa: E402, F401


@pytest.fixture(autouse=True)
def _contatori_azzerati():
    """The rate limits of the public forms count in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield

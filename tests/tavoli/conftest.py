"""An Assemblea of three Comuni of very different size: Pavia (71,000 inhabitants) and two
small Comuni (4,000 and 3,000), their mayors, the Presidente and the Ufficio di Piano."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from ambiti.models import Ambito, Incarico, Utente
from tavoli import services
from tavoli.models import Assemblea, Seduta
from tavoli.services_assemblea import assemblea_garantisci

from ..factories import AmbitoFactory, ComuneFactory, crea_piano, sindaco_di, utente_con_ruolo

R = Incarico.Ruolo


@dataclass
class Consesso:
    ambito: Ambito
    assemblea: Assemblea
    comuni: list
    sindaci: list[Utente]
    presidente: Utente
    udp: Utente
    piano: object

    def seduta_aperta(self, presenti=None, **punto) -> tuple[Seduta, object]:
        """A convened and opened session with one agenda item; ``presenti`` Comuni (default all)
        marked present by the secretariat."""
        seduta = services.seduta_crea(assemblea=self.assemblea, utente=self.udp,
                                      data=timezone.now() + datetime.timedelta(days=7), luogo="Sala consiliare")
        valori = {"oggetto": "Atto di indirizzo 2025-2027", "tipo": "atto_indirizzo", "piano": self.piano,
                  "priorita": [("Non autosufficienza", "Potenziare l'assistenza domiciliare")]}
        valori.update(punto)
        p = services.punto_aggiungi(seduta=seduta, utente=self.udp, **valori)
        services.seduta_convoca(seduta=seduta, utente=self.presidente)
        for comune in (self.comuni if presenti is None else presenti):
            services.presenza_registra(seduta=seduta, comune_id=comune.pk, utente=self.udp, presenza="presente")
        services.seduta_apri(seduta=seduta, utente=self.presidente)
        seduta.refresh_from_db()
        return seduta, p


@pytest.fixture
def consesso(db) -> Consesso:
    comuni = [
        ComuneFactory(denominazione="Pavia", popolazione=71_000),
        ComuneFactory(denominazione="Borgarello", popolazione=4_000),
        ComuneFactory(denominazione="Cava Manara", popolazione=3_000),
    ]
    ambito = AmbitoFactory(nome="Ambito di Pavia", comuni=comuni)
    sindaci = [sindaco_di(c, ambito, username=f"sindaco-{c.denominazione.lower().replace(' ', '')}") for c in comuni]
    return Consesso(
        ambito=ambito, assemblea=assemblea_garantisci(ambito), comuni=comuni, sindaci=sindaci,
        presidente=utente_con_ruolo(R.PRESIDENTE_ASSEMBLEA, ambito, username="presidente"),
        udp=utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp"),
        piano=crea_piano(ambito, titolo="Piano di Zona di Pavia"),
    )

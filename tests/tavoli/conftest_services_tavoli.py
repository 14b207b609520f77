"""The scene of the tavoli services' tests: the Pavia plan's tavolo on the elderly, set up by
the Ufficio di Piano, with its coordinator and a Terzo Settore referente who joined for their
body; helpers that go through the services (sessions created, held, new members), so that
each test reads as the story it specifies."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from ambiti.models import Ente, Incarico, Utente
from tavoli import services_membri_tavolo as sm
from tavoli import services_sedute_tavolo as sst
from tavoli import services_tavoli as st
from tavoli.models import AreaIntervento, EventoTavolo, MembroTavolo, SedutaTavolo, Tavolo

from ..conftest import Mondo
from ..factories import UtenteFactory

R = Incarico.Ruolo
A = EventoTavolo.Azione
ORDINE = "Comunicazioni\nBisogni degli anziani soli\nVarie"


@dataclass
class Scena:
    mondo: Mondo
    tavolo: Tavolo
    area: AreaIntervento
    udp: Utente
    coordinatore: Utente
    referente: Utente
    membro: MembroTavolo

    def seduta(self, *, utente=None, giorni=3, **campi) -> SedutaTavolo:
        valori = {"data": timezone.now() + datetime.timedelta(days=giorni), "ordine_del_giorno": ORDINE,
                  "luogo": "Sala Giunta"}
        valori.update(campi)
        return sst.seduta_crea(tavolo=self.tavolo, utente=utente or self.coordinatore, **valori)

    def svolta(self, *, giorni_fa=1, membri=None, **campi) -> SedutaTavolo:
        seduta = self.seduta(**campi)
        arriva(seduta, giorni_fa)
        sst.presenze_registra(seduta=seduta, utente=self.coordinatore, membri=membri or [self.membro], ospiti=[])
        seduta.refresh_from_db()
        return seduta

    def aggiungi_membro(self, **campi) -> MembroTavolo:
        persona = UtenteFactory(**campi)
        membro = sm.membro_invita(tavolo=self.tavolo, invitato=persona, ente=None, utente=self.coordinatore)
        return sm.invito_rispondi(membro=membro, utente=persona, accetta=True)


def arriva(seduta: SedutaTavolo, giorni_fa: int = 1) -> None:
    """The session's time comes: its date moves into the past (the services refuse past dates,
    so tests move the clock of the session instead of the world's)."""
    SedutaTavolo.objects.filter(pk=seduta.pk).update(data=timezone.now() - datetime.timedelta(days=giorni_fa))
    seduta.refresh_from_db()


def ente_di(persona) -> Ente:
    return persona.incarichi.get().ente


@pytest.fixture
def scena(mondo) -> Scena:
    udp = mondo[R.RESPONSABILE_UDP]
    coordinatore = UtenteFactory(username="coordinatrice", first_name="Carla", last_name="Neri")
    area = st.aree_della_regione(mondo.ambito.asl.regione)[0]
    tavolo = st.tavolo_crea(piano=mondo.piano, area=area, coordinatore=coordinatore, utente=udp,
                            mandato="Mappa dei bisogni degli anziani soli entro marzo.")
    referente = mondo[R.REFERENTE_TERZO_SETTORE]
    membro = sm.membro_invita(tavolo=tavolo, invitato=referente, ente=ente_di(referente), utente=coordinatore)
    membro = sm.invito_rispondi(membro=membro, utente=referente, accetta=True)
    return Scena(mondo=mondo, tavolo=tavolo, area=area, udp=udp, coordinatore=coordinatore, referente=referente,
                 membro=membro)

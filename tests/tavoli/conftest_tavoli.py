"""A tavolo of the Pavia plan for the page tests: the Ufficio di Piano, a coordinator, a
member for a body, a Terzo Settore referente who is not yet a member, a mayor who only reads,
and helpers that build sessions, minutes and contributions directly (states set as data, so
that each test starts where its behaviour begins)."""

import datetime
import itertools
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from ambiti.models import Ente, Incarico, Utente
from tavoli.models import (
    AreaIntervento,
    Bisogno,
    MembroTavolo,
    SedutaTavolo,
    Tavolo,
    TipoUnitaOfferta,
    UnitaOfferta,
    VerbaleTavolo,
)

from ..factories import EnteFactory, utente_con_ruolo

R = Incarico.Ruolo
_n = itertools.count(1)


@dataclass
class Scena:
    mondo: object
    piano: object
    tavolo: Tavolo
    area: AreaIntervento
    altra_area: AreaIntervento
    udp: Utente
    coordinatore: Utente
    membro: Utente
    riga_membro: MembroTavolo
    ente_membro: Ente
    referente_ts: Utente
    sindaco: Utente
    estraneo: Utente

    def aggiungi_membri(self, quanti: int) -> list[MembroTavolo]:
        """``quanti`` more active members, each with a role in the ambito and a body."""
        righe = []
        for _ in range(quanti):
            i = next(_n)
            persona = utente_con_ruolo(R.COMPONENTE_TAVOLO, self.mondo.ambito, username=f"comp-{i}",
                                       first_name="Persona", last_name=f"Componente{i}")
            ente = EnteFactory(denominazione=f"Associazione {i}")
            righe.append(MembroTavolo.objects.create(tavolo=self.tavolo, utente=persona, ente=ente,
                                                     stato=MembroTavolo.Stato.ATTIVO, proposto_da=self.udp))
        return righe

    def seduta(self, stato=SedutaTavolo.Stato.SVOLTA, giorni=-1, **campi) -> SedutaTavolo:
        """A session ``giorni`` days from now (negative: already started) in ``stato``."""
        numero = (SedutaTavolo.objects.filter(tavolo=self.tavolo).count() or 0) + 1
        valori = {"luogo": "Sala del Consiglio, Pavia", "ordine_del_giorno": "Bisogni degli anziani soli\nVarie",
                  "data": timezone.now() + datetime.timedelta(days=giorni)}
        valori.update(campi)
        return SedutaTavolo.objects.create(tavolo=self.tavolo, numero=numero, stato=stato, creata_da=self.udp,
                                           **valori)

    def verbale(self, seduta: SedutaTavolo, stato=VerbaleTavolo.Stato.BOZZA, **campi) -> VerbaleTavolo:
        return VerbaleTavolo.objects.create(
            seduta=seduta, stato=stato, redatto_da=self.coordinatore,
            discussione=[{"punto": p, "testo": ""} for p in seduta.punti], **campi)

    def bisogni(self, seduta: SedutaTavolo, quanti: int) -> list[Bisogno]:
        comuni = list(self.mondo.ambito.comuni.all())
        righe = []
        for i in range(quanti):
            b = Bisogno.objects.create(seduta=seduta, area=self.area, ente=self.ente_membro,
                                       registrato_da=self.membro, destinatari=f"Anziani soli {i}",
                                       descrizione=f"Solitudine e isolamento {i}")
            b.comuni.set(comuni[:2])
            righe.append(b)
        return righe

    def offerte(self, seduta: SedutaTavolo, quanti: int) -> list[UnitaOfferta]:
        tipo = TipoUnitaOfferta.objects.filter(regione__isnull=True, attivo=True).first()
        comune = self.mondo.ambito.comuni.first()
        return [UnitaOfferta.objects.create(seduta=seduta, area=self.area, ente=self.ente_membro, tipo=tipo,
                                            registrato_da=self.membro, denominazione=f"Centro diurno {i}",
                                            comune=comune, capacita=20) for i in range(quanti)]


@pytest.fixture
def scena(mondo) -> Scena:
    regione = mondo.ambito.asl.regione
    area = AreaIntervento.objects.create(regione=regione, codice="anziani", nome="Anziani", ordine=1)
    altra = AreaIntervento.objects.create(regione=regione, codice="disabilita", nome="Disabilità", ordine=2)
    udp = mondo[R.RESPONSABILE_UDP]
    coordinatore = utente_con_ruolo(R.COMPONENTE_TAVOLO, mondo.ambito, username="coordinatrice",
                                    first_name="Carla", last_name="Coordi")
    membro = mondo[R.COMPONENTE_TAVOLO]
    membro.first_name, membro.last_name = "Marco", "Membri"
    membro.save()
    ente = EnteFactory(denominazione="Cooperativa Il Ponte", tipo=Ente.Tipo.ALTRO)
    tavolo = Tavolo.objects.create(piano=mondo.piano, area=area, nome="Tavolo anziani",
                                   mandato="Mappare i bisogni degli anziani soli entro marzo.",
                                   coordinatore=coordinatore, creato_da=udp)
    MembroTavolo.objects.create(tavolo=tavolo, utente=coordinatore, stato=MembroTavolo.Stato.ATTIVO,
                                proposto_da=udp)
    riga = MembroTavolo.objects.create(tavolo=tavolo, utente=membro, ente=ente, stato=MembroTavolo.Stato.ATTIVO,
                                       proposto_da=udp)
    referente = mondo[R.REFERENTE_TERZO_SETTORE]
    referente.first_name, referente.last_name = "Teresa", "Terzi"
    referente.save()
    return Scena(mondo=mondo, piano=mondo.piano, tavolo=tavolo, area=area, altra_area=altra, udp=udp,
                 coordinatore=coordinatore, membro=membro, riga_membro=riga, ente_membro=ente,
                 referente_ts=referente, sindaco=mondo[R.SINDACO], estraneo=mondo.udp_altro)


# --- reading the HTML for accessibility checks -----------------------------------------------

class Controlli(HTMLParser):
    """Collects form controls, labels and buttons (with their text, hidden text included)."""

    def __init__(self):
        super().__init__()
        self.controlli: list[dict] = []
        self.etichette: set[str] = set()
        self.bottoni: list[str] = []
        self._bottone: list[str] | None = None
        self._dentro_label = 0
        self._dentro_template = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._dentro_template += 1
        if self._dentro_template:
            return
        if tag == "label":
            self._dentro_label += 1
            if a.get("for"):
                self.etichette.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if a.get("type") not in ("hidden", "submit", "button"):
                self.controlli.append({"tag": tag, "id": a.get("id"), "name": a.get("name"),
                                       "in_label": bool(self._dentro_label), "aria": a.get("aria-label")})
        elif tag == "button":
            self._bottone = [a.get("aria-label") or ""]

    def handle_endtag(self, tag):
        if tag == "template":
            self._dentro_template -= 1
        elif tag == "label":
            self._dentro_label -= 1
        elif tag == "button" and self._bottone is not None:
            self.bottoni.append(" ".join("".join(self._bottone).split()))
            self._bottone = None

    def handle_data(self, data):
        if self._bottone is not None:
            self._bottone.append(data)


def controlli_senza_etichetta(html: str) -> list[dict]:
    p = Controlli()
    p.feed(html)
    return [c for c in p.controlli if not (c["in_label"] or c["aria"] or (c["id"] and c["id"] in p.etichette))]


def nomi_dei_bottoni(html: str) -> list[str]:
    p = Controlli()
    p.feed(html)
    return p.bottoni

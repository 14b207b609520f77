"""iCalendar (RFC 5545) for sessions: the invitation sent with a convocation of the Assemblea
or of a tavolo, and the personal feed a calendar app subscribes to. Written by hand: VEVENTs
escaped and folded as the RFC asks, all built by one function."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from ambiti.models import Ambito, Regione
from ambiti.ruoli import PERMESSI_DI_LETTURA, Permessi

from .models import FeedCalendario, MembroTavolo, Seduta, SedutaTavolo, Tavolo


def _testo(valore: str) -> str:
    return (valore.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _piega(riga: str) -> str:
    """Fold lines longer than 75 octets (RFC 5545 §3.1), never splitting a UTF-8 character."""
    dati = riga.encode("utf-8")
    if len(dati) <= 75:
        return riga
    parti, inizio, limite = [], 0, 75
    while inizio < len(dati):
        fine = min(inizio + limite, len(dati))
        while fine < len(dati) and (dati[fine] & 0xC0) == 0x80:
            fine -= 1
        parti.append(dati[inizio:fine].decode("utf-8"))
        inizio, limite = fine, 74
    return "\r\n ".join(parti)


def _utc(momento: datetime.datetime) -> str:
    return momento.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return settings.PIANOZONA_SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "pianozona"


def _url(nome: str, pk: int) -> str:
    """Absolute address of a page, or "" when the page does not exist."""
    try:
        return settings.PIANOZONA_SITE_URL.rstrip("/") + reverse(nome, args=[pk])
    except NoReverseMatch:
        return ""


def _vevent(*, uid: str, sequenza: int, inizio: datetime.datetime, durata_minuti: int, titolo: str,
            luogo: str, descrizione: str, url: str, stato: str) -> list[str]:
    """The unfolded lines of one VEVENT; ``stato`` is CONFIRMED, TENTATIVE or CANCELLED."""
    righe = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequenza}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(inizio)}",
        f"DTEND:{_utc(inizio + datetime.timedelta(minutes=durata_minuti))}",
        f"SUMMARY:{_testo(titolo)}",
        f"LOCATION:{_testo(luogo)}",
        f"DESCRIPTION:{_testo(descrizione)}",
    ]
    if url:
        righe.append(f"URL:{url}")
    righe += [f"STATUS:{stato}", "END:VEVENT"]
    return righe


def _vcalendar(eventi: Iterable[list[str]], *, prodotto: str, metodo: str, intestazione: Iterable[str] = ()) -> str:
    righe = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//PianoZona//{prodotto}//IT", "CALSCALE:GREGORIAN",
             f"METHOD:{metodo}", *intestazione]
    for evento in eventi:
        righe += evento
    righe.append("END:VCALENDAR")
    return "\r\n".join(_piega(r) for r in righe) + "\r\n"


def _stato(annullata: bool, provvisoria: bool = False) -> str:
    return "CANCELLED" if annullata else "TENTATIVE" if provvisoria else "CONFIRMED"


def _evento_assemblea(seduta, *, annullata: bool, sequenza: int, provvisoria: bool = False) -> list[str]:
    url = _url("tavoli:seduta", seduta.pk)
    ordine = "\n".join(f"{p.numero}. {p.oggetto}" for p in seduta.punti.all())
    descrizione = f"Ordine del giorno:\n{ordine}\n\nPagina della seduta: {url}"
    if seduta.collegamento:
        descrizione += f"\nCollegamento: {seduta.collegamento}"
    return _vevent(uid=f"seduta-{seduta.pk}@{_host()}", sequenza=sequenza, inizio=seduta.data,
                   durata_minuti=seduta.durata_minuti, titolo=str(seduta.assemblea) + " – " + str(seduta),
                   luogo=seduta.luogo or seduta.collegamento, descrizione=descrizione, url=url,
                   stato=_stato(annullata, provvisoria))


def _evento_tavolo(seduta, *, annullata: bool, sequenza: int, provvisoria: bool = False) -> list[str]:
    url = _url("tavoli:seduta_tavolo", seduta.pk)
    titolo = seduta.tavolo.nome
    if seduta.focus_group_id:
        titolo += " – " + _("focus-group %(nome)s") % {"nome": seduta.focus_group.nome}
    titolo += " – " + str(seduta)
    ordine = "\n".join(f"{n}. {punto}" for n, punto in enumerate(seduta.punti, start=1))
    descrizione = _("Ordine del giorno:") + f"\n{ordine}"
    if url:
        descrizione += "\n\n" + _("Pagina della seduta: %(url)s") % {"url": url}
    if seduta.collegamento:
        descrizione += "\n" + _("Collegamento: %(url)s") % {"url": seduta.collegamento}
    return _vevent(uid=f"seduta-tavolo-{seduta.pk}@{_host()}", sequenza=sequenza, inizio=seduta.data,
                   durata_minuti=seduta.durata_minuti, titolo=titolo, luogo=seduta.luogo or seduta.collegamento,
                   descrizione=descrizione, url=url, stato=_stato(annullata, provvisoria))


def invito_ics(seduta, *, annullata: bool = False, sequenza: int = 0) -> str:
    """The invitation (or cancellation) for a session of the Assemblea dei Sindaci."""
    evento = _evento_assemblea(seduta, annullata=annullata, sequenza=sequenza)
    return _vcalendar([evento], prodotto="Assemblea dei Sindaci", metodo="CANCEL" if annullata else "REQUEST")


def invito_seduta_tavolo_ics(seduta, *, annullata: bool = False, sequenza: int = 0) -> bytes:
    """The invitation (or cancellation) for a session of a tavolo tematico or of one of its
    focus-groups, as UTF-8 bytes ready to attach."""
    evento = _evento_tavolo(seduta, annullata=annullata, sequenza=sequenza)
    return _vcalendar([evento], prodotto="Tavoli tematici", metodo="CANCEL" if annullata else "REQUEST"
                      ).encode("utf-8")


# --- who sees which sessions -----------------------------------------------------------------
#
# Assemblea sessions: whoever reads the ambito (``Permessi.legge``). Tavolo sessions: everyone
# with a general read on the ambito (Ufficio di Piano, Presidente, mayors, ASL) and the
# region's officers see all the tavoli of the ambito's plans; anyone else only the tavoli they
# coordinate or are an active member of.

def _tavoli_propri(utente) -> QuerySet[Tavolo]:
    membri = MembroTavolo.objects.filter(utente=utente, stato=MembroTavolo.Stato.ATTIVO).values("tavolo_id")
    return Tavolo.objects.filter(Q(coordinatore=utente) | Q(pk__in=membri))


def _perimetro(utente):
    """Subqueries of the user's ambiti: read (any role), general read, and regions overseen."""
    lettura = get_objects_for_user(utente, [f"ambiti.{p}" for p in PERMESSI_DI_LETTURA], klass=Ambito,
                                   any_perm=True, accept_global_perms=False).values("pk")
    generale = get_objects_for_user(utente, "ambiti.consulta_ambito", klass=Ambito,
                                    accept_global_perms=False).values("pk")
    regioni = get_objects_for_user(utente, "ambiti.consulta_regione", klass=Regione,
                                   accept_global_perms=False).values("pk")
    return lettura, generale, regioni


def sedute_visibili(utente) -> tuple[QuerySet[Seduta], QuerySet[SedutaTavolo]]:
    """All the sessions ``utente`` may see, Assemblea and tavoli, as two querysets with the
    joins a calendar needs (a constant number of queries whatever their number)."""
    assemblea = Seduta.objects.select_related("assemblea", "assemblea__ambito")
    tavoli = SedutaTavolo.objects.select_related("tavolo", "tavolo__area", "tavolo__piano", "focus_group")
    if not utente.is_authenticated or not utente.is_active:
        return assemblea.none(), tavoli.none()
    if utente.is_superuser:
        return assemblea, tavoli
    lettura, generale, regioni = _perimetro(utente)
    assemblea = assemblea.filter(Q(assemblea__ambito__in=lettura) | Q(assemblea__ambito__asl__regione__in=regioni))
    visibili = Tavolo.objects.filter(
        Q(piano__ambiti__in=generale) | Q(piano__ambiti__asl__regione__in=regioni)
        | Q(pk__in=_tavoli_propri(utente).values("pk"))
    ).values("pk")
    return assemblea, tavoli.filter(tavolo__in=visibili)


def ambiti_del_calendario(utente) -> QuerySet[Ambito]:
    """The ambiti whose calendar ``utente`` may open."""
    if not utente.is_authenticated or not utente.is_active:
        return Ambito.objects.none()
    if utente.is_superuser:
        return Ambito.objects.order_by("nome")
    lettura, _generale, regioni = _perimetro(utente)
    return Ambito.objects.filter(
        Q(pk__in=lettura) | Q(asl__regione__in=regioni) | Q(piani__tavoli__in=_tavoli_propri(utente).values("pk"))
    ).distinct().order_by("nome")


def legge_calendario_ambito(utente, ambito: Ambito) -> bool:
    """Reads the ambito, or coordinates or sits at one of the tavoli of its plans."""
    if not utente.is_authenticated or not utente.is_active:
        return False
    return Permessi(utente).legge([ambito]) or _tavoli_propri(utente).filter(piano__ambiti=ambito).exists()


def sedute_dell_ambito(utente, ambito: Ambito) -> tuple[QuerySet[Seduta], QuerySet[SedutaTavolo]]:
    assemblea, tavoli = sedute_visibili(utente)
    piani = Tavolo._meta.get_field("piano").related_model.objects.filter(ambiti=ambito).values("pk")
    return assemblea.filter(assemblea__ambito=ambito), tavoli.filter(tavolo__piano__in=piani)


@dataclass
class VoceCalendario:
    """One session as a calendar shows it, whatever its kind."""

    tipo: str  # "assemblea" or "tavolo"
    seduta: Seduta | SedutaTavolo
    titolo: str
    organo: str
    inizio: datetime.datetime
    fine: datetime.datetime
    luogo: str
    collegamento: str
    stato: str
    stato_etichetta: str
    url: str

    @property
    def annullata(self) -> bool:
        return self.stato == "annullata"

    @property
    def provvisoria(self) -> bool:
        return self.stato == "bozza"


def voci(sedute_assemblea, sedute_tavolo) -> list[VoceCalendario]:
    """Both kinds of session in one list, in time order."""
    risultato = []
    for s in sedute_assemblea:
        risultato.append(VoceCalendario(
            tipo="assemblea", seduta=s, titolo=str(s), organo=_("Assemblea dei Sindaci – %(a)s") % {
                "a": s.assemblea.ambito.nome},
            inizio=s.data, fine=s.data + datetime.timedelta(minutes=s.durata_minuti), luogo=s.luogo,
            collegamento=s.collegamento, stato=s.stato, stato_etichetta=s.get_stato_display(),
            url=_url_relativo("tavoli:seduta", s.pk)))
    for s in sedute_tavolo:
        organo = s.tavolo.nome
        if s.focus_group_id:
            organo += " – " + _("focus-group %(nome)s") % {"nome": s.focus_group.nome}
        risultato.append(VoceCalendario(
            tipo="tavolo", seduta=s, titolo=str(s), organo=organo,
            inizio=s.data, fine=s.data + datetime.timedelta(minutes=s.durata_minuti), luogo=s.luogo,
            collegamento=s.collegamento, stato=s.stato, stato_etichetta=s.get_stato_display(),
            url=_url_relativo("tavoli:seduta_tavolo", s.pk)))
    return sorted(risultato, key=lambda v: (v.inizio, v.tipo, v.seduta.pk))


def per_mese(elenco: list[VoceCalendario]) -> list[tuple[datetime.date, list[VoceCalendario]]]:
    """Group (already ordered) sessions by month of their local start."""
    mesi: dict[datetime.date, list[VoceCalendario]] = {}
    for v in elenco:
        mesi.setdefault(timezone.localtime(v.inizio).date().replace(day=1), []).append(v)
    return list(mesi.items())


def _url_relativo(nome: str, pk: int) -> str:
    try:
        return reverse(nome, args=[pk])
    except NoReverseMatch:
        return ""


# --- the personal feed -----------------------------------------------------------------------

GIORNI_PASSATI_NEL_FEED = 90


def feed_garantisci(utente) -> FeedCalendario:
    """The user's private feed address, created on first use."""
    feed, _creato = FeedCalendario.objects.get_or_create(utente=utente)
    return feed


def feed_rigenera(utente) -> FeedCalendario:
    """A new secret address; the old one stops working at once."""
    with transaction.atomic():
        feed = FeedCalendario.objects.select_for_update().filter(utente=utente).first()
        if feed is None:
            return FeedCalendario.objects.create(utente=utente)
        feed.token = FeedCalendario._meta.get_field("token").get_default()
        feed.save(update_fields=["token", "creato_il"])
    return feed


def feed_per_token(token: str) -> FeedCalendario | None:
    return (FeedCalendario.objects.select_related("utente").filter(token=token, utente__is_active=True).first()
            if token else None)


def feed_ics(utente) -> bytes:
    """The user's calendar: every session they may see, from 90 days ago onwards; sessions
    in preparation as tentative, cancelled ones as cancelled."""
    dal = timezone.now() - datetime.timedelta(days=GIORNI_PASSATI_NEL_FEED)
    assemblea, tavoli = sedute_visibili(utente)
    eventi = []
    for s in assemblea.filter(data__gte=dal).prefetch_related("punti").order_by("data", "pk"):
        annullata = s.stato == Seduta.Stato.ANNULLATA
        eventi.append(_evento_assemblea(s, annullata=annullata, sequenza=1 if annullata else 0,
                                        provvisoria=s.stato == Seduta.Stato.BOZZA))
    for s in tavoli.filter(data__gte=dal).order_by("data", "pk"):
        annullata = s.stato == SedutaTavolo.Stato.ANNULLATA
        eventi.append(_evento_tavolo(s, annullata=annullata, sequenza=1 if annullata else 0,
                                     provvisoria=s.stato == SedutaTavolo.Stato.BOZZA))
    nome = _("PianoZona – sedute di %(nome)s") % {"nome": utente.get_full_name() or utente.get_username()}
    intestazione = [f"X-WR-CALNAME:{_testo(nome)}", "X-WR-TIMEZONE:Europe/Rome",
                    "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    return _vcalendar(eventi, prodotto="Calendario personale", metodo="PUBLISH", intestazione=intestazione
                      ).encode("utf-8")

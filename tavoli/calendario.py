"""iCalendar (RFC 5545) for sessions: the invitation sent with a convocation of the Assemblea
or of a tavolo, and the personal feed a calendar app subscribes to. Written by hand: VEVENTs
escaped and folded as the RFC asks, all built by one function."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _


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
            luogo: str, descrizione: str, url: str, annullata: bool) -> list[str]:
    """The unfolded lines of one VEVENT."""
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
    righe += [f"STATUS:{'CANCELLED' if annullata else 'CONFIRMED'}", "END:VEVENT"]
    return righe


def _vcalendar(eventi: Iterable[list[str]], *, prodotto: str, metodo: str, intestazione: Iterable[str] = ()) -> str:
    righe = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//PianoZona//{prodotto}//IT", "CALSCALE:GREGORIAN",
             f"METHOD:{metodo}", *intestazione]
    for evento in eventi:
        righe += evento
    righe.append("END:VCALENDAR")
    return "\r\n".join(_piega(r) for r in righe) + "\r\n"


def _evento_assemblea(seduta, *, annullata: bool, sequenza: int) -> list[str]:
    url = _url("tavoli:seduta", seduta.pk)
    ordine = "\n".join(f"{p.numero}. {p.oggetto}" for p in seduta.punti.all())
    descrizione = f"Ordine del giorno:\n{ordine}\n\nPagina della seduta: {url}"
    if seduta.collegamento:
        descrizione += f"\nCollegamento: {seduta.collegamento}"
    return _vevent(uid=f"seduta-{seduta.pk}@{_host()}", sequenza=sequenza, inizio=seduta.data,
                   durata_minuti=seduta.durata_minuti, titolo=str(seduta.assemblea) + " – " + str(seduta),
                   luogo=seduta.luogo or seduta.collegamento, descrizione=descrizione, url=url,
                   annullata=annullata)


def _evento_tavolo(seduta, *, annullata: bool, sequenza: int) -> list[str]:
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
                   descrizione=descrizione, url=url, annullata=annullata)


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

"""An iCalendar (RFC 5545) invitation for a session, so that the convocation lands in the
members' calendars. Written by hand: one VEVENT, escaped and folded as the RFC asks."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone


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


def invito_ics(seduta, *, annullata: bool = False, sequenza: int = 0) -> str:
    url = settings.PIANOZONA_SITE_URL.rstrip("/") + reverse("tavoli:seduta", args=[seduta.pk])
    ordine = "\n".join(f"{p.numero}. {p.oggetto}" for p in seduta.punti.all())
    descrizione = f"Ordine del giorno:\n{ordine}\n\nPagina della seduta: {url}"
    if seduta.collegamento:
        descrizione += f"\nCollegamento: {seduta.collegamento}"
    host = settings.PIANOZONA_SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "pianozona"
    righe = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PianoZona//Assemblea dei Sindaci//IT",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if annullata else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:seduta-{seduta.pk}@{host}",
        f"SEQUENCE:{sequenza}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(seduta.data)}",
        f"DTEND:{_utc(seduta.data + datetime.timedelta(minutes=seduta.durata_minuti))}",
        f"SUMMARY:{_testo(str(seduta.assemblea) + ' – ' + str(seduta))}",
        f"LOCATION:{_testo(seduta.luogo or seduta.collegamento)}",
        f"DESCRIPTION:{_testo(descrizione)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if annullata else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_piega(r) for r in righe) + "\r\n"

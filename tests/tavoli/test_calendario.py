"""The .ics invitation sent with the convocation (RFC 5545)."""

import datetime

from django.utils import timezone

from tavoli import services
from tavoli.calendario import _piega, invito_ics


def test_invitation_has_the_session_time_place_and_agenda(consesso):
    quando = timezone.make_aware(datetime.datetime(2030, 3, 4, 17, 30))
    seduta = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp, data=quando,
                                  luogo="Sala del Broletto, Piazza della Vittoria; Pavia", durata_minuti=90)
    services.punto_aggiungi(seduta=seduta, utente=consesso.udp, oggetto="Atto di indirizzo 2025-2027")
    ics = invito_ics(seduta)
    righe = ics.replace("\r\n ", "").split("\r\n")  # unfold
    assert ics.endswith("\r\n") and "BEGIN:VCALENDAR" in righe and "METHOD:REQUEST" in righe
    assert f"DTSTART:{quando.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in righe
    assert "DTEND:20300304T180000Z" in righe  # 17:30 CET + 90 minutes = 19:00 CET = 18:00 UTC
    assert "LOCATION:Sala del Broletto\\, Piazza della Vittoria\\; Pavia" in righe
    assert any(r.startswith("DESCRIPTION:") and "1. Atto di indirizzo 2025-2027" in r for r in righe)
    assert all(len(r.encode()) <= 75 for r in ics.split("\r\n"))


def test_cancellation_uses_cancel_method():
    class Finta:
        pk = 7
        punti = type("P", (), {"all": staticmethod(lambda: [])})()
        collegamento = "https://meet.example.it/x"
        luogo = ""
        data = timezone.make_aware(datetime.datetime(2030, 1, 1, 10, 0))
        durata_minuti = 60
        assemblea = "Assemblea"

    ics = invito_ics(Finta(), annullata=True, sequenza=1)
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics


def test_folding_never_splits_a_utf8_character():
    riga = "SUMMARY:" + "è" * 100
    piegata = _piega(riga)
    for parte in piegata.split("\r\n"):
        assert len(parte.encode()) <= 75
    assert piegata.replace("\r\n ", "") == riga

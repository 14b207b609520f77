"""iCalendar for the sessions of the tavoli: the invitation attached to a convocation, parsed
back line by line as a calendar app would."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ambiti.models import Incarico
from tavoli import services
from tavoli.calendario import invito_ics, invito_seduta_tavolo_ics
from tavoli.models import AreaIntervento, FocusGroup, SedutaTavolo, Tavolo

from ..factories import AmbitoFactory, RegioneFactory, crea_piano, utente_con_ruolo

R = Incarico.Ruolo


def _sblocca(ics: bytes) -> list[str]:
    """Unfold (RFC 5545 §3.1) and split into content lines."""
    testo = ics.decode("utf-8")
    return testo.replace("\r\n ", "").split("\r\n")


def _valore(righe: list[str], nome: str) -> str:
    [riga] = [r for r in righe if r.startswith(nome + ":")]
    return riga[len(nome) + 1:]


def _seduta_tavolo(**campi) -> SedutaTavolo:
    ambito = AmbitoFactory()
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito)
    piano = crea_piano(ambito, titolo="Piano di Zona 2025-2027")
    area = AreaIntervento.objects.create(regione=RegioneFactory(), codice="anziani", nome="Anziani")
    tavolo = Tavolo.objects.create(piano=piano, area=area, nome="Tavolo anziani, fragilità; domiciliarità",
                                   coordinatore=udp, creato_da=udp)
    focus = campi.pop("focus", None)
    if focus:
        campi["focus_group"] = FocusGroup.objects.create(tavolo=tavolo, nome=focus)
    valori = {"numero": 3, "data": timezone.make_aware(datetime.datetime(2030, 3, 4, 17, 30)),
              "durata_minuti": 90, "luogo": "Sala Giunta, Via Roma 1; Pavia",
              "ordine_del_giorno": "Mappa dei servizi domiciliari, a cura dell'UdP\nProposte; varie", "creata_da": udp}
    valori.update(campi)
    return SedutaTavolo.objects.create(tavolo=tavolo, **valori)


@pytest.mark.django_db
def test_tavolo_invitation_is_a_well_formed_request(settings):
    settings.PIANOZONA_SITE_URL = "https://pianozona.example.it"
    seduta = _seduta_tavolo(focus="Caregiver familiari")
    ics = invito_seduta_tavolo_ics(seduta)
    assert isinstance(ics, bytes)
    testo = ics.decode("utf-8")
    # every line ends in CRLF, no bare LF, and no physical line is longer than 75 octets
    assert testo.endswith("\r\n") and "\n" not in testo.replace("\r\n", "")
    assert all(len(r.encode("utf-8")) <= 75 for r in testo.split("\r\n"))
    righe = _sblocca(ics)
    assert righe[0] == "BEGIN:VCALENDAR" and righe[-2] == "END:VCALENDAR"
    assert "METHOD:REQUEST" in righe and "STATUS:CONFIRMED" in righe and "SEQUENCE:0" in righe
    assert righe.count("BEGIN:VEVENT") == 1
    assert _valore(righe, "UID") == f"seduta-tavolo-{seduta.pk}@pianozona.example.it"
    assert _valore(righe, "DTSTART") == "20300304T163000Z"  # 17:30 CET
    assert _valore(righe, "DTEND") == "20300304T180000Z"  # + 90 minutes
    sommario = _valore(righe, "SUMMARY")
    assert sommario.startswith("Tavolo anziani\\, fragilità\\; domiciliarità – ")
    assert "focus-group Caregiver familiari" in sommario and "Seduta n. 3 del 04/03/2030" in sommario
    assert _valore(righe, "LOCATION") == "Sala Giunta\\, Via Roma 1\\; Pavia"
    descrizione = _valore(righe, "DESCRIPTION")
    assert "\\n1. Mappa dei servizi domiciliari\\, a cura dell'UdP\\n2. Proposte\\; varie" in descrizione
    # the long description was folded and unfolds back to the same text
    assert len(f"DESCRIPTION:{descrizione}".encode()) > 75
    try:
        pagina = "https://pianozona.example.it" + reverse("tavoli:seduta_tavolo", args=[seduta.pk])
    except NoReverseMatch:  # the session page is not there: the invitation carries no address
        assert not any(r.startswith("URL:") for r in righe)
    else:
        assert _valore(righe, "URL") == pagina and pagina in descrizione


@pytest.mark.django_db
def test_tavolo_invitation_uid_is_stable_and_cancellation_has_cancel_and_sequence(settings):
    settings.PIANOZONA_SITE_URL = "https://pianozona.example.it/"
    seduta = _seduta_tavolo(luogo="", collegamento="https://meet.example.it/tavolo-anziani")
    primo, secondo = _sblocca(invito_seduta_tavolo_ics(seduta)), _sblocca(invito_seduta_tavolo_ics(seduta))
    assert _valore(primo, "UID") == _valore(secondo, "UID")
    assert _valore(primo, "LOCATION") == "https://meet.example.it/tavolo-anziani"
    annullo = _sblocca(invito_seduta_tavolo_ics(seduta, annullata=True, sequenza=2))
    assert _valore(annullo, "UID") == _valore(primo, "UID")
    assert "METHOD:CANCEL" in annullo and "STATUS:CANCELLED" in annullo and "SEQUENCE:2" in annullo
    assert "STATUS:CONFIRMED" not in annullo


@pytest.mark.django_db
def test_tavolo_and_assemblea_invitations_never_share_a_uid(consesso):
    seduta = _seduta_tavolo()
    assemblea = services.seduta_crea(assemblea=consesso.assemblea, utente=consesso.udp,
                                     data=timezone.now() + datetime.timedelta(days=3), luogo="Sala consiliare")
    assemblea.pk = seduta.pk  # same number, different kind of session
    uid_tavolo = _valore(_sblocca(invito_seduta_tavolo_ics(seduta)), "UID")
    uid_assemblea = _valore(invito_ics(assemblea).replace("\r\n ", "").split("\r\n"), "UID")
    assert uid_tavolo != uid_assemblea

"""iCalendar for the sessions of the tavoli: the invitation attached to a convocation, parsed
back line by line as a calendar app would; the ambito's calendar page, the personal page and
its private feed."""

import datetime
import html
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from ambiti.models import Incarico, Utente
from tavoli import services
from tavoli.calendario import invito_ics, invito_seduta_tavolo_ics
from tavoli.models import (
    AreaIntervento,
    FeedCalendario,
    FocusGroup,
    MembroTavolo,
    Seduta,
    SedutaTavolo,
    Tavolo,
)
from tavoli.services_assemblea import assemblea_garantisci
from tavoli.services_tavoli import aree_della_regione

from ..factories import AmbitoFactory, RegioneFactory, UtenteFactory, crea_piano, utente_con_ruolo

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
    except NoReverseMatch:  # without the session page the invitation carries no address
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


# --- the ambito's calendar and the personal feed ---------------------------------------------


@dataclass
class Agenda:
    """The Ambito di Pavia's Assemblea and two tavoli (anziani, disabilità) with sessions in
    the past and the future; a member of the tavolo anziani only; another ambito's sessions."""

    mondo: object
    udp: Utente
    membro: Utente
    assemblea: dict
    anziani: dict
    disabilita: dict
    altrove: dict


def _assemblea(ambito, utente, numero, giorni, stato="convocata") -> Seduta:
    data = timezone.now() + datetime.timedelta(days=giorni)
    return Seduta.objects.create(assemblea=assemblea_garantisci(ambito), numero=numero, anno=data.year, data=data,
                                 luogo="Sala consiliare, Pavia", stato=stato, creata_da=utente)


def _di_tavolo(tavolo, numero, giorni, stato="convocata") -> SedutaTavolo:
    return SedutaTavolo.objects.create(
        tavolo=tavolo, numero=numero, data=timezone.now() + datetime.timedelta(days=giorni), stato=stato,
        collegamento="https://meet.example.it/tavolo", ordine_del_giorno="Mappa dei bisogni",
        creata_da=tavolo.coordinatore)


@pytest.fixture
def agenda(mondo) -> Agenda:
    udp = mondo[R.RESPONSABILE_UDP]
    aree_della_regione(mondo.ambito.asl.regione)
    area = {a.codice: a for a in AreaIntervento.objects.filter(regione=mondo.ambito.asl.regione)}
    anziani = Tavolo.objects.create(piano=mondo.piano, area=area["anziani"], nome="Tavolo anziani",
                                    coordinatore=udp, creato_da=udp)
    disabilita = Tavolo.objects.create(piano=mondo.piano, area=area["disabilita"], nome="Tavolo disabilità",
                                       coordinatore=udp, creato_da=udp)
    altro = Tavolo.objects.create(piano=mondo.piano_altro, area=area["anziani"], nome="Tavolo anziani di Certosa",
                                  coordinatore=mondo.udp_altro, creato_da=mondo.udp_altro)
    membro = UtenteFactory(username="membro-anziani", first_name="Lucia", last_name="Bianchi")
    MembroTavolo.objects.create(tavolo=anziani, utente=membro, stato=MembroTavolo.Stato.ATTIVO, proposto_da=udp)
    return Agenda(
        mondo=mondo, udp=udp, membro=membro,
        assemblea={"prossima": _assemblea(mondo.ambito, udp, 3, 10),
                   "recente": _assemblea(mondo.ambito, udp, 2, -30, "chiusa"),
                   "vecchia": _assemblea(mondo.ambito, udp, 1, -400, "chiusa"),
                   "annullata": _assemblea(mondo.ambito, udp, 4, 20, "annullata")},
        anziani={"prossima": _di_tavolo(anziani, 2, 5), "bozza": _di_tavolo(anziani, 3, 40, "bozza"),
                 "annullata": _di_tavolo(anziani, 4, 12, "annullata"),
                 "passata": _di_tavolo(anziani, 1, -20, "svolta"),
                 "trimestre_scorso": _di_tavolo(anziani, 5, -120, "svolta")},
        disabilita={"prossima": _di_tavolo(disabilita, 1, 6)},
        altrove={"assemblea": _assemblea(mondo.altro_ambito, mondo.udp_altro, 1, 8),
                 "tavolo": _di_tavolo(altro, 1, 9)},
    )


def _mostrate(pagina: str) -> set[str]:
    return {f"{t}-{pk}" for t, pk in re.findall(r'data-testid="seduta-(assemblea|tavolo)-(\d+)"', pagina)}


def _chiavi(*sedute) -> set[str]:
    return {f"{'assemblea' if isinstance(s, Seduta) else 'tavolo'}-{s.pk}" for s in sedute}


def test_udp_sees_the_assemblea_and_every_tavolo_of_the_ambito_by_month(client, agenda):
    client.force_login(agenda.udp)
    risposta = client.get(reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk]))
    assert risposta.status_code == 200
    pagina = risposta.content.decode()
    a, t = agenda.assemblea, agenda.anziani
    assert _mostrate(pagina) == _chiavi(a["prossima"], a["recente"], a["annullata"], *t.values(),
                                        agenda.disabilita["prossima"])  # older than a year: on request
    assert "Tavolo disabilità" in pagina and "Annullata" in pagina and "In preparazione" in pagina
    mese = date_format(timezone.localtime(a["prossima"].data), "F Y")
    assert f">{mese}</h3>" in pagina
    tutte = client.get(reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk]) + "?storico=tutto")
    assert f"assemblea-{a['vecchia'].pk}" in _mostrate(tutte.content.decode())


def test_a_member_sees_only_the_sessions_of_their_tavolo(client, agenda):
    client.force_login(agenda.membro)
    pagina = client.get(reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk])).content.decode()
    assert _mostrate(pagina) == _chiavi(*agenda.anziani.values())


def test_terzo_settore_referent_sees_the_assemblea_but_not_tavoli_they_do_not_sit_at(client, agenda):
    client.force_login(agenda.mondo[R.REFERENTE_TERZO_SETTORE])
    pagina = client.get(reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk])).content.decode()
    a = agenda.assemblea
    assert _mostrate(pagina) == _chiavi(a["prossima"], a["recente"], a["annullata"])


def test_calendar_refuses_other_ambiti_and_sends_anonymous_users_to_login(client, agenda):
    url = reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk])
    client.force_login(agenda.mondo.udp_altro)
    assert client.get(url).status_code == 403
    client.force_login(UtenteFactory(username="nessuno"))
    assert client.get(url).status_code == 403
    client.logout()
    risposta = client.get(url)
    assert risposta.status_code == 302 and reverse("login") in risposta.url


def test_regional_officer_sees_the_whole_ambito(client, agenda):
    client.force_login(agenda.mondo.regionale)
    pagina = client.get(reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk])).content.decode()
    assert _chiavi(agenda.disabilita["prossima"], agenda.assemblea["prossima"]) <= _mostrate(pagina)


def _feed(client, token):
    return client.get(reverse("tavoli:feed_ics", args=[token]))


def _uid(s) -> str:
    return f"{'seduta' if isinstance(s, Seduta) else 'seduta-tavolo'}-{s.pk}@"


def _eventi(ics: bytes) -> dict[str, list[str]]:
    """UID prefix -> the unfolded lines of that VEVENT."""
    eventi, corrente = {}, None
    for riga in _sblocca(ics):
        if riga == "BEGIN:VEVENT":
            corrente = []
        elif riga == "END:VEVENT":
            uid = _valore(corrente, "UID")
            eventi[uid.split("@")[0] + "@"] = corrente
            corrente = None
        elif corrente is not None:
            corrente.append(riga)
    return eventi


def test_personal_page_creates_the_feed_and_the_feed_lists_what_the_user_may_see(client, agenda, settings):
    settings.PIANOZONA_SITE_URL = "https://pianozona.example.it"
    client.force_login(agenda.udp)
    assert not FeedCalendario.objects.filter(utente=agenda.udp).exists()
    pagina = client.get(reverse("tavoli:calendario_personale")).content.decode()
    feed = FeedCalendario.objects.get(utente=agenda.udp)
    indirizzo = "https://pianozona.example.it" + reverse("tavoli:feed_ics", args=[feed.token])
    assert indirizzo in pagina and "Outlook" in pagina and "Google" in pagina and "Apple" in pagina
    assert reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk]) in pagina
    client.logout()  # calendar apps do not sign in
    risposta = _feed(client, feed.token)
    assert risposta.status_code == 200 and risposta["Content-Type"] == "text/calendar; charset=utf-8"
    assert risposta.content.decode().endswith("\r\n") and "METHOD:PUBLISH" in _sblocca(risposta.content)
    eventi = _eventi(risposta.content)
    a, t = agenda.assemblea, agenda.anziani
    attese = [a["prossima"], a["recente"], a["annullata"], t["prossima"], t["bozza"], t["annullata"], t["passata"],
              agenda.disabilita["prossima"]]
    assert set(eventi) == {_uid(s) for s in attese}  # not older than 90 days, not other ambiti
    assert "STATUS:CANCELLED" in eventi[_uid(a["annullata"])] and "SEQUENCE:1" in eventi[_uid(a["annullata"])]
    assert "STATUS:CANCELLED" in eventi[_uid(t["annullata"])]
    assert "STATUS:TENTATIVE" in eventi[_uid(t["bozza"])]
    assert "STATUS:CONFIRMED" in eventi[_uid(t["prossima"])]
    assert _valore(eventi[_uid(t["prossima"])], "LOCATION") == "https://meet.example.it/tavolo"


def test_member_feed_has_only_their_tavolo(client, agenda):
    feed = FeedCalendario.objects.create(utente=agenda.membro)
    recenti = [s for k, s in agenda.anziani.items() if k != "trimestre_scorso"]
    assert set(_eventi(_feed(client, feed.token).content)) == {_uid(s) for s in recenti}


def test_regenerating_the_address_revokes_the_old_one(client, agenda):
    client.force_login(agenda.membro)
    client.get(reverse("tavoli:calendario_personale"))
    vecchio = FeedCalendario.objects.get(utente=agenda.membro).token
    risposta = client.post(reverse("tavoli:calendario_personale"), follow=True)
    assert "il precedente non funziona più" in html.unescape(risposta.content.decode())
    nuovo = FeedCalendario.objects.get(utente=agenda.membro).token
    assert nuovo != vecchio
    client.logout()
    assert _feed(client, vecchio).status_code == 404
    assert _feed(client, nuovo).status_code == 200
    assert _feed(client, "non-esiste").status_code == 404


def test_feed_of_a_deactivated_user_is_gone(client, agenda):
    feed = FeedCalendario.objects.create(utente=agenda.membro)
    Utente.objects.filter(pk=agenda.membro.pk).update(is_active=False)
    assert _feed(client, feed.token).status_code == 404


def test_feed_and_calendar_queries_do_not_grow_with_the_sessions(client, agenda, django_assert_max_num_queries):
    feed = FeedCalendario.objects.create(utente=agenda.udp)
    _feed(client, feed.token)  # Django caches content types per process on the first permission lookup
    conteggi = []
    for n in (2, 18):  # about 10 sessions, then 30
        for i in range(n):
            _di_tavolo(agenda.anziani["prossima"].tavolo, 100 + len(conteggi) * 100 + i, 2 + i)
            _assemblea(agenda.mondo.ambito, agenda.udp, 100 + len(conteggi) * 100 + i, 3 + i)
        client.logout()
        with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as nel_feed:
            assert _feed(client, feed.token).status_code == 200
        client.force_login(agenda.udp)
        with django_assert_max_num_queries(25), CaptureQueriesContext(connection) as in_pagina:
            assert client.get(reverse("tavoli:calendario", args=[agenda.mondo.ambito.pk])).status_code == 200
        with django_assert_max_num_queries(30), CaptureQueriesContext(connection) as personale:
            assert client.get(reverse("tavoli:calendario_personale")).status_code == 200
        conteggi.append((len(nel_feed), len(in_pagina), len(personale)))
    assert conteggi[0] == conteggi[1], conteggi


def test_header_has_the_calendar_for_signed_in_users(client, agenda):
    client.force_login(agenda.membro)
    pagina = client.get(reverse("tavoli:calendario_personale")).content.decode()
    assert f'href="{reverse("tavoli:calendario_personale")}" aria-current="page"' in pagina

"""Pages of the tavoli tematici: who sees and does what, in the browser's terms (HTTP)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tavoli.models import (
    AreaIntervento,
    Bisogno,
    EventoTavolo,
    MembroTavolo,
    PresenzaTavolo,
    SedutaTavolo,
    Tavolo,
    VerbaleTavolo,
)
from tavoli.services_verbali import verbale_salva

from . import conftest_tavoli
from .conftest_tavoli import controlli_senza_etichetta, nomi_dei_bottoni

scena = conftest_tavoli.scena  # the fixture, for this module

A = EventoTavolo.Azione
M = MembroTavolo.Stato
S = SedutaTavolo.Stato
V = VerbaleTavolo.Stato


def _testo(risposta) -> str:
    return risposta.content.decode()


def _messaggi(risposta) -> list[str]:
    return [str(m) for m in risposta.context["messages"]] if risposta.context else []


# --- the plan's tavoli ---------------------------------------------------------------------------

def test_udp_sees_the_plans_tavoli_and_may_create_one(client, scena):
    client.force_login(scena.udp)
    risposta = client.get(reverse("tavoli:tavoli_piano", args=[scena.piano.pk]))
    assert risposta.status_code == 200
    testo = _testo(risposta)
    assert "Tavolo anziani" in testo and "Carla Coordi" in testo
    assert "Nuovo tavolo" in testo and "Chiedi di partecipare" not in testo


def test_a_mayor_reads_the_list_without_creating(client, scena):
    client.force_login(scena.sindaco)
    testo = _testo(client.get(reverse("tavoli:tavoli_piano", args=[scena.piano.pk])))
    assert "Tavolo anziani" in testo and "Nuovo tavolo" not in testo
    assert client.get(reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk])).status_code == 403


def test_a_terzo_settore_referente_is_offered_to_join(client, scena):
    client.force_login(scena.referente_ts)
    testo = _testo(client.get(reverse("tavoli:tavoli_piano", args=[scena.piano.pk])))
    assert "Chiedi di partecipare" in testo


def test_udp_creates_a_tavolo(client, scena):
    client.force_login(scena.udp)
    url = reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk])
    pagina = client.get(url)
    scelte = [a.nome for a in pagina.context["form"].fields["area"].queryset]
    assert scelte == ["Disabilità"]  # Anziani has its tavolo already
    assert controlli_senza_etichetta(_testo(pagina)) == []
    risposta = client.post(url, {"area": scena.altra_area.pk, "coordinatore": scena.coordinatore.pk,
                                 "mandato": "Servizi per la vita indipendente."})
    tavolo = Tavolo.objects.get(piano=scena.piano, area=scena.altra_area)
    assert risposta.status_code == 302 and risposta["Location"] == reverse("tavoli:tavolo", args=[tavolo.pk])
    assert tavolo.nome == "Tavolo Disabilità" and tavolo.coordinatore == scena.coordinatore
    assert MembroTavolo.objects.get(tavolo=tavolo, utente=scena.coordinatore).stato == M.ATTIVO
    assert EventoTavolo.objects.filter(tavolo=tavolo, azione=A.TAVOLO_CREATO).exists()


def test_creating_a_tavolo_without_coordinator_keeps_the_input(client, scena):
    client.force_login(scena.udp)
    risposta = client.post(reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk]),
                           {"area": scena.altra_area.pk, "mandato": "Il mandato scritto con cura"})
    assert risposta.status_code == 200
    testo = _testo(risposta)
    assert "Scegli il coordinatore del tavolo." in testo and "Il mandato scritto con cura" in testo
    assert not Tavolo.objects.filter(area=scena.altra_area).exists()


def test_only_the_udp_creates_tavoli(client, scena):
    client.force_login(scena.coordinatore)
    url = reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"area": scena.altra_area.pk, "coordinatore": scena.coordinatore.pk}).status_code == 403
    assert not Tavolo.objects.filter(area=scena.altra_area).exists()


# --- the tavolo page ---------------------------------------------------------------------------

def test_a_member_sees_their_tavolo(client, scena):
    seduta = scena.seduta()
    EventoTavolo.objects.create(tavolo=scena.tavolo, azione=A.SEDUTA_SVOLTA, utente=scena.udp, seduta=seduta)
    client.force_login(scena.membro)
    risposta = client.get(reverse("tavoli:tavolo", args=[scena.tavolo.pk]))
    assert risposta.status_code == 200
    testo = _testo(risposta)
    assert "Mappare i bisogni degli anziani soli" in testo
    assert "Marco Membri" in testo and "Cooperativa Il Ponte" in testo
    assert "Seduta svolta" in testo  # the log, with readable actions
    assert "Invita una persona" not in testo and "Nuova seduta" not in testo


def test_the_coordinator_manages_members_with_distinct_button_names(client, scena):
    MembroTavolo.objects.create(tavolo=scena.tavolo, utente=scena.referente_ts, stato=M.RICHIESTA,
                                proposto_da=scena.referente_ts, messaggio="Dieci volontari")
    client.force_login(scena.coordinatore)
    testo = _testo(client.get(reverse("tavoli:tavolo", args=[scena.tavolo.pk])))
    assert "Invita una persona" in testo and "Dieci volontari" in testo
    bottoni = nomi_dei_bottoni(testo)
    assert "Ammetti Teresa Terzi" in bottoni and "Non ammettere Teresa Terzi" in bottoni
    assert "Togli dal tavolo Marco Membri" in bottoni
    assert controlli_senza_etichetta(testo) == []


def test_a_terzo_settore_referente_asks_and_the_coordinator_admits(client, scena):
    ente = scena.referente_ts.incarichi.get().ente
    client.force_login(scena.referente_ts)
    pagina = client.get(reverse("tavoli:tavolo", args=[scena.tavolo.pk]))
    assert pagina.status_code == 200
    assert 'id="adesione"' in _testo(pagina) and 'id="titolo-componenti"' not in _testo(pagina)
    risposta = client.post(reverse("tavoli:adesione_chiedi", args=[scena.tavolo.pk]),
                           {"adesione-ente": ente.pk, "adesione-messaggio": "Trasporto sociale e volontari"})
    assert risposta.status_code == 302
    richiesta = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.referente_ts)
    assert richiesta.stato == M.RICHIESTA and richiesta.ente == ente

    client.force_login(scena.coordinatore)
    risposta = client.post(reverse("tavoli:membro_azione", args=[richiesta.pk, "ammetti"]), {"motivo": ""},
                           follow=True)
    assert "Teresa Terzi è ora componente del tavolo." in _messaggi(risposta)
    richiesta.refresh_from_db()
    assert richiesta.stato == M.ATTIVO
    assert list(EventoTavolo.objects.filter(tavolo=scena.tavolo).values_list("azione", flat=True)) == [
        A.RICHIESTA, A.AMMISSIONE]


def test_a_refusal_needs_a_reason(client, scena):
    richiesta = MembroTavolo.objects.create(tavolo=scena.tavolo, utente=scena.referente_ts, stato=M.RICHIESTA,
                                            proposto_da=scena.referente_ts)
    client.force_login(scena.coordinatore)
    url = reverse("tavoli:membro_azione", args=[richiesta.pk, "rifiuta"])
    risposta = client.post(url, {"motivo": ""}, follow=True)
    assert "Indica il motivo per cui la richiesta non è accolta." in _messaggi(risposta)
    richiesta.refresh_from_db()
    assert richiesta.stato == M.RICHIESTA
    client.post(url, {"motivo": "Il tavolo ha già tre cooperative dello stesso territorio."})
    richiesta.refresh_from_db()
    assert richiesta.stato == M.RIFIUTATO and richiesta.motivo.startswith("Il tavolo ha già")


def test_an_invited_mayor_accepts_from_the_tavolo_page(client, scena):
    client.force_login(scena.coordinatore)
    client.post(reverse("tavoli:membro_invita", args=[scena.tavolo.pk]), {"invito-invitato": scena.sindaco.pk})
    invito = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.sindaco)
    assert invito.stato == M.INVITATO
    client.force_login(scena.sindaco)
    pagina = _testo(client.get(reverse("tavoli:tavolo", args=[scena.tavolo.pk])))
    assert reverse("tavoli:membro_azione", args=[invito.pk, "accetta-invito"]) in pagina
    client.post(reverse("tavoli:membro_azione", args=[invito.pk, "accetta-invito"]))
    invito.refresh_from_db()
    assert invito.stato == M.ATTIVO


def test_nobody_answers_someone_elses_invitation(client, scena):
    invito = MembroTavolo.objects.create(tavolo=scena.tavolo, utente=scena.sindaco, stato=M.INVITATO,
                                         proposto_da=scena.udp)
    client.force_login(scena.membro)
    assert client.post(reverse("tavoli:membro_azione", args=[invito.pk, "accetta-invito"])).status_code == 403
    invito.refresh_from_db()
    assert invito.stato == M.INVITATO


def test_the_coordinator_edits_the_mandate_and_only_the_udp_closes(client, scena):
    url = reverse("tavoli:tavolo_modifica", args=[scena.tavolo.pk])
    client.force_login(scena.coordinatore)
    pagina = client.get(url)
    assert "chiuso" not in pagina.context["form"].fields and controlli_senza_etichetta(_testo(pagina)) == []
    client.post(url, {"nome": "Tavolo anziani e fragilità", "mandato": "Nuovo mandato"})
    tavolo = Tavolo.objects.get(pk=scena.tavolo.pk)
    assert tavolo.nome == "Tavolo anziani e fragilità" and tavolo.mandato == "Nuovo mandato" and tavolo.attivo
    client.force_login(scena.udp)
    client.post(url, {"nome": tavolo.nome, "mandato": tavolo.mandato, "coordinatore": scena.coordinatore.pk,
                      "chiuso": "on"})
    assert not Tavolo.objects.get(pk=scena.tavolo.pk).attivo
    assert EventoTavolo.objects.filter(tavolo=scena.tavolo, azione=A.TAVOLO_CHIUSO).exists()


# --- permission: other ambiti and signed-out users ---------------------------------------------

def _oggetti(scena):
    seduta = scena.seduta()
    verbale = scena.verbale(seduta)
    bisogno = scena.bisogni(seduta, 1)[0]
    fg = scena.tavolo.focus_group.create(nome="Domiciliarità")
    return seduta, verbale, bisogno, fg


def test_a_user_of_another_ambito_gets_403_on_every_page_and_post(client, scena):
    seduta, verbale, bisogno, fg = _oggetti(scena)
    futura = scena.seduta(stato=S.BOZZA, giorni=7)
    client.force_login(scena.estraneo)
    pagine = [reverse("tavoli:tavoli_piano", args=[scena.piano.pk]), reverse("tavoli:tavolo", args=[scena.tavolo.pk]),
              reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk]),
              reverse("tavoli:tavolo_modifica", args=[scena.tavolo.pk]),
              reverse("tavoli:seduta_tavolo", args=[seduta.pk]), reverse("tavoli:verbale_tavolo", args=[seduta.pk]),
              reverse("tavoli:focus_group", args=[fg.pk]), reverse("tavoli:focus_group_nuovo", args=[scena.tavolo.pk]),
              reverse("tavoli:seduta_tavolo_nuova", args=[scena.tavolo.pk]),
              reverse("tavoli:contributo_modifica", args=["bisogno", bisogno.pk])]
    for url in pagine:
        assert client.get(url).status_code == 403, url
    invii = [
        (reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk]), {"area": scena.altra_area.pk,
                                                                 "coordinatore": scena.estraneo.pk}),
        (reverse("tavoli:tavolo_modifica", args=[scena.tavolo.pk]), {"nome": "Preso"}),
        (reverse("tavoli:membro_invita", args=[scena.tavolo.pk]), {"invito-invitato": scena.estraneo.pk}),
        (reverse("tavoli:adesione_chiedi", args=[scena.tavolo.pk]), {"adesione-messaggio": "x"}),
        (reverse("tavoli:membro_azione", args=[scena.riga_membro.pk, "rimuovi"]), {}),
        (reverse("tavoli:focus_group_nuovo", args=[scena.tavolo.pk]), {"nome": "Altro"}),
        (reverse("tavoli:focus_group", args=[fg.pk]), {"membri": [scena.riga_membro.pk]}),
        (reverse("tavoli:seduta_tavolo_nuova", args=[scena.tavolo.pk]), {}),
        (reverse("tavoli:seduta_tavolo_azione", args=[futura.pk, "convoca"]), {}),
        (reverse("tavoli:seduta_tavolo_azione", args=[futura.pk, "annulla"]), {"motivo": "no"}),
        (reverse("tavoli:presenze_tavolo", args=[seduta.pk]), {"membri": [scena.riga_membro.pk]}),
        (reverse("tavoli:contributo_nuovo", args=[seduta.pk, "bisogno"]), {"bisogno-destinatari": "x"}),
        (reverse("tavoli:contributo_modifica", args=["bisogno", bisogno.pk]), {"bisogno-1-destinatari": "x"}),
        (reverse("tavoli:verbale_tavolo", args=[seduta.pk]), {"azione": "salva", "versione": 1}),
        (reverse("tavoli:verbale_tavolo", args=[seduta.pk]), {"azione": "osserva", "osservazione-testo": "x"}),
    ]
    eventi = EventoTavolo.objects.count()
    for url, dati in invii:
        assert client.post(url, dati).status_code == 403, url
    assert EventoTavolo.objects.count() == eventi
    futura = SedutaTavolo.objects.get(pk=futura.pk)
    assert futura.stato == S.BOZZA and not PresenzaTavolo.objects.exists()


def test_signed_out_users_go_to_the_login(client, scena):
    seduta, _verbale, _bisogno, _fg = _oggetti(scena)
    for url in (reverse("tavoli:tavoli_piano", args=[scena.piano.pk]), reverse("tavoli:tavolo", args=[scena.tavolo.pk]),
                reverse("tavoli:seduta_tavolo", args=[seduta.pk]), reverse("tavoli:verbale_tavolo", args=[seduta.pk])):
        risposta = client.get(url)
        assert risposta.status_code == 302 and risposta["Location"].startswith(reverse("login")), url
    risposta = client.post(reverse("tavoli:seduta_tavolo_azione", args=[seduta.pk, "annulla"]), {"motivo": "x"})
    assert risposta.status_code == 302 and risposta["Location"].startswith(reverse("login"))


def test_a_referente_not_yet_member_cannot_read_sessions(client, scena):
    seduta = scena.seduta()
    client.force_login(scena.referente_ts)
    assert client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk])).status_code == 403
    assert client.get(reverse("tavoli:verbale_tavolo", args=[seduta.pk])).status_code == 403


# --- sessions -------------------------------------------------------------------------------------

def test_the_coordinator_prepares_and_convenes_a_session(client, scena):
    client.force_login(scena.coordinatore)
    quando = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    risposta = client.post(reverse("tavoli:seduta_tavolo_nuova", args=[scena.tavolo.pk]), {
        "data": quando, "durata_minuti": 90, "luogo": "Sala Broletto",
        "ordine_del_giorno": "Mappatura dei servizi\nCalendario dei lavori"})
    seduta = SedutaTavolo.objects.get(tavolo=scena.tavolo)
    assert risposta.status_code == 302 and seduta.stato == S.BOZZA and seduta.punti[0] == "Mappatura dei servizi"
    risposta = client.post(reverse("tavoli:seduta_tavolo_azione", args=[seduta.pk, "convoca"]),
                           {"stato_atteso": "bozza"}, follow=True)
    assert SedutaTavolo.objects.get(pk=seduta.pk).stato == S.CONVOCATA
    assert any("Seduta convocata" in m for m in _messaggi(risposta))
    assert EventoTavolo.objects.filter(seduta=seduta, azione=A.SEDUTA_CONVOCATA).exists()


def test_a_member_cannot_convene(client, scena):
    seduta = scena.seduta(stato=S.BOZZA, giorni=5)
    client.force_login(scena.membro)
    pagina = _testo(client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk])))
    assert "Convoca la seduta" not in pagina
    assert client.post(reverse("tavoli:seduta_tavolo_azione", args=[seduta.pk, "convoca"])).status_code == 403
    assert SedutaTavolo.objects.get(pk=seduta.pk).stato == S.BOZZA


def test_cancelling_needs_a_reason(client, scena):
    seduta = scena.seduta(stato=S.CONVOCATA, giorni=5)
    client.force_login(scena.udp)
    risposta = client.post(reverse("tavoli:seduta_tavolo_azione", args=[seduta.pk, "annulla"]), {"motivo": " "},
                           follow=True)
    assert "Indica il motivo dell'annullamento." in _messaggi(risposta)
    assert SedutaTavolo.objects.get(pk=seduta.pk).stato == S.CONVOCATA


def test_the_attendance_register_marks_the_session_held(client, scena):
    seduta = scena.seduta(stato=S.CONVOCATA, giorni=0, data=timezone.now() - datetime.timedelta(minutes=30))
    client.force_login(scena.coordinatore)
    pagina = client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk]))
    testo = _testo(pagina)
    assert 'data-testid="form-presenze"' in testo and controlli_senza_etichetta(testo) == []
    risposta = client.post(reverse("tavoli:presenze_tavolo", args=[seduta.pk]), {
        "membri": [scena.riga_membro.pk],
        "ospiti-TOTAL_FORMS": 3, "ospiti-INITIAL_FORMS": 0, "ospiti-MIN_NUM_FORMS": 0, "ospiti-MAX_NUM_FORMS": 100,
        "ospiti-0-nominativo": "Giulia Ospite", "ospiti-0-ente_nome": "Caritas diocesana",
        "ospiti-1-nominativo": "", "ospiti-1-ente_nome": "", "ospiti-2-nominativo": "", "ospiti-2-ente_nome": "",
    })
    assert risposta.status_code == 302
    presenze = {(p.nominativo, p.per_ente) for p in PresenzaTavolo.objects.filter(seduta=seduta)}
    assert presenze == {("Marco Membri", "Cooperativa Il Ponte"), ("Giulia Ospite", "Caritas diocesana")}
    assert SedutaTavolo.objects.get(pk=seduta.pk).stato == S.SVOLTA


def test_the_register_is_not_offered_before_the_session_starts(client, scena):
    seduta = scena.seduta(stato=S.CONVOCATA, giorni=3)
    client.force_login(scena.coordinatore)
    testo = _testo(client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk])))
    assert 'data-testid="form-presenze"' not in testo
    assert "Le presenze si registrano dall'inizio della seduta." in testo


# --- contributions -------------------------------------------------------------------------------

def test_a_member_adds_a_need_for_their_body(client, scena):
    seduta = scena.seduta()
    comune = scena.mondo.ambito.comuni.first()
    client.force_login(scena.membro)
    pagina = client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk]))
    form = pagina.context["form_bisogno"]
    assert form["area"].value() == scena.area.pk and form["ente"].value() == scena.ente_membro.pk
    assert controlli_senza_etichetta(_testo(pagina)) == []
    risposta = client.post(reverse("tavoli:contributo_nuovo", args=[seduta.pk, "bisogno"]), {
        "bisogno-area": scena.area.pk, "bisogno-destinatari": "Anziani soli non autosufficienti",
        "bisogno-descrizione": "Mancano posti di sollievo nei mesi estivi.", "bisogno-priorita": "alta",
        "bisogno-comuni": [comune.pk], "bisogno-ente": scena.ente_membro.pk})
    assert risposta.status_code == 302
    bisogno = Bisogno.objects.get(seduta=seduta)
    assert bisogno.ente == scena.ente_membro and bisogno.registrato_da == scena.membro
    assert list(bisogno.comuni.all()) == [comune]
    testo = _testo(client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk])))
    assert "Anziani soli non autosufficienti" in testo and "Cooperativa Il Ponte" in testo
    assert "registrato da Marco Membri" in testo


def test_an_incomplete_need_keeps_what_was_typed(client, scena):
    seduta = scena.seduta()
    client.force_login(scena.membro)
    risposta = client.post(reverse("tavoli:contributo_nuovo", args=[seduta.pk, "bisogno"]), {
        "bisogno-area": scena.area.pk, "bisogno-destinatari": "Caregiver familiari", "bisogno-priorita": "media"})
    assert risposta.status_code == 200
    testo = _testo(risposta)
    assert "Descrivi il bisogno." in testo and "Caregiver familiari" in testo
    assert not Bisogno.objects.exists()


def test_contributions_are_not_offered_before_the_session_is_held(client, scena):
    seduta = scena.seduta(stato=S.CONVOCATA, giorni=2)
    client.force_login(scena.membro)
    assert "Aggiungi un bisogno" not in _testo(client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk])))
    risposta = client.post(reverse("tavoli:contributo_nuovo", args=[seduta.pk, "bisogno"]), {
        "bisogno-area": scena.area.pk, "bisogno-destinatari": "x", "bisogno-descrizione": "y"})
    assert risposta.status_code == 403 and not Bisogno.objects.exists()


def test_the_author_edits_their_need_until_the_minutes_are_approved(client, scena):
    seduta = scena.seduta()
    bisogno = scena.bisogni(seduta, 1)[0]
    url = reverse("tavoli:contributo_modifica", args=["bisogno", bisogno.pk])
    client.force_login(scena.membro)
    pagina = client.get(url)
    assert pagina.status_code == 200 and pagina.context["form"]["destinatari"].value() == "Anziani soli 0"
    prefisso = f"bisogno-{bisogno.pk}"
    client.post(url, {f"{prefisso}-area": scena.area.pk, f"{prefisso}-destinatari": "Anziani soli in montagna",
                      f"{prefisso}-descrizione": "Isolamento", f"{prefisso}-priorita": "alta",
                      f"{prefisso}-ente": scena.ente_membro.pk})
    bisogno.refresh_from_db()
    assert bisogno.destinatari == "Anziani soli in montagna" and bisogno.priorita == "alta"
    client.force_login(scena.referente_ts)
    assert client.get(url).status_code == 403


# --- minutes ---------------------------------------------------------------------------------------

def _dati_verbale(verbale, **extra):
    dati = {"versione": verbale.versione, "punto_0": "Si è discusso della solitudine.", "punto_1": "",
            "decisioni": "Mappare i centri diurni.", "prossimi_passi": "Nuova seduta a marzo.",
            "stato_atteso": verbale.stato, "azione": "salva"}
    dati.update(extra)
    return dati


def test_the_coordinator_opens_and_saves_the_minutes(client, scena):
    seduta = scena.seduta()
    client.force_login(scena.coordinatore)
    url = reverse("tavoli:verbale_tavolo", args=[seduta.pk])
    pagina = client.get(url)
    assert pagina.status_code == 200
    testo = _testo(pagina)
    assert '<label for="id_punto_0" class="active">Bisogni degli anziani soli</label>' in testo
    assert controlli_senza_etichetta(testo) == []
    verbale = VerbaleTavolo.objects.get(seduta=seduta)
    client.post(url, _dati_verbale(verbale))
    verbale = VerbaleTavolo.objects.get(seduta=seduta)
    assert verbale.versione == 2 and verbale.discussione[0]["testo"] == "Si è discusso della solitudine."


def test_a_stale_save_keeps_the_text_and_says_why(client, scena):
    seduta = scena.seduta()
    verbale = scena.verbale(seduta)
    verbale_salva(verbale=verbale, utente=scena.udp, versione=1,
                  discussione=[{"punto": "Bisogni degli anziani soli", "testo": "Testo dell'UdP"}],
                  decisioni="", prossimi_passi="")
    client.force_login(scena.coordinatore)
    risposta = client.post(reverse("tavoli:verbale_tavolo", args=[seduta.pk]),
                           _dati_verbale(verbale, punto_0="Il mio testo, scritto in un'ora"))
    assert risposta.status_code == 200
    testo = _testo(risposta)
    assert any("Qualcun altro ha salvato il verbale nel frattempo" in m for m in _messaggi(risposta))
    assert "Il mio testo, scritto in un&#x27;ora" in testo  # still in the editor
    assert "Testo dell&#x27;UdP" in testo  # the other version, to compare
    salvato = VerbaleTavolo.objects.get(pk=verbale.pk)
    assert salvato.versione == 2 and salvato.discussione[0]["testo"] == "Testo dell'UdP"
    assert risposta.context["form"]["versione"].value() == "2"


def test_circulated_minutes_are_read_only_for_members_who_may_observe(client, scena):
    seduta = scena.seduta()
    verbale = scena.verbale(seduta, stato=V.IN_CIRCOLAZIONE, decisioni="Mappare i centri diurni.",
                            inviato_il=timezone.now())
    url = reverse("tavoli:verbale_tavolo", args=[seduta.pk])
    client.force_login(scena.membro)
    testo = _testo(client.get(url))
    assert "Mappare i centri diurni." in testo and 'data-testid="editor-verbale"' not in testo
    client.post(url, {"azione": "osserva", "osservazione-testo": "Manca il dato sui posti di sollievo."})
    client.force_login(scena.coordinatore)
    testo = _testo(client.get(url))
    assert "Manca il dato sui posti di sollievo." in testo and "sulla versione 1" in testo
    assert verbale.osservazioni.count() == 1


def test_draft_minutes_are_hidden_from_members(client, scena):
    seduta = scena.seduta()
    scena.verbale(seduta, decisioni="Bozza riservata")
    client.force_login(scena.membro)
    testo = _testo(client.get(reverse("tavoli:verbale_tavolo", args=[seduta.pk])))
    assert "Bozza riservata" not in testo and "in redazione" in testo
    risposta = client.post(reverse("tavoli:verbale_tavolo", args=[seduta.pk]), {"azione": "approva"})
    assert risposta.status_code == 403


def test_the_coordinator_approves_and_the_minutes_freeze(client, scena):
    seduta = scena.seduta()
    verbale = scena.verbale(seduta)
    url = reverse("tavoli:verbale_tavolo", args=[seduta.pk])
    client.force_login(scena.coordinatore)
    risposta = client.post(url, _dati_verbale(verbale, azione="approva", **{"approva-modalita": "coordinatore"}),
                           follow=True)
    verbale = VerbaleTavolo.objects.select_related("documento").get(pk=verbale.pk)
    assert verbale.stato == V.APPROVATO and verbale.approvato_da == scena.coordinatore
    assert verbale.decisioni == "Mappare i centri diurni." and verbale.documento is not None
    testo = _testo(risposta)
    assert "Approvato il" in testo and "da Carla Coordi" in testo
    assert reverse("accordi:documento", args=[verbale.documento.pk]) in testo
    assert 'data-testid="editor-verbale"' not in testo
    assert "Aggiungi un bisogno" not in _testo(client.get(reverse("tavoli:seduta_tavolo", args=[seduta.pk])))


def test_approval_in_a_later_session_needs_that_session(client, scena):
    seduta = scena.seduta(giorni=-10)
    successiva = scena.seduta(giorni=-1)
    verbale = scena.verbale(seduta)
    url = reverse("tavoli:verbale_tavolo", args=[seduta.pk])
    client.force_login(scena.udp)
    risposta = client.post(url, _dati_verbale(verbale, azione="approva", **{"approva-modalita": "seduta"}))
    assert risposta.status_code == 200 and "Scegli la seduta in cui il verbale è stato approvato." in _testo(risposta)
    assert VerbaleTavolo.objects.get(pk=verbale.pk).versione == 1  # nothing half-saved
    client.post(url, _dati_verbale(verbale, azione="approva", **{"approva-modalita": "seduta",
                                                                 "approva-seduta_approvazione": successiva.pk}))
    verbale = VerbaleTavolo.objects.get(pk=verbale.pk)
    assert verbale.stato == V.APPROVATO and verbale.approvato_in == successiva


def test_a_refused_transition_does_not_save_the_text_either(client, scena):
    seduta = scena.seduta()
    verbale = scena.verbale(seduta, stato=V.IN_CIRCOLAZIONE, inviato_il=timezone.now())
    client.force_login(scena.coordinatore)
    risposta = client.post(reverse("tavoli:verbale_tavolo", args=[seduta.pk]),
                           _dati_verbale(verbale, azione="invia", stato_atteso="bozza"))
    assert risposta.status_code == 200 and "Si è discusso della solitudine." in _testo(risposta)
    assert VerbaleTavolo.objects.get(pk=verbale.pk).versione == 1


# --- focus-groups --------------------------------------------------------------------------------

def test_the_coordinator_creates_a_focus_group_and_edits_its_members(client, scena):
    altri = scena.aggiungi_membri(2)
    client.force_login(scena.coordinatore)
    pagina = client.get(reverse("tavoli:focus_group_nuovo", args=[scena.tavolo.pk]))
    assert controlli_senza_etichetta(_testo(pagina)) == []
    client.post(reverse("tavoli:focus_group_nuovo", args=[scena.tavolo.pk]),
                {"nome": "Domiciliarità", "tema": "SAD e pasti", "membri": [scena.riga_membro.pk, altri[0].pk]})
    fg = scena.tavolo.focus_group.get()
    assert set(fg.membri.all()) == {scena.riga_membro, altri[0]}
    client.post(reverse("tavoli:focus_group", args=[fg.pk]), {"membri": [altri[1].pk]})
    assert set(fg.membri.all()) == {altri[1]}
    client.force_login(scena.membro)
    assert client.get(reverse("tavoli:focus_group", args=[fg.pk])).status_code == 200
    assert client.post(reverse("tavoli:focus_group", args=[fg.pk]), {"membri": []}).status_code == 403


# --- queries do not grow with the data -----------------------------------------------------------
# Each test measures a page with 2 members/contributions, grows the data to 10, and checks the
# page costs no more queries than before (the first request warms per-process caches).

def _conta_query(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as catturate:
        assert client.get(url).status_code == 200
    return len(catturate.captured_queries)


def test_tavolo_page_queries_are_constant(client, scena, django_assert_max_num_queries):
    url = reverse("tavoli:tavolo", args=[scena.tavolo.pk])
    scena.aggiungi_membri(2)
    scena.seduta()
    client.force_login(scena.udp)
    piccolo = _conta_query(client, url)
    scena.aggiungi_membri(8)
    for _ in range(8):
        scena.seduta()
    MembroTavolo.objects.create(tavolo=scena.tavolo, utente=scena.referente_ts, stato=M.RICHIESTA,
                                proposto_da=scena.referente_ts)
    with django_assert_max_num_queries(piccolo):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("chi", ["coordinatore", "membro"])
def test_session_page_queries_are_constant(client, scena, chi, django_assert_max_num_queries):
    seduta = scena.seduta()
    url = reverse("tavoli:seduta_tavolo", args=[seduta.pk])
    scena.aggiungi_membri(2)
    scena.bisogni(seduta, 2)
    scena.offerte(seduta, 2)
    client.force_login(getattr(scena, chi))
    piccolo = _conta_query(client, url)
    scena.aggiungi_membri(8)
    scena.bisogni(seduta, 8)
    scena.offerte(seduta, 8)
    with django_assert_max_num_queries(piccolo):
        assert client.get(url).status_code == 200


def test_minutes_and_list_queries_are_constant(client, scena, django_assert_max_num_queries):
    seduta = scena.seduta()
    scena.verbale(seduta)
    verbale_url = reverse("tavoli:verbale_tavolo", args=[seduta.pk])
    elenco_url = reverse("tavoli:tavoli_piano", args=[scena.piano.pk])
    scena.aggiungi_membri(2)
    scena.bisogni(seduta, 2)
    client.force_login(scena.coordinatore)
    verbale_piccolo = _conta_query(client, verbale_url)
    client.force_login(scena.udp)
    elenco_piccolo = _conta_query(client, elenco_url)
    scena.aggiungi_membri(8)
    scena.bisogni(seduta, 8)
    for _ in range(8):
        scena.seduta()
    with django_assert_max_num_queries(elenco_piccolo):
        assert client.get(elenco_url).status_code == 200
    client.force_login(scena.coordinatore)
    with django_assert_max_num_queries(verbale_piccolo):
        assert client.get(verbale_url).status_code == 200


# --- the desk and the plan page ------------------------------------------------------------------

def _altri_tavoli(scena, quanti, da=0):
    """``quanti`` more tavoli of the plan, each inviting the mayor, asked to join by a referente,
    with a convened session and circulated minutes for the member."""
    regione = scena.mondo.ambito.asl.regione
    for i in range(da, da + quanti):
        area = AreaIntervento.objects.create(regione=regione, codice=f"area-{i}", nome=f"Area {i}", ordine=10 + i)
        tavolo = Tavolo.objects.create(piano=scena.piano, area=area, nome=f"Tavolo {i}",
                                       coordinatore=scena.coordinatore, creato_da=scena.udp)
        MembroTavolo.objects.create(tavolo=tavolo, utente=scena.sindaco, stato=M.INVITATO, proposto_da=scena.udp)
        MembroTavolo.objects.create(tavolo=tavolo, utente=scena.referente_ts, stato=M.RICHIESTA,
                                    proposto_da=scena.referente_ts)
        MembroTavolo.objects.create(tavolo=tavolo, utente=scena.membro, stato=M.ATTIVO, proposto_da=scena.udp)
        SedutaTavolo.objects.create(tavolo=tavolo, numero=1, stato=S.CONVOCATA, luogo="Sala",
                                    data=timezone.now() + datetime.timedelta(days=3),
                                    ordine_del_giorno="Avvio", creata_da=scena.udp)
        passata = SedutaTavolo.objects.create(tavolo=tavolo, numero=2, stato=S.SVOLTA, luogo="Sala",
                                              data=timezone.now() - datetime.timedelta(days=3),
                                              ordine_del_giorno="Avvio", creata_da=scena.udp)
        VerbaleTavolo.objects.create(seduta=passata, stato=V.IN_CIRCOLAZIONE, redatto_da=scena.coordinatore,
                                     inviato_il=timezone.now())


def test_the_desk_shows_what_waits_in_the_tavoli(client, scena):
    _altri_tavoli(scena, 1)
    home = reverse("accordi:home")
    client.force_login(scena.sindaco)
    testo = _testo(client.get(home))
    assert 'data-testid="invito-tavolo"' in testo and "Accetta" in testo
    invito = MembroTavolo.objects.get(utente=scena.sindaco, stato=M.INVITATO)
    client.post(reverse("tavoli:membro_azione", args=[invito.pk, "declina-invito"]), {"next": home})
    invito.refresh_from_db()
    assert invito.stato == M.DECLINATO
    client.force_login(scena.coordinatore)
    testo = _testo(client.get(home))
    assert 'data-testid="richiesta-tavolo"' in testo and "Teresa Terzi" in testo
    client.force_login(scena.membro)
    testo = _testo(client.get(home))
    assert 'data-testid="seduta-tavolo"' in testo and "aspetta le tue osservazioni" in testo
    client.force_login(scena.estraneo)
    assert 'data-testid="scrivania-tavoli"' not in _testo(client.get(home))


@pytest.mark.parametrize("chi", ["sindaco", "coordinatore", "membro"])
def test_the_desk_block_costs_the_same_queries(client, scena, chi, django_assert_max_num_queries):
    casa = reverse("accordi:home")
    _altri_tavoli(scena, 2)
    client.force_login(getattr(scena, chi))
    piccolo = _conta_query(client, casa)
    _altri_tavoli(scena, 8, da=2)
    with django_assert_max_num_queries(piccolo):
        assert client.get(casa).status_code == 200


def test_the_plan_page_lists_its_tavoli(client, scena):
    scena.aggiungi_membri(2)
    seduta = scena.seduta()
    scena.verbale(seduta, stato=V.APPROVATO, modalita_approvazione="coordinatore", approvato_il=timezone.now(),
                  approvato_da=scena.coordinatore)
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:piano", args=[scena.piano.pk])))
    assert "Tavolo anziani" in testo and "4 componenti" in testo and "1 seduta svolta" in testo
    assert "1 verbale approvato" in testo and reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk]) in testo
    client.force_login(scena.sindaco)
    testo = _testo(client.get(reverse("accordi:piano", args=[scena.piano.pk])))
    assert "Tavolo anziani" in testo and reverse("tavoli:tavolo_nuovo", args=[scena.piano.pk]) not in testo

"""A plan's knowledge base (needs, offer, proposals raised at its tavoli): who reads it,
filters, counts and totals, CSV export, pagination and query counts; and the region's areas
of intervention and catalogue of services, kept by the regional officers."""

import csv
import datetime
import html
import io
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ambiti.models import Comune, Incarico, Regione, Utente
from tavoli import selectors_conoscenza as sel
from tavoli.models import (
    AreaIntervento,
    Bisogno,
    MembroTavolo,
    Proposta,
    SedutaTavolo,
    Tavolo,
    TipoUnitaOfferta,
    UnitaOfferta,
)
from tavoli.services_tavoli import aree_della_regione

from ..factories import UtenteFactory, utente_con_ruolo

R = Incarico.Ruolo


@dataclass
class Base:
    """The plan of the Ambito di Pavia with two tavoli (anziani, disabilità), one held session
    each, a member who is not otherwise in the ambito, and a person only invited."""

    mondo: object
    piano: object
    udp: Utente
    anziani: Tavolo
    disabilita: Tavolo
    seduta_anziani: SedutaTavolo
    seduta_disabilita: SedutaTavolo
    membro: Utente
    invitato: Utente
    comuni: list[Comune]

    def bisogno(self, seduta=None, **campi) -> Bisogno:
        seduta = seduta or self.seduta_anziani
        comuni = campi.pop("comuni", [])
        valori = {"destinatari": "Anziani soli non autosufficienti", "priorita": "media",
                  "descrizione": "Mancano posti di sollievo per le famiglie che assistono a casa.",
                  "evidenza": "Lista d'attesa del SAD: 42 persone", "proposto_da": "Maria Rossi"}
        valori.update(campi)
        b = Bisogno.objects.create(seduta=seduta, area=seduta.tavolo.area, registrato_da=self.udp, **valori)
        b.comuni.set(comuni)
        return b

    def offerta(self, seduta=None, tipo="sad", **campi) -> UnitaOfferta:
        seduta = seduta or self.seduta_anziani
        valori = {"denominazione": "SAD comunale", "comune": self.comuni[0], "capacita": 30,
                  "gestore_nome": "Cooperativa Il Melograno", "indirizzo": "Via Roma 1"}
        valori.update(campi)
        return UnitaOfferta.objects.create(seduta=seduta, area=seduta.tavolo.area, registrato_da=self.udp,
                                           tipo=TipoUnitaOfferta.objects.get(codice=tipo, regione=None), **valori)

    def proposta(self, seduta=None, bisogni=(), **campi) -> Proposta:
        seduta = seduta or self.seduta_anziani
        valori = {"titolo": "Ricoveri di sollievo diffusi", "descrizione": "Dieci posti di sollievo nelle RSA."}
        valori.update(campi)
        p = Proposta.objects.create(seduta=seduta, area=seduta.tavolo.area, registrato_da=self.udp, **valori)
        p.bisogni.set(bisogni)
        return p


def _tavolo(piano, area, coordinatore, nome) -> Tavolo:
    return Tavolo.objects.create(piano=piano, area=area, nome=nome, coordinatore=coordinatore,
                                 creato_da=coordinatore)


def _seduta_svolta(tavolo, numero=1, giorni_fa=10) -> SedutaTavolo:
    return SedutaTavolo.objects.create(
        tavolo=tavolo, numero=numero, data=timezone.now() - datetime.timedelta(days=giorni_fa),
        luogo="Sala del Consiglio, Pavia", ordine_del_giorno="Bisogni emersi\nMappa dell'offerta",
        stato=SedutaTavolo.Stato.SVOLTA, creata_da=tavolo.coordinatore)


@pytest.fixture
def base(mondo) -> Base:
    regione = mondo.ambito.asl.regione
    aree_della_regione(regione)
    udp = mondo[R.RESPONSABILE_UDP]
    anziani = _tavolo(mondo.piano, AreaIntervento.objects.get(regione=regione, codice="anziani"), udp,
                      "Tavolo anziani")
    disabilita = _tavolo(mondo.piano, AreaIntervento.objects.get(regione=regione, codice="disabilita"), udp,
                         "Tavolo disabilità")
    membro = UtenteFactory(username="membro-tavolo", first_name="Lucia", last_name="Bianchi")
    invitato = UtenteFactory(username="invitato")
    MembroTavolo.objects.create(tavolo=anziani, utente=membro, stato=MembroTavolo.Stato.ATTIVO, proposto_da=udp)
    MembroTavolo.objects.create(tavolo=anziani, utente=invitato, stato=MembroTavolo.Stato.INVITATO,
                                proposto_da=udp)
    comuni = list(mondo.ambito.comuni.order_by("pk"))
    for c, nome in zip(comuni, ["Pavia", "Borgarello", "Cava Manara"], strict=True):
        c.denominazione = nome
        c.save()
    return Base(mondo=mondo, piano=mondo.piano, udp=udp, anziani=anziani, disabilita=disabilita,
                seduta_anziani=_seduta_svolta(anziani), seduta_disabilita=_seduta_svolta(disabilita),
                membro=membro, invitato=invitato, comuni=comuni)


def _url(base, **query):
    url = reverse("tavoli:conoscenza", args=[base.piano.pk])
    return url + "?" + urlencode(query) if query else url


def _csv(risposta) -> list[list[str]]:
    dati = risposta.content
    assert dati.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(dati.decode("utf-8-sig")), delimiter=";"))


# --- who reads -------------------------------------------------------------------------------


def test_udp_reads_the_knowledge_base_with_each_item_traceable(client, base):
    b = base.bisogno(priorita="alta", comuni=base.comuni[:2])
    o = base.offerta()
    p = base.proposta(bisogni=[b])
    client.force_login(base.udp)
    pagina = html.unescape(client.get(_url(base)).content.decode())
    assert "Analisi dei bisogni e dell'offerta" in pagina
    assert f'id="bisogno-{b.pk}"' in pagina and "Anziani soli non autosufficienti" in pagina
    assert "Priorità alta" in pagina and "Lista d'attesa del SAD: 42 persone" in pagina
    assert "Borgarello, Pavia" in pagina and "Tavolo anziani" in pagina
    assert "seduta n. 1 del" in pagina
    try:
        link = reverse("tavoli:seduta_tavolo", args=[base.seduta_anziani.pk])
    except NoReverseMatch:  # without the session page the item still names its session, unlinked
        assert "/sedute-tavolo/" not in pagina
    else:
        assert f'href="{link}"' in pagina
    offerta = html.unescape(client.get(_url(base, elenco="offerta")).content.decode())
    assert f'id="offerta-{o.pk}"' in offerta and "Cooperativa Il Melograno" in offerta and "30 utenti" in offerta
    proposte = html.unescape(client.get(_url(base, elenco="proposte")).content.decode())
    assert f'id="proposta-{p.pk}"' in proposte and "Ricoveri di sollievo diffusi" in proposte
    assert f"voce={b.pk}#bisogno-{b.pk}" in proposte


def test_active_member_of_a_tavolo_reads_the_plans_knowledge_base(client, base):
    base.bisogno()
    client.force_login(base.membro)
    assert client.get(_url(base)).status_code == 200
    client.force_login(base.invitato)  # invited, not yet a member
    assert client.get(_url(base)).status_code == 403


def test_people_of_another_ambito_are_refused_and_anonymous_users_sent_to_login(client, base):
    client.force_login(base.mondo.udp_altro)
    assert client.get(_url(base)).status_code == 403
    assert client.get(reverse("tavoli:conoscenza_csv", args=[base.piano.pk, "bisogni"])).status_code == 403
    client.logout()
    risposta = client.get(_url(base))
    assert risposta.status_code == 302 and reverse("login") in risposta.url


def test_regional_officer_reads_only_in_their_region(client, base):
    client.force_login(base.mondo.regionale)
    assert client.get(_url(base)).status_code == 200
    altra = Regione.objects.create(codice_istat="01", nome="Piemonte")
    client.force_login(utente_con_ruolo(R.OPERATORE_REGIONALE, regione=altra, username="reg-piemonte"))
    assert client.get(_url(base)).status_code == 403


def test_a_union_referent_reads_as_the_plan_page_does(client, base):
    client.force_login(base.mondo[R.REFERENTE_SINDACATO])
    assert client.get(_url(base)).status_code == 200


# --- the selector ----------------------------------------------------------------------------


def test_selector_returns_only_the_plans_items_and_stable_links(base):
    mio = base.bisogno()
    altro_udp = base.mondo.udp_altro
    area = base.anziani.area
    tavolo_altro = _tavolo(base.mondo.piano_altro, area, altro_udp, "Tavolo anziani di Certosa")
    Bisogno.objects.create(seduta=_seduta_svolta(tavolo_altro), area=area, registrato_da=altro_udp,
                           destinatari="Altri", descrizione="Altro piano")
    conoscenza = sel.conoscenza_del_piano(base.piano)
    assert list(conoscenza.bisogni) == [mio]
    assert sel.ancora(mio) == f"bisogno-{mio.pk}"
    link = sel.indirizzo_voce(mio, base.piano.pk)
    assert link.endswith(f"?elenco=bisogni&voce={mio.pk}#bisogno-{mio.pk}")


def test_a_cited_item_opens_alone(client, base):
    citato, altro = base.bisogno(destinatari="Caregiver familiari"), base.bisogno(destinatari="Giovani NEET")
    client.force_login(base.udp)
    pagina = html.unescape(client.get(sel.indirizzo_voce(citato, base.piano.pk)).content.decode())
    assert f'id="bisogno-{citato.pk}"' in pagina and f'id="bisogno-{altro.pk}"' not in pagina
    assert "Stai vedendo una sola voce" in pagina


# --- filters, counts and totals --------------------------------------------------------------


def test_filters_by_area_priority_comune_tavolo_and_text(client, base):
    pavia, borgarello = base.comuni[0], base.comuni[1]
    a = base.bisogno(destinatari="Anziani soli", priorita="alta", comuni=[pavia])
    m = base.bisogno(destinatari="Caregiver", priorita="media", comuni=[borgarello], evidenza="Sportello caregiver")
    d = base.bisogno(base.seduta_disabilita, destinatari="Giovani con disabilità", priorita="alta",
                     comuni=[pavia, borgarello])
    client.force_login(base.udp)

    def ids(**query):
        pagina = html.unescape(client.get(_url(base, **query)).content.decode())
        return {b.pk for b in (a, m, d) if f'id="bisogno-{b.pk}"' in pagina}

    assert ids() == {a.pk, m.pk, d.pk}
    assert ids(area=base.disabilita.area_id) == {d.pk}
    assert ids(priorita="alta") == {a.pk, d.pk}
    assert ids(comune=borgarello.pk) == {m.pk, d.pk}
    assert ids(tavolo=base.anziani.pk) == {a.pk, m.pk}
    assert ids(q="sportello") == {m.pk}
    assert ids(priorita="alta", comune=borgarello.pk) == {d.pk}


def test_an_invalid_filter_is_ignored_with_an_italian_message(client, base):
    b = base.bisogno()
    client.force_login(base.udp)
    risposta = client.get(_url(base, area=999999, priorita="urgentissima"))
    pagina = html.unescape(risposta.content.decode())
    assert risposta.status_code == 200 and f'id="bisogno-{b.pk}"' in pagina
    assert "il filtro è stato ignorato" in pagina and "Priorità non valida" in pagina


def test_counts_per_area_and_priority(base):
    for priorita in ("alta", "alta", "bassa"):
        base.bisogno(priorita=priorita)
    base.bisogno(base.seduta_disabilita, priorita="media")
    conteggi = sel.conteggi_bisogni(sel.conoscenza_del_piano(base.piano).bisogni)
    righe = {r["area"]: r for r in conteggi["righe"]}
    assert (righe["Anziani"]["alta"], righe["Anziani"]["media"], righe["Anziani"]["bassa"]) == (2, 0, 1)
    assert righe["Disabilità"]["totale"] == 1 and conteggi["totali"]["totale"] == 4
    assert [r["area"] for r in conteggi["righe"]] == ["Anziani", "Disabilità"]  # the region's order


def test_offer_filters_and_totals_by_kind_and_comune(client, base):
    pavia, borgarello = base.comuni[0], base.comuni[1]
    base.offerta(denominazione="SAD Pavia", comune=pavia, capacita=30)
    base.offerta(denominazione="SAD Borgarello", comune=borgarello, capacita=12)
    base.offerta(base.seduta_disabilita, tipo="cdd", denominazione="CDD Il Girasole", comune=pavia, capacita=25)
    base.offerta(tipo="cdi", denominazione="CDI senza dato", comune=pavia, capacita=None)
    totali = sel.totali_offerta(sel.conoscenza_del_piano(base.piano).offerta)
    per_tipo = {t["tipo__sigla"]: (t["unita"], t["capacita"]) for t in totali["per_tipo"]}
    assert per_tipo == {"SAD": (2, 42), "CDD": (1, 25), "CDI": (1, None)}
    per_comune = {c["comune"]: c for c in totali["per_comune"]}
    assert per_comune["Pavia"]["unita"] == 3
    assert sorted(per_comune["Pavia"]["capacita"]) == [(25, "posti"), (30, "utenti")]  # never summed across units
    client.force_login(base.udp)
    cdd = TipoUnitaOfferta.objects.get(codice="cdd", regione=None)
    pagina = html.unescape(client.get(_url(base, elenco="offerta", tipo=cdd.pk)).content.decode())
    assert "CDD Il Girasole" in pagina and "SAD Pavia" not in pagina
    pagina = html.unescape(client.get(_url(base, elenco="offerta", comune=borgarello.pk)).content.decode())
    assert "SAD Borgarello" in pagina and "SAD Pavia" not in pagina
    assert "Totali per Comune" in pagina


# --- CSV -------------------------------------------------------------------------------------


def test_csv_of_needs_is_utf8_with_bom_semicolons_italian_columns_and_respects_filters(client, base):
    base.bisogno(destinatari="Anziani; soli", priorita="alta", comuni=base.comuni[:2],
                 descrizione="Più posti di sollievo,\nsubito")
    base.bisogno(destinatari="=HYPERLINK(\"http://x\")", priorita="bassa")
    client.force_login(base.udp)
    risposta = client.get(reverse("tavoli:conoscenza_csv", args=[base.piano.pk, "bisogni"]) + "?priorita=alta")
    assert risposta.status_code == 200 and risposta["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in risposta["Content-Disposition"]
    righe = _csv(risposta)
    intestazione = righe[0]
    assert intestazione[:4] == ["ID", "Area di intervento", "Priorità", "Destinatari"]
    assert {"Tavolo", "Data della seduta", "Ente", "Comuni interessati"} <= set(intestazione)
    assert len(righe) == 2  # the low-priority need is filtered out
    riga = dict(zip(intestazione, righe[1], strict=True))
    assert riga["Destinatari"] == "Anziani; soli" and riga["Descrizione"] == "Più posti di sollievo,\nsubito"
    assert riga["Priorità"] == "Alta" and riga["Comuni interessati"] == "Borgarello, Pavia"
    assert riga["Tavolo"] == "Tavolo anziani"
    assert riga["Data della seduta"] == timezone.localtime(base.seduta_anziani.data).strftime("%d/%m/%Y")
    tutte = _csv(client.get(reverse("tavoli:conoscenza_csv", args=[base.piano.pk, "bisogni"])))
    assert any(r[3] == "'=HYPERLINK(\"http://x\")" for r in tutte[1:])  # never a live formula


def test_csv_of_offer_and_proposals(client, base):
    b = base.bisogno()
    base.offerta(denominazione="SAD Pavia", capacita=30)
    base.proposta(bisogni=[b])
    client.force_login(base.udp)
    offerta = _csv(client.get(reverse("tavoli:conoscenza_csv", args=[base.piano.pk, "offerta"])))
    riga = dict(zip(offerta[0], offerta[1], strict=True))
    assert riga["Denominazione"] == "SAD Pavia" and riga["Capacità"] == "30"
    assert riga["Capacità espressa in"] == "utenti"
    assert riga["Ente gestore"] == "Cooperativa Il Melograno" and riga["Comune"] == "Pavia"
    proposte = _csv(client.get(reverse("tavoli:conoscenza_csv", args=[base.piano.pk, "proposte"])))
    riga = dict(zip(proposte[0], proposte[1], strict=True))
    assert riga["Titolo"] == "Ricoveri di sollievo diffusi" and riga["Bisogni a cui risponde (ID)"] == str(b.pk)
    assert client.get(reverse("tavoli:conoscenza_csv", args=[base.piano.pk, "altro"])).status_code == 404


# --- pagination and queries ------------------------------------------------------------------


def test_long_lists_are_paginated_keeping_the_filters(client, base):
    for n in range(60):
        base.bisogno(destinatari=f"Gruppo {n:02d}", priorita="alta")
    base.bisogno(destinatari="Fuori filtro", priorita="bassa")
    client.force_login(base.udp)
    prima = html.unescape(client.get(_url(base, priorita="alta")).content.decode())
    assert prima.count('id="bisogno-') == 50 and "pagina 1 di 2" in prima
    assert "priorita=alta&pagina=2" in prima or "pagina=2&priorita=alta" in prima
    seconda = html.unescape(client.get(_url(base, priorita="alta", pagina=2)).content.decode())
    assert seconda.count('id="bisogno-') == 10 and "Fuori filtro" not in seconda


def _popola(base, n):
    for i in range(n):
        b = base.bisogno(destinatari=f"Gruppo {i}", priorita=("alta", "media", "bassa")[i % 3],
                         comuni=base.comuni[: 1 + i % 3])
        base.offerta(denominazione=f"Servizio {i}", comune=base.comuni[i % 3])
        base.proposta(titolo=f"Proposta {i}", bisogni=[b])


@pytest.mark.parametrize("elenco", ["bisogni", "offerta", "proposte"])
def test_queries_do_not_grow_with_the_items(client, base, elenco, django_assert_max_num_queries):
    client.force_login(base.udp)
    conteggi = []
    for n in (2, 18):  # 2, then 20 items
        _popola(base, n)
        with django_assert_max_num_queries(30), CaptureQueriesContext(connection) as pagina:
            assert client.get(_url(base, elenco=elenco)).status_code == 200
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as esportazione:
            assert client.get(reverse("tavoli:conoscenza_csv", args=[base.piano.pk, elenco])).status_code == 200
        conteggi.append((len(pagina), len(esportazione)))
    assert conteggi[0] == conteggi[1], conteggi


# --- the plan page links here ----------------------------------------------------------------


def test_plan_page_links_to_the_knowledge_base(client, base):
    client.force_login(base.udp)
    pagina = html.unescape(client.get(reverse("accordi:piano", args=[base.piano.pk])).content.decode())
    assert _url(base) in pagina and "Analisi dei bisogni e dell'offerta" in pagina


# --- regional areas and catalogue ------------------------------------------------------------


@pytest.fixture
def lombardia(mondo) -> Regione:
    return mondo.ambito.asl.regione


def test_regional_officer_gets_the_default_areas_with_fnps_and_istat(client, mondo, lombardia):
    assert not AreaIntervento.objects.filter(regione=lombardia).exists()
    client.force_login(mondo.regionale)
    pagina = html.unescape(client.get(reverse("tavoli:aree", args=[lombardia.pk])).content.decode())
    assert AreaIntervento.objects.filter(regione=lombardia).count() == 10
    assert "Minori e famiglia" in pagina and "Infanzia, adolescenza e famiglia" in pagina
    assert "Anziani (65 anni e più)" in pagina and "Centro socio educativo" in pagina  # catalogue too
    client.get(reverse("tavoli:aree", args=[lombardia.pk]))
    assert AreaIntervento.objects.filter(regione=lombardia).count() == 10  # created once


def test_areas_are_refused_to_other_regions_and_to_the_ambiti(client, mondo, lombardia):
    url = reverse("tavoli:aree", args=[lombardia.pk])
    altra = Regione.objects.create(codice_istat="01", nome="Piemonte")
    client.force_login(utente_con_ruolo(R.OPERATORE_REGIONALE, regione=altra, username="reg-piemonte"))
    assert client.get(url).status_code == 403
    assert client.post(reverse("tavoli:area_nuova", args=[lombardia.pk]), {"nome": "X", "ordine": 1}).status_code == 403
    client.force_login(mondo[R.RESPONSABILE_UDP])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert not AreaIntervento.objects.filter(nome="X").exists()


def test_add_edit_retire_and_reactivate_an_area(client, mondo, lombardia):
    client.force_login(mondo.regionale)
    risposta = client.post(reverse("tavoli:area_nuova", args=[lombardia.pk]), {
        "nome": "Contrasto alla violenza di genere", "area_fnps": "poverta", "area_istat": "multiutenza",
        "ordine": 110, "descrizione": "Centri antiviolenza e case rifugio"})
    area = AreaIntervento.objects.get(regione=lombardia, nome="Contrasto alla violenza di genere")
    assert risposta.status_code == 302 and area.codice == "contrasto-alla-violenza-di-genere" and area.attiva
    client.post(reverse("tavoli:area_modifica", args=[area.pk]), {
        "nome": "Violenza di genere", "area_fnps": "poverta", "area_istat": "poverta", "ordine": 5,
        "attiva": "on"})
    area.refresh_from_db()
    assert (area.nome, area.area_istat, area.ordine, area.codice) == (
        "Violenza di genere", "poverta", 5, "contrasto-alla-violenza-di-genere")  # the code never changes
    client.post(reverse("tavoli:area_stato", args=[area.pk]), {"attiva": "0"})
    area.refresh_from_db()
    assert not area.attiva
    pagina = html.unescape(client.get(reverse("tavoli:aree", args=[lombardia.pk])).content.decode())
    assert "Fuori uso" in pagina and "Rimetti in uso" in pagina
    client.post(reverse("tavoli:area_stato", args=[area.pk]), {"attiva": "1"})
    area.refresh_from_db()
    assert area.attiva


def test_duplicate_area_name_gets_an_italian_message_and_nothing_saved(client, mondo, lombardia):
    aree_della_regione(lombardia)
    client.force_login(mondo.regionale)
    risposta = client.post(reverse("tavoli:area_nuova", args=[lombardia.pk]),
                           {"nome": "anziani", "ordine": 1}, follow=True)
    assert "Nella Regione esiste già un'area di intervento «anziani»" in html.unescape(risposta.content.decode())
    assert AreaIntervento.objects.filter(regione=lombardia, nome__iexact="anziani").count() == 1
    vuoto = client.post(reverse("tavoli:area_nuova", args=[lombardia.pk]), {"nome": "", "ordine": 1})
    assert "Indica il nome dell'area." in html.unescape(vuoto.content.decode())


def test_an_area_used_by_a_tavolo_is_never_deleted_an_unused_one_is(client, mondo, lombardia):
    aree_della_regione(lombardia)
    usata = AreaIntervento.objects.get(regione=lombardia, codice="anziani")
    libera = AreaIntervento.objects.get(regione=lombardia, codice="giovani")
    _tavolo(mondo.piano, usata, mondo[R.RESPONSABILE_UDP], "Tavolo anziani")
    client.force_login(mondo.regionale)
    risposta = client.post(reverse("tavoli:area_elimina", args=[usata.pk]), follow=True)
    assert "non si può eliminare" in html.unescape(risposta.content.decode())
    assert AreaIntervento.objects.filter(pk=usata.pk).exists()
    client.post(reverse("tavoli:area_elimina", args=[libera.pk]))
    assert not AreaIntervento.objects.filter(pk=libera.pk).exists()


def test_regional_kind_of_service_joins_the_catalogue_and_the_filters(client, base, lombardia):
    client.force_login(base.mondo.regionale)
    risposta = client.post(reverse("tavoli:tipo_offerta_nuovo", args=[lombardia.pk]), {
        "nome": "Centro per la famiglia", "sigla": "CPF", "area_istat": "famiglia_minori",
        "unita_capacita": "famiglie"})
    assert risposta.status_code == 302
    tipo = TipoUnitaOfferta.objects.get(regione=lombardia, nome="Centro per la famiglia")
    assert tipo.codice == "centro-per-la-famiglia"
    pagina = html.unescape(client.get(reverse("tavoli:aree", args=[lombardia.pk])).content.decode())
    assert f'id="tipo-{tipo.pk}"' in pagina and "Regionale" in pagina
    doppio = client.post(reverse("tavoli:tipo_offerta_nuovo", args=[lombardia.pk]), {"nome": "asilo nido"},
                         follow=True)
    assert "Il catalogo ha già un tipo «asilo nido»" in html.unescape(doppio.content.decode())
    assert not TipoUnitaOfferta.objects.filter(regione=lombardia, nome__iexact="asilo nido").exists()
    client.force_login(base.udp)
    filtri = html.unescape(client.get(_url(base, elenco="offerta")).content.decode())
    assert "Centro per la famiglia (CPF)" in filtri

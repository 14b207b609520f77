"""The Accordo di Programma's services and selectors: the Accordo proposed from the plan or
copied after an update, validation, who may write and when, the cost sharing and its CSV."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from accordi import selectors_accordo as sel
from accordi import services_accordo as sa
from accordi.exceptions import DatiNonValidi, PermessoNegato
from accordi.models import (
    AccordoDiProgramma,
    Documento,
    ImportoOnere,
    ParteAccordo,
    PianoDiZona,
    UtentiServiti,
    VoceOnere,
)
from accordi.services_documenti import documento_richiedi
from accordi.services_firme import firmatari_proposti
from ambiti.models import Ente, Incarico

from ..factories import AmbitoFactory, ComuneFactory, EnteFactory, ProvinciaFactory, UtenteFactory, crea_piano
from .accordo_dati import completa, designa_capofila, ente_del_comune, sindaci

R = Incarico.Ruolo
MISTO = VoceOnere.Criterio.MISTO
PER_ABITANTE = VoceOnere.Criterio.PER_ABITANTE


def _stato(piano, stato, **campi):
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=stato, **campi)
    piano.refresh_from_db()
    return piano


@pytest.fixture
def piano(mondo):
    return _stato(mondo.piano, "accordo")


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


def _voce(accordo, udp, **campi):
    valori = {"denominazione": "Segretariato sociale", "criterio": MISTO, "quota_popolazione": 6000,
              "quota_utenti": 3000, "quota_parti_uguali": 1000, "importi": {2025: 1_000_000, 2026: 1_000_000},
              "utenti": {}}
    valori.update(campi)
    if valori["quota_utenti"] and not valori["utenti"] and "utenti" not in campi:
        valori["utenti"] = {c.pk: 10 for c in sel.comuni_del_piano(accordo.piano)}
    return sa.voce_salva(accordo=accordo, utente=udp, **valori)


# --- the Accordo proposed from the plan ----------------------------------------------------------


def test_proposto_dal_piano_con_parti_firmatari_date_e_popolazione(mondo, piano):
    persone = sindaci(mondo.ambito)
    accordo = sa.accordo_di(piano)
    parti = list(sel.parti_dell_accordo(accordo))
    comuni = list(mondo.ambito.comuni.order_by("denominazione"))
    assert [p.ente.comune for p in parti[:3]] == comuni
    assert [p.ruolo for p in parti] == ["comune"] * 3 + ["asl"]
    assert parti[3].ente.asl == mondo.ambito.asl
    assert all(p.firma_obbligatoria for p in parti)
    assert [p.firmatario for p in parti] == [persone[c.pk] for c in comuni] + [mondo[R.REFERENTE_ASL]]
    assert [p.ordine for p in parti] == [1, 2, 3, 4]
    assert (accordo.data_inizio, accordo.data_fine) == (piano.ciclo.validita_inizio, piano.ciclo.validita_fine)
    assert accordo.data_popolazione == datetime.date(2011, 10, 9)
    assert sel.popolazioni_dell_accordo(accordo) == {c.pk: 1000 for c in comuni}
    assert accordo.modalita_aggiornamento
    assert accordo.ente_capofila is None
    # idempotent
    assert sa.accordo_di(piano).pk == accordo.pk
    assert AccordoDiProgramma.objects.filter(piano=piano).count() == 1
    assert sa.accordo_di(mondo.piano_altro, crea=False) is None


def test_capofila_dalla_deliberazione_piu_recente_finche_si_modifica(mondo, piano, udp):
    primo, secondo = (ente_del_comune(c) for c in mondo.ambito.comuni.order_by("denominazione")[:2])
    prima = designa_capofila(piano, primo, udp, numero=3)
    accordo = sa.accordo_di(piano)
    assert (accordo.ente_capofila, accordo.deliberazione_capofila) == (primo, prima)
    seconda = designa_capofila(piano, secondo, udp, numero=7)
    accordo = sa.accordo_di(piano)
    assert (accordo.ente_capofila, accordo.deliberazione_capofila) == (secondo, seconda)
    accordo.refresh_from_db()
    assert accordo.ente_capofila == secondo
    # once at signature the Accordo does not move
    _stato(piano, "sottoscrizione")
    designa_capofila(piano, primo, udp, numero=9)
    assert sa.accordo_di(piano).ente_capofila == secondo


def test_dopo_aggiorna_la_nuova_revisione_copia_quella_in_vigore(mondo, piano, udp):
    accordo = completa(piano, udp)
    _voce(accordo, udp, denominazione="Tutela minori")
    sa.popolazioni_aggiorna(accordo=accordo, utente=udp, abitanti={mondo.ambito.comuni.first().pk: 1234})
    _stato(piano, "bozza", revisione=2, revisione_vigente=1, vigente_dal=datetime.date(2026, 1, 10))

    nuovo = sa.accordo_di(piano)
    assert (nuovo.revisione, accordo.revisione) == (2, 1) and nuovo.pk != accordo.pk
    campi = ("ente_capofila_id", "deliberazione_capofila_id", "data_inizio", "data_fine", "modalita_aggiornamento",
             "data_popolazione")
    assert [getattr(nuovo, c) for c in campi] == [getattr(accordo, c) for c in campi]

    def fotografia(a):
        return (
            [(p.ente_id, p.ruolo, p.firma_obbligatoria, p.firmatario_id, p.impegni, p.ordine)
             for p in sel.parti_dell_accordo(a)],
            sel.popolazioni_dell_accordo(a),
            [(v.denominazione, v.criterio, v.quota_popolazione, v.quota_utenti, v.quota_parti_uguali,
              [(i.anno, i.centesimi) for i in v.importi.all()],
              sorted((u.comune_id, u.numero) for u in v.utenti_serviti.all())) for v in sel.voci_dell_accordo(a)],
        )

    assert fotografia(nuovo) == fotografia(accordo)
    assert nuovo.documento is None
    # changing the update leaves the Accordo in force untouched
    voce = nuovo.voci_onere.first()
    _voce(nuovo, udp, voce=voce, denominazione="Ufficio di Piano (aggiornato)", criterio=PER_ABITANTE,
          importi={2026: 5})
    assert accordo.voci_onere.get(ordine=voce.ordine).denominazione == "Ufficio di Piano"
    with pytest.raises(DatiNonValidi, match="revisione precedente"):
        sa.accordo_aggiorna(accordo=accordo, utente=udp, data_inizio=accordo.data_inizio,
                            data_fine=accordo.data_fine, modalita_aggiornamento="", data_popolazione=None)


def test_un_comune_senza_ente_e_la_asl_senza_ente_entrano_nell_anagrafe(db):
    ambito = AmbitoFactory()
    piano = crea_piano(ambito, stato="bozza")
    accordo = sa.accordo_di(piano)
    assert {p.ente.denominazione for p in accordo.parti.select_related("ente")} == (
        {f"Comune di {c.denominazione}" for c in ambito.comuni.all()} | {ambito.asl.nome})
    assert all(p.firmatario is None for p in accordo.parti.all())
    assert Ente.objects.filter(comune__in=ambito.comuni.all(), tipo="comune").count() == 3


# --- the Accordo's fields --------------------------------------------------------------------------


def test_date_entro_il_ciclo_e_ordinate(piano, udp):
    accordo = sa.accordo_di(piano)
    with pytest.raises(DatiNonValidi) as errore:
        sa.accordo_aggiorna(accordo=accordo, utente=udp, data_inizio=datetime.date(2025, 1, 1),
                            data_fine=datetime.date(2100, 1, 1), modalita_aggiornamento="", data_popolazione=None)
    assert errore.value.messaggi == [
        "La data di inizio (01/01/2025) deve cadere nel periodo di validità degli Accordi del ciclo, dal 01/04/2025 "
        "al 31/12/2099.",
        "La data di fine (01/01/2100) deve cadere nel periodo di validità degli Accordi del ciclo, dal 01/04/2025 "
        "al 31/12/2099.",
    ]
    with pytest.raises(DatiNonValidi, match="La data di fine non può precedere la data di inizio"):
        sa.accordo_aggiorna(accordo=accordo, utente=udp, data_inizio=datetime.date(2026, 6, 1),
                            data_fine=datetime.date(2026, 5, 1), modalita_aggiornamento="", data_popolazione=None)
    with pytest.raises(DatiNonValidi, match="Indica la data di inizio"):
        sa.accordo_aggiorna(accordo=accordo, utente=udp, data_inizio=None, data_fine=datetime.date(2026, 5, 1),
                            modalita_aggiornamento="", data_popolazione=None)
    accordo.refresh_from_db()
    assert accordo.data_inizio == datetime.date(2025, 4, 1)  # nothing saved
    sa.accordo_aggiorna(accordo=accordo, utente=udp, data_inizio=datetime.date(2026, 1, 1),
                        data_fine=datetime.date(2028, 12, 31), modalita_aggiornamento="  Con deliberazione.  ",
                        data_popolazione=datetime.date(2025, 1, 1))
    accordo.refresh_from_db()
    assert (accordo.data_inizio, accordo.data_fine, accordo.modalita_aggiornamento, accordo.data_popolazione,
            accordo.aggiornato_da) == (datetime.date(2026, 1, 1), datetime.date(2028, 12, 31), "Con deliberazione.",
                                       datetime.date(2025, 1, 1), udp)


def test_impegni_e_firmatario(mondo, piano, udp):
    accordo = sa.accordo_di(piano)
    parte = accordo.parti.get(ruolo="asl")
    sa.parte_aggiorna(parte=parte, utente=udp, impegni=" Integrazione sociosanitaria. ")
    parte.refresh_from_db()
    assert (parte.impegni, parte.firmatario) == ("Integrazione sociosanitaria.", mondo[R.REFERENTE_ASL])
    senza_cf = UtenteFactory(codice_fiscale="")
    with pytest.raises(DatiNonValidi, match="non ha un codice fiscale"):
        sa.parte_aggiorna(parte=parte, utente=udp, impegni="Altro", firmatario=senza_cf)
    parte.refresh_from_db()
    assert parte.impegni == "Integrazione sociosanitaria."
    sa.parte_aggiorna(parte=parte, utente=udp, impegni="Altro", firmatario=None)
    parte.refresh_from_db()
    assert parte.firmatario is None
    altra = sa.accordo_di(_stato(mondo.piano_altro, "accordo")).parti.first()
    with pytest.raises(PermessoNegato):  # a party of the other ambito's Accordo
        sa.parte_aggiorna(parte=altra, utente=udp, impegni="x")
    with pytest.raises(PermessoNegato):  # the same, passed as if it were of this Accordo
        sa.parte_aggiorna(parte=ParteAccordo(pk=altra.pk, accordo=accordo), utente=udp, impegni="x")


def test_provincia_e_altri_enti_pubblici(piano, udp):
    accordo = sa.accordo_di(piano)
    provincia = EnteFactory(tipo=Ente.Tipo.PROVINCIA, provincia=ProvinciaFactory(), denominazione="Provincia di Pavia")
    parte = sa.parte_aggiungi(accordo=accordo, utente=udp, ente=provincia, ruolo="provincia", firma_obbligatoria=False)
    assert (parte.firma_obbligatoria, parte.ordine) == (True, 5)
    consorzio = EnteFactory(tipo=Ente.Tipo.AZIENDA_CONSORTILE, denominazione="Consorzio servizi")
    facoltativa = sa.parte_aggiungi(accordo=accordo, utente=udp, ente=consorzio, ruolo="altro_pubblico",
                                    firma_obbligatoria=False)
    assert not facoltativa.firma_obbligatoria
    with pytest.raises(DatiNonValidi, match="è già parte"):
        sa.parte_aggiungi(accordo=accordo, utente=udp, ente=consorzio, ruolo="altro_pubblico",
                          firma_obbligatoria=True)
    ets = EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, forma_giuridica="aps")
    with pytest.raises(DatiNonValidi, match="richiesta di adesione"):
        sa.parte_aggiungi(accordo=accordo, utente=udp, ente=ets, ruolo="altro_pubblico", firma_obbligatoria=False)
    with pytest.raises(DatiNonValidi, match="non è una Provincia"):
        sa.parte_aggiungi(accordo=accordo, utente=udp, ente=consorzio, ruolo="provincia", firma_obbligatoria=True)
    with pytest.raises(DatiNonValidi, match="non è un ente pubblico"):
        sa.parte_aggiungi(accordo=accordo, utente=udp, ente=EnteFactory(tipo=Ente.Tipo.ALTRO),
                          ruolo="altro_pubblico", firma_obbligatoria=False)
    with pytest.raises(DatiNonValidi, match="già parti dell'Accordo"):
        sa.parte_aggiungi(accordo=accordo, utente=udp, ente=EnteFactory(tipo=Ente.Tipo.ALTRO_PUBBLICO),
                          ruolo="comune", firma_obbligatoria=True)
    # the Comuni of the plan and the ASL stay; the others may go
    with pytest.raises(DatiNonValidi, match="parte necessaria"):
        sa.parte_rimuovi(parte=accordo.parti.filter(ruolo="comune").first(), utente=udp)
    with pytest.raises(DatiNonValidi, match="parte necessaria"):
        sa.parte_rimuovi(parte=accordo.parti.get(ruolo="asl"), utente=udp)
    sa.parte_rimuovi(parte=facoltativa, utente=udp)
    assert list(accordo.parti.values_list("ruolo", flat=True)) == ["comune"] * 3 + ["asl", "provincia"]


def test_popolazioni(mondo, piano, udp):
    accordo = sa.accordo_di(piano)
    a, b, c = mondo.ambito.comuni.order_by("denominazione")
    sa.popolazioni_aggiorna(accordo=accordo, utente=udp, abitanti={a.pk: 71_000, str(b.pk): "4.000", c.pk: None})
    assert sel.popolazioni_dell_accordo(accordo) == {a.pk: 71_000, b.pk: 4_000}
    fuori = ComuneFactory()
    with pytest.raises(DatiNonValidi) as errore:
        sa.popolazioni_aggiorna(accordo=accordo, utente=udp, abitanti={a.pk: 0, b.pk: "molti", fuori.pk: 10})
    assert errore.value.messaggi == [
        f"La popolazione di {a.denominazione} deve essere un numero intero positivo.",
        f"La popolazione di {b.denominazione} deve essere un numero intero positivo.",
        "Uno dei Comuni indicati non fa parte del piano.",
    ]
    assert sel.popolazioni_dell_accordo(accordo) == {a.pk: 71_000, b.pk: 4_000}


# --- cost items ------------------------------------------------------------------------------------


def test_voce_mista_salvata_con_importi_e_utenti(mondo, piano, udp):
    accordo = sa.accordo_di(piano)
    a, b, c = mondo.ambito.comuni.order_by("denominazione")
    voce = _voce(accordo, udp, utenti={a.pk: 12, b.pk: 0, str(c.pk): 3}, importi={2025: 500_00, "2026": 0,
                                                                                   2027: 700_00})
    assert (voce.criterio, voce.quota_popolazione, voce.quota_utenti, voce.quota_parti_uguali, voce.ordine) == (
        MISTO, 6000, 3000, 1000, 1)
    assert list(voce.importi.values_list("anno", "centesimi")) == [(2025, 500_00), (2027, 700_00)]
    assert dict(voce.utenti_serviti.values_list("comune_id", "numero")) == {a.pk: 12, c.pk: 3}
    # a rule per inhabitant is 100% by population whatever was typed
    voce = _voce(accordo, udp, voce=voce, criterio=PER_ABITANTE, quota_popolazione=10, quota_utenti=20,
                 quota_parti_uguali=30, importi={2026: 1})
    assert (voce.quota_popolazione, voce.quota_utenti, voce.quota_parti_uguali) == (10000, 0, 0)
    assert list(voce.importi.values_list("anno", "centesimi")) == [(2026, 1)]
    assert VoceOnere.objects.count() == 1
    assert _voce(accordo, udp, denominazione="SAD").ordine == 2


@pytest.mark.parametrize("campi, messaggio", [
    ({"quota_parti_uguali": 0}, "Le percentuali devono sommare a 100: ora sommano a 90."),
    ({"quota_popolazione": 5050, "quota_parti_uguali": 1000}, "Le percentuali devono sommare a 100: ora sommano a "
                                                              "90,5."),
    ({"quota_popolazione": -1}, "Le percentuali devono essere numeri tra 0 e 100."),
    ({"importi": {2030: 100}}, "L'anno 2030 è fuori dal ciclo 2025-2027."),
    ({"importi": {2025: 0}}, "Indica l'importo di almeno un anno."),
    ({"importi": {2025: -5, 2026: 10}}, "L'importo del 2025 non è valido: deve essere un importo non negativo."),
    ({"utenti": {}}, "Indica gli utenti serviti in ciascun Comune: la voce ne ripartisce il 30% in proporzione "
                     "agli utenti."),
    ({"denominazione": "  "}, "Indica la voce di costo (per esempio «Servizio di assistenza domiciliare»)."),
    ({"criterio": "a caso"}, "Scegli il criterio di ripartizione."),
])
def test_voce_non_valida_non_salva_nulla(piano, udp, campi, messaggio):
    accordo = sa.accordo_di(piano)
    voce = _voce(accordo, udp)
    prima = (list(ImportoOnere.objects.values_list("anno", "centesimi")),
             list(UtentiServiti.objects.values_list("comune_id", "numero")))
    with pytest.raises(DatiNonValidi) as errore:
        _voce(accordo, udp, voce=voce, denominazione=campi.pop("denominazione", "Cambiata"), **campi)
    assert messaggio in errore.value.messaggi
    voce.refresh_from_db()
    assert voce.denominazione == "Segretariato sociale"
    assert prima == (list(ImportoOnere.objects.values_list("anno", "centesimi")),
                     list(UtentiServiti.objects.values_list("comune_id", "numero")))


def test_utenti_di_un_comune_fuori_dal_piano(piano, udp):
    accordo = sa.accordo_di(piano)
    with pytest.raises(DatiNonValidi, match="non fa parte del piano"):
        _voce(accordo, udp, utenti={ComuneFactory().pk: 3})


def test_voce_di_un_altro_accordo_e_elimina(mondo, piano, udp):
    accordo = sa.accordo_di(piano)
    voce = _voce(accordo, udp)
    altro = sa.accordo_di(_stato(mondo.piano_altro, "accordo"))
    estranea = _voce(altro, mondo.udp_altro)
    with pytest.raises(PermessoNegato):
        _voce(accordo, udp, voce=estranea)
    sa.voce_elimina(voce=voce, utente=udp)
    assert not accordo.voci_onere.exists() and altro.voci_onere.exists()


# --- who may write, and when --------------------------------------------------------------------------


def _scritture(accordo, mondo):
    parte = accordo.parti.first()
    return {
        "accordo_aggiorna": lambda u: sa.accordo_aggiorna(
            accordo=accordo, utente=u, data_inizio=accordo.data_inizio, data_fine=accordo.data_fine,
            modalita_aggiornamento="x", data_popolazione=None),
        "parte_aggiorna": lambda u: sa.parte_aggiorna(parte=parte, utente=u, impegni="x"),
        "parte_aggiungi": lambda u: sa.parte_aggiungi(
            accordo=accordo, utente=u, ente=EnteFactory(tipo=Ente.Tipo.ALTRO_PUBBLICO), ruolo="altro_pubblico",
            firma_obbligatoria=False),
        "parte_rimuovi": lambda u: sa.parte_rimuovi(parte=parte, utente=u),
        "popolazioni_aggiorna": lambda u: sa.popolazioni_aggiorna(accordo=accordo, utente=u, abitanti={}),
        "voce_salva": lambda u: _voce(accordo, u),
    }


@pytest.mark.parametrize("chi", ["udp_altro", R.SINDACO, R.REFERENTE_ASL, R.PRESIDENTE_ASSEMBLEA, "anonimo"])
def test_solo_l_ufficio_di_piano_del_piano_scrive(mondo, piano, chi):
    accordo = sa.accordo_di(piano)
    utente = {"udp_altro": mondo.udp_altro, "anonimo": AnonymousUser()}.get(chi) or mondo[chi]
    for scrivi in _scritture(accordo, mondo).values():
        with pytest.raises(PermessoNegato, match="Solo l'Ufficio di Piano"):
            scrivi(utente)
    voce = _voce(accordo, mondo[R.RESPONSABILE_UDP])
    with pytest.raises(PermessoNegato):
        sa.voce_elimina(voce=voce, utente=utente)
    assert not sa.puo_modificare(utente, accordo)
    assert sa.puo_leggere(utente, accordo) == (chi in (R.SINDACO, R.REFERENTE_ASL, R.PRESIDENTE_ASSEMBLEA))
    assert sa.puo_modificare(mondo[R.OPERATORE_UDP], accordo)
    assert sa.puo_leggere(mondo.regionale, accordo)


@pytest.mark.parametrize("stato, messaggio", [
    ("sottoscrizione", "L'Accordo è alla firma: non si modifica più."),
    ("vigente", "L'Accordo è in vigore: per cambiarlo si apre un aggiornamento del piano."),
    ("istruttoria", "L'Accordo si prepara dalla stesura della bozza in poi: ora il piano è nello stato «Istruttoria»."),
    ("annullato", "Il piano è nello stato «Annullato»: l'Accordo non si modifica più."),
])
def test_bloccato_fuori_dagli_stati_modificabili(mondo, piano, udp, stato, messaggio):
    accordo = sa.accordo_di(piano)
    voce = _voce(accordo, udp)
    _stato(piano, stato)
    accordo = AccordoDiProgramma.objects.get(pk=accordo.pk)
    assert not sa.puo_modificare(udp, accordo)
    for scrivi in _scritture(accordo, mondo).values():
        with pytest.raises(DatiNonValidi) as errore:
            scrivi(udp)
        assert errore.value.messaggi == [messaggio]
    with pytest.raises(DatiNonValidi):
        sa.voce_elimina(voce=voce, utente=udp)


@pytest.mark.parametrize("stato", list(sa.STATI_MODIFICABILI))
def test_modificabile_dalla_bozza_all_accordo(piano, udp, stato):
    _stato(piano, stato)
    accordo = sa.accordo_di(piano)
    assert sa.puo_modificare(udp, accordo)
    _voce(accordo, udp)


# --- the act ----------------------------------------------------------------------------------------


def test_atto_solo_alla_firma_solo_ufficio_di_piano_e_uno_solo(mondo, piano, udp, pki_attiva,
                                                              django_capture_on_commit_callbacks):
    accordo = completa(piano, udp)
    with pytest.raises(DatiNonValidi, match="«Sottoscrizione»"):
        sa.accordo_genera_atto(accordo=accordo, utente=udp)
    _stato(piano, "sottoscrizione")
    with pytest.raises(PermessoNegato):
        sa.accordo_genera_atto(accordo=accordo, utente=mondo[R.SINDACO])
    with pytest.raises(PermessoNegato):
        sa.accordo_genera_atto(accordo=accordo, utente=mondo.udp_altro)
    with django_capture_on_commit_callbacks(execute=True):
        documento = sa.accordo_genera_atto(accordo=accordo, utente=udp)
    accordo.refresh_from_db()
    assert accordo.documento == documento and documento.tipo == Documento.Tipo.ACCORDO
    documento.refresh_from_db()
    assert documento.stato == Documento.Stato.PRONTO
    assert sa.accordo_genera_atto(accordo=accordo, utente=udp) == documento
    # the document page's button reaches the same act while the Accordo is at signature
    assert documento_richiedi(tipo="accordo", piano=piano, utente=udp) == documento
    assert Documento.objects.filter(tipo="accordo").count() == 1


def test_firmatari_proposti_dalle_parti_dell_accordo(mondo, piano, udp):
    accordo = completa(piano, udp)
    consorzio = EnteFactory(tipo=Ente.Tipo.AZIENDA_CONSORTILE, denominazione="Consorzio servizi")
    presidente = UtenteFactory()
    parte = sa.parte_aggiungi(accordo=accordo, utente=udp, ente=consorzio, ruolo="altro_pubblico",
                              firma_obbligatoria=False)
    sa.parte_aggiorna(parte=parte, utente=udp, impegni="Gestisce il SAD.", firmatario=presidente)
    documento = Documento(tipo=Documento.Tipo.ACCORDO, piano=piano, ambito=mondo.ambito)
    proposti = firmatari_proposti(documento)
    parti = list(sel.parti_dell_accordo(accordo))
    assert [(u, e, o) for u, e, o in proposti] == [(p.firmatario, p.ente, p.firma_obbligatoria) for p in parti]
    assert proposti[-1] == (presidente, consorzio, False)
    assert [o for *_x, o in proposti] == [True, True, True, True, False]


def test_firmatari_proposti_senza_firmatario_indicato_usa_chi_e_in_carica(mondo, piano, udp):
    accordo = sa.accordo_di(piano)  # only the first mayor existed then
    persone = sindaci(mondo.ambito)
    assert accordo.parti.filter(firmatario__isnull=True).count() == 2
    proposti = firmatari_proposti(Documento(tipo=Documento.Tipo.ACCORDO, piano=piano, ambito=mondo.ambito))
    comuni = mondo.ambito.comuni.order_by("denominazione")
    assert [u for u, *_x in proposti] == [persone[c.pk] for c in comuni] + [mondo[R.REFERENTE_ASL]]


# --- reading: the cost sharing -------------------------------------------------------------------------


def test_ripartizione_torna_ai_totali(mondo, piano, udp):
    accordo = sa.accordo_di(piano)
    a, b, c = mondo.ambito.comuni.order_by("denominazione")
    sa.popolazioni_aggiorna(accordo=accordo, utente=udp, abitanti={a.pk: 6000, b.pk: 3000, c.pk: 1000})
    _voce(accordo, udp, utenti={a.pk: 10, c.pk: 10}, importi={2025: 1_000_000, 2027: 333})
    _voce(accordo, udp, denominazione="Ufficio di Piano", criterio=PER_ABITANTE, importi={2026: 100_001})
    dati = sel.ripartizione(accordo)
    assert dati.anni == [2025, 2026, 2027] and dati.comuni == [a, b, c]
    mista, per_abitante = dati.voci
    assert mista.criterio_testo == "60% per popolazione, 30% per utenti serviti, 10% in parti uguali"
    assert per_abitante.criterio_testo == "Per abitante (in proporzione alla popolazione)"
    assert mista.quote[a.pk][2025] == 543_334 and mista.quote[b.pk][2025] == 213_333
    for riga in dati.voci:
        assert riga.errore is None
        for anno in dati.anni:
            assert sum(riga.quote[k][anno] for k in riga.quote) == riga.totali[anno]
    for anno in dati.anni:
        assert sum(dati.totali_comune[k][anno] for k in dati.totali_comune) == dati.totali_anno[anno]
    assert dati.totali_anno == {2025: 1_000_000, 2026: 100_001, 2027: 333}
    assert sum(dati.totale_comune.values()) == dati.totale == 1_100_334
    assert [r.totale for r in dati.righe] == [dati.totale_comune[k.pk] for k in (a, b, c)]
    assert mista.righe[0].importi_euro == ["5.433,34", "0,00", "1,81"]
    assert "il 10% in parti uguali tra i 3 Comuni" in mista.regola
    assert per_abitante.regola.endswith("residente in ciascun Comune al 09/10/2011.")


def test_ripartizione_segnala_la_voce_che_non_si_puo_ripartire(mondo, piano, udp):
    accordo = sa.accordo_di(piano)
    voce = _voce(accordo, udp)
    UtentiServiti.objects.filter(voce=voce).delete()
    dati = sel.ripartizione(accordo)
    assert dati.voci[0].errore == "Mancano gli utenti serviti per Comune, necessari per la quota per utenti serviti."
    assert dati.voci[0].quote == {} and dati.totale == 0 and dati.errori == dati.voci


def test_ripartizione_csv(mondo, piano, udp):
    accordo = sa.accordo_di(piano)
    _voce(accordo, udp, denominazione="=SOMMA(A1)", importi={2025: 123_456_78})
    testo = sel.ripartizione_csv(accordo)
    assert testo.startswith("\ufeffVoce di costo;Criterio;Comune;Codice ISTAT;Anno;Importo (euro)\r\n")
    righe = testo.lstrip("\ufeff").splitlines()
    # header, 3 Comuni × 3 years, 3 totals of the item, 3 × 3 sums per Comune, 3 grand totals
    assert len(righe) == 1 + 9 + 3 + 9 + 3
    assert righe[1].startswith("'=SOMMA(A1);60% per popolazione, 30% per utenti serviti, 10% in parti uguali;")
    assert righe[10].endswith(";Totale della voce;;2025;123456,78")
    assert righe[-3] == "Tutte le voci;;Totale;;2025;123456,78"


def _ambito_con(n_comuni):
    ambito = AmbitoFactory(comuni=ComuneFactory.create_batch(n_comuni))
    return ambito


@pytest.mark.parametrize("n_comuni, n_voci", [(3, 1), (30, 5)])
def test_ripartizione_in_query_costanti(db, django_assert_max_num_queries, n_comuni, n_voci):
    from ..factories import utente_con_ruolo

    ambito = _ambito_con(n_comuni)
    piano = crea_piano(ambito, stato="accordo")
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito)
    accordo = sa.accordo_di(piano)
    for i in range(n_voci):
        _voce(accordo, udp, denominazione=f"Voce {i}")
    accordo = AccordoDiProgramma.objects.get(pk=accordo.pk)
    with django_assert_max_num_queries(7):
        dati = sel.ripartizione(accordo)
    assert len(dati.voci) == n_voci and len(dati.comuni) == n_comuni
    accordo = AccordoDiProgramma.objects.get(pk=accordo.pk)
    with django_assert_max_num_queries(12):
        sel.mancanze(accordo)
    accordo = AccordoDiProgramma.objects.get(pk=accordo.pk)
    with django_assert_max_num_queries(8):
        sel.ripartizione_csv(accordo)

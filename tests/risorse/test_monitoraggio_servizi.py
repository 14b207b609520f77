"""Monitoring: the progress arithmetic and status of an indicator, measurements (dates inside
the cycle, not future, one per date, Italian numbers), the yearly implementation grid, the
yearly report and its act, who may write and when."""

import datetime
from decimal import Decimal

import pytest

from accordi.models import Documento, PianoDiZona
from accordi.services_documenti import contesto_atto, genera_documento
from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Incarico
from risorse import selectors_monitoraggio as sm
from risorse import services_monitoraggio as servizi
from risorse.demo_monitoraggio import demo_monitoraggio
from risorse.models import AttuazioneAzione, Misurazione, RelazioneMonitoraggio
from tests.factories import (
    AzioneFactory,
    IndicatoreFactory,
    MisurazioneFactory,
    ObiettivoFactory,
    VoceRisorsaFactory,
)

pytestmark = pytest.mark.django_db
R = Incarico.Ruolo
OGGI = datetime.date(2026, 6, 30)


def _in_stato(piano, stato):
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=stato)
    return PianoDiZona.objects.get(pk=piano.pk)


@pytest.fixture(autouse=True)
def _oggi(monkeypatch):
    monkeypatch.setattr(servizi, "_oggi", lambda: OGGI)


@pytest.fixture
def piano(mondo):
    return _in_stato(mondo.piano, "vigente")


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


@pytest.fixture
def indicatore(piano):
    azione = AzioneFactory(obiettivo=ObiettivoFactory(piano=piano))
    return IndicatoreFactory(azione=azione, valore_base="10.00", valore_obiettivo="25.00")


def _misura(indicatore, valore, data=datetime.date(2026, 1, 1)):
    return Misurazione(indicatore=indicatore, data_rilevazione=data, valore=Decimal(valore))


# --- progress arithmetic ---------------------------------------------------------------------------


def test_quota_del_ciclo_trascorsa(piano):
    # 2025-01-01 → 2027-12-31 is 1094 days; on 2026-01-01, 365 have passed: 33.363…% → 33.4
    assert sm.quota_trascorsa(piano, datetime.date(2026, 1, 1)) == Decimal("33.4")
    assert sm.quota_trascorsa(piano, datetime.date(2024, 5, 1)) == Decimal("0.0")
    assert sm.quota_trascorsa(piano, datetime.date(2028, 5, 1)) == Decimal("100.0")


@pytest.mark.parametrize(("base", "obiettivo", "valore", "percentuale", "stato"), [
    ("10", "25", "16", Decimal("40.0"), "in_linea"),          # 6 / 15 ≥ 33.4% elapsed
    ("10", "25", "14", Decimal("26.7"), "in_ritardo"),        # 4 / 15 < 33.4%
    (None, "200", "50", Decimal("25.0"), "in_ritardo"),       # no baseline: 50 / 200
    (None, "200", "80", Decimal("40.0"), "in_linea"),
    ("50", "20", "35", Decimal("50.0"), "in_linea"),          # falling indicator: -15 / -30
    ("10", "25", "40", Decimal("200.0"), "raggiunto"),        # beyond the target: true value kept
    ("10", "25", "25", Decimal("100.0"), "raggiunto"),
    ("10", "25", "5", Decimal("-33.3"), "in_ritardo"),        # worse than the start
])
def test_avanzamento_e_stato(piano, indicatore, base, obiettivo, valore, percentuale, stato):
    indicatore.valore_base = Decimal(base) if base is not None else None
    indicatore.valore_obiettivo = Decimal(obiettivo)
    p = sm.progresso(indicatore, _misura(indicatore, valore), piano)
    assert (p.percentuale, p.stato) == (percentuale, stato)
    assert p.barra == int(max(0, min(100, percentuale)))
    assert isinstance(p.percentuale, Decimal)


def test_obiettivo_uguale_alla_partenza_non_divide_per_zero(piano, indicatore):
    indicatore.valore_base = indicatore.valore_obiettivo = Decimal("12")
    p = sm.progresso(indicatore, _misura(indicatore, "15"), piano)
    assert p.stato == "non_calcolabile" and p.percentuale is None and p.barra == 0
    assert "uguale al valore di partenza" in p.spiegazione
    indicatore.valore_base, indicatore.valore_obiettivo = None, Decimal("0")
    assert sm.progresso(indicatore, _misura(indicatore, "3"), piano).stato == "non_calcolabile"


def test_senza_misurazioni(piano, indicatore):
    assert sm.progresso(indicatore, None, piano).stato == "senza_misurazioni"


def test_riepilogo_del_piano_conta_per_stato_e_usa_l_ultima(piano, indicatore, udp):
    altro = IndicatoreFactory(azione=indicatore.azione, valore_base=None, valore_obiettivo="100")
    IndicatoreFactory(azione=indicatore.azione)  # never measured
    MisurazioneFactory(indicatore=indicatore, data_rilevazione=datetime.date(2025, 6, 1), valore="11")
    MisurazioneFactory(indicatore=indicatore, data_rilevazione=datetime.date(2026, 1, 1), valore="30")
    MisurazioneFactory(indicatore=altro, data_rilevazione=datetime.date(2026, 1, 1), valore="10")
    obiettivi, riepilogo = sm.monitoraggio_del_piano(piano)
    assert riepilogo.conteggi == {"raggiunto": 1, "in_linea": 0, "in_ritardo": 1, "senza_misurazioni": 1,
                                  "non_calcolabile": 0}
    primo = obiettivi[0].azioni.all()[0].indicatori.all()[0]
    assert primo.ultima.valore == Decimal("30")
    # a report of 2025 looks only at 2025: (11-10)/15 = 6.7%
    obiettivi, riepilogo = sm.monitoraggio_del_piano(piano, 2025)
    primo = obiettivi[0].azioni.all()[0].indicatori.all()[0]
    assert primo.progresso.percentuale == Decimal("6.7") and riepilogo.conteggi["senza_misurazioni"] == 2


# --- measurements ------------------------------------------------------------------------------


@pytest.mark.parametrize(("testo", "atteso"), [
    ("1.234,5", Decimal("1234.5")), ("12", Decimal("12")), ("-3,25", Decimal("-3.25")),
    (" 1 234,50 ", Decimal("1234.5")), (Decimal("7.5"), Decimal("7.5")),
])
def test_valore_all_italiana(testo, atteso):
    assert servizi.valore_da_testo(testo) == atteso


@pytest.mark.parametrize("testo", ["", "abc", "1,234", "1.23", "1,234,5", "12,345", "1234567890123,0"])
def test_valore_non_valido(testo):
    if testo == "12,345":
        with pytest.raises(DatiNonValidi, match="due decimali"):
            servizi.valore_da_testo(testo)
    else:
        with pytest.raises(DatiNonValidi):
            servizi.valore_da_testo(testo)


def test_aggiungi_modifica_ed_elimina_una_misurazione(indicatore, udp):
    m = servizi.misurazione_aggiungi(indicatore=indicatore, utente=udp, data_rilevazione=datetime.date(2026, 3, 1),
                                     valore="1.234,5", nota=" Prima rilevazione ")
    m.refresh_from_db()
    assert (m.valore, m.nota, m.inserita_da) == (Decimal("1234.50"), "Prima rilevazione", udp)
    servizi.misurazione_modifica(misurazione=m, utente=udp, data_rilevazione=datetime.date(2026, 3, 2),
                                 valore="17", nota="")
    m.refresh_from_db()
    assert (m.data_rilevazione, m.valore) == (datetime.date(2026, 3, 2), Decimal("17"))
    servizi.misurazione_elimina(misurazione=m, utente=udp)
    assert not Misurazione.objects.exists()


@pytest.mark.parametrize(("data", "messaggio"), [
    (datetime.date(2024, 12, 31), "anni del ciclo"),
    (datetime.date(2028, 1, 1), "anni del ciclo"),
    (OGGI + datetime.timedelta(days=1), "futura"),
])
def test_data_fuori_dal_ciclo_o_futura(indicatore, udp, data, messaggio):
    with pytest.raises(DatiNonValidi, match=messaggio):
        servizi.misurazione_aggiungi(indicatore=indicatore, utente=udp, data_rilevazione=data, valore="3")
    assert not Misurazione.objects.exists()


def test_la_stessa_data_due_volte_e_un_messaggio(indicatore, udp):
    data = datetime.date(2026, 2, 1)
    servizi.misurazione_aggiungi(indicatore=indicatore, utente=udp, data_rilevazione=data, valore="3")
    with pytest.raises(DatiNonValidi, match="già una misurazione del 01/02/2026"):
        servizi.misurazione_aggiungi(indicatore=indicatore, utente=udp, data_rilevazione=data, valore="4")
    altra = servizi.misurazione_aggiungi(indicatore=indicatore, utente=udp, data_rilevazione=OGGI, valore="4")
    with pytest.raises(DatiNonValidi, match="già una misurazione"):
        servizi.misurazione_modifica(misurazione=altra, utente=udp, data_rilevazione=data, valore="4")
    # its own date is not a duplicate of itself
    servizi.misurazione_modifica(misurazione=altra, utente=udp, data_rilevazione=OGGI, valore="5")
    assert Misurazione.objects.count() == 2


def test_errori_insieme_e_niente_salvato(indicatore, udp):
    with pytest.raises(DatiNonValidi) as exc:
        servizi.misurazione_aggiungi(indicatore=indicatore, utente=udp, data_rilevazione=datetime.date(2029, 1, 1),
                                     valore="tre")
    assert len(exc.value.messaggi) == 2 and not Misurazione.objects.exists()


@pytest.mark.parametrize("ruolo", [R.SINDACO, R.PRESIDENTE_ASSEMBLEA, R.REFERENTE_ASL, R.REFERENTE_TERZO_SETTORE])
def test_solo_l_ufficio_di_piano_misura(mondo, indicatore, ruolo):
    with pytest.raises(PermessoNegato):
        servizi.misurazione_aggiungi(indicatore=indicatore, utente=mondo[ruolo],
                                     data_rilevazione=datetime.date(2026, 1, 5), valore="3")


def test_l_ufficio_di_un_altro_ambito_non_misura(mondo, indicatore):
    for utente in (mondo.udp_altro, mondo.regionale):
        with pytest.raises(PermessoNegato):
            servizi.misurazione_aggiungi(indicatore=indicatore, utente=utente,
                                         data_rilevazione=datetime.date(2026, 1, 5), valore="3")


def test_l_operatore_udp_misura(mondo, indicatore):
    servizi.misurazione_aggiungi(indicatore=indicatore, utente=mondo[R.OPERATORE_UDP],
                                 data_rilevazione=datetime.date(2026, 1, 5), valore="3")
    assert Misurazione.objects.count() == 1


@pytest.mark.parametrize("stato", ["bozza", "sottoscrizione", "concluso", "annullato"])
def test_si_misura_solo_nel_piano_vigente(piano, indicatore, udp, stato):
    indicatore.azione.obiettivo.piano = _in_stato(piano, stato)
    with pytest.raises(DatiNonValidi):
        servizi.misurazione_aggiungi(indicatore=indicatore, utente=udp, data_rilevazione=datetime.date(2026, 1, 5),
                                     valore="3")
    assert not Misurazione.objects.exists()


# --- implementation ------------------------------------------------------------------------------


def test_griglia_di_attuazione(piano, indicatore, udp):
    a1 = indicatore.azione
    a2 = AzioneFactory(obiettivo=a1.obiettivo)
    assert servizi.attuazione_salva(piano=piano, utente=udp, anno=2026,
                                    valori={a1.pk: ("in_corso", "Procede bene"), a2.pk: ("", "")}) == 1
    assert AttuazioneAzione.objects.get().nota == "Procede bene"
    servizi.attuazione_salva(piano=piano, utente=udp, anno=2026, valori={a1.pk: ("", ""), a2.pk: ("sospesa", "")})
    assert list(AttuazioneAzione.objects.values_list("azione", "stato")) == [(a2.pk, "sospesa")]
    assert [a.attuazione.stato if a.attuazione else None for a in sm.azioni_del_piano(piano, 2026)] == [
        None, "sospesa"]


def test_griglia_rifiuta_valutazione_senza_stato_e_anni_fuori(piano, indicatore, udp):
    with pytest.raises(DatiNonValidi, match="scegli lo stato"):
        servizi.attuazione_salva(piano=piano, utente=udp, anno=2026, valori={indicatore.azione.pk: ("", "nota")})
    with pytest.raises(DatiNonValidi, match="stato di attuazione non valido"):
        servizi.attuazione_salva(piano=piano, utente=udp, anno=2026, valori={indicatore.azione.pk: ("boh", "")})
    with pytest.raises(DatiNonValidi, match="2027"):  # not begun on OGGI
        servizi.attuazione_salva(piano=piano, utente=udp, anno=2027, valori={indicatore.azione.pk: ("in_corso", "")})
    altra = AzioneFactory()  # of another plan
    with pytest.raises(DatiNonValidi, match="non è più nel piano"):
        servizi.attuazione_salva(piano=piano, utente=udp, anno=2026, valori={altra.pk: ("in_corso", "")})
    assert not AttuazioneAzione.objects.exists()


def test_griglia_solo_ufficio_di_piano(mondo, piano, indicatore):
    with pytest.raises(PermessoNegato):
        servizi.attuazione_salva(piano=piano, utente=mondo[R.SINDACO], anno=2026,
                                 valori={indicatore.azione.pk: ("in_corso", "")})


# --- the yearly report ---------------------------------------------------------------------------


def test_sintesi_e_relazione_anche_a_piano_concluso(piano, udp):
    concluso = _in_stato(piano, "concluso")
    servizi.relazione_sintesi(piano=concluso, utente=udp, anno=2025, sintesi="  Un anno di avvio.  ")
    assert RelazioneMonitoraggio.objects.get().sintesi == "Un anno di avvio."
    with pytest.raises(DatiNonValidi):
        servizi.relazione_sintesi(piano=_in_stato(piano, "bozza"), utente=udp, anno=2025, sintesi="x")


def test_la_relazione_e_un_atto_con_versioni(piano, indicatore, udp, pki_attiva, django_capture_on_commit_callbacks):
    MisurazioneFactory(indicatore=indicatore, data_rilevazione=datetime.date(2025, 3, 1), valore="12")
    MisurazioneFactory(indicatore=indicatore, data_rilevazione=datetime.date(2025, 9, 1), valore="16")
    MisurazioneFactory(indicatore=indicatore, data_rilevazione=datetime.date(2026, 2, 1), valore="22")
    AttuazioneAzione.objects.create(azione=indicatore.azione, anno=2025, stato="in_corso", nota="Avviata a marzo",
                                    aggiornata_da=udp)
    VoceRisorsaFactory(piano=piano, anno=2025, tipo="previsto", importo_centesimi=123_456)
    VoceRisorsaFactory(piano=piano, anno=2025, tipo="consuntivo", importo_centesimi=100_000)
    servizi.relazione_sintesi(piano=piano, utente=udp, anno=2025, sintesi="Sintesi del primo anno")
    with django_capture_on_commit_callbacks(execute=True):
        primo = servizi.relazione_genera(piano=piano, utente=udp, anno=2025, numero=1)
    primo.refresh_from_db()
    assert primo.stato == Documento.Stato.PRONTO and primo.tipo == "relazione_monitoraggio"
    assert primo.chiave == f"relazione_monitoraggio:piano{piano.pk}:2025:v1"
    contesto = contesto_atto(primo)
    assert contesto["anno"] == 2025 and contesto["sintesi"] == "Sintesi del primo anno"
    ind = contesto["obiettivi"][0].azioni.all()[0].indicatori.all()[0]
    assert [m.valore for m in ind.misurazioni_elenco] == [Decimal("12"), Decimal("16")]  # 2025 only
    assert ind.progresso.percentuale == Decimal("40.0")  # (16-10)/(25-10)
    assert contesto["obiettivi"][0].azioni.all()[0].attuazione.nota == "Avviata a marzo"
    assert contesto["risorse"] == {"previsto": "1.234,56", "consuntivo": "1.000,00"}
    # a double click asks the same version again: same act
    assert servizi.relazione_genera(piano=piano, utente=udp, anno=2025, numero=1) == primo
    with django_capture_on_commit_callbacks(execute=True):
        secondo = servizi.relazione_genera(piano=piano, utente=udp, anno=2025)
    assert secondo.pk != primo.pk and secondo.versione == 2
    assert secondo.chiave.endswith(":2025:v2")
    assert RelazioneMonitoraggio.objects.get().documento == secondo
    assert [d.pk for d in sm.versioni_relazione(piano, 2025)] == [secondo.pk, primo.pk]
    genera_documento(primo.pk)  # the old version stays as it was
    assert Documento.objects.filter(pk=primo.pk, stato="pronto").exists()
    with pytest.raises(DatiNonValidi, match="non era aggiornata"):
        servizi.relazione_genera(piano=piano, utente=udp, anno=2025, numero=7)


def test_solo_l_ufficio_di_piano_genera_la_relazione(mondo, piano):
    for utente in (mondo[R.SINDACO], mondo.udp_altro, mondo.regionale):
        with pytest.raises(PermessoNegato):
            servizi.relazione_genera(piano=piano, utente=utente, anno=2025)
    assert not Documento.objects.exists()


# --- demo ------------------------------------------------------------------------------------------


def test_demo_idempotente(piano, indicatore, udp):
    demo_monitoraggio(piano, udp)
    misure, stati = Misurazione.objects.count(), AttuazioneAzione.objects.count()
    assert misure > 0 and stati > 0
    demo_monitoraggio(piano, udp)
    assert (Misurazione.objects.count(), AttuazioneAzione.objects.count()) == (misure, stati)


def test_demo_senza_indicatori_non_fa_nulla(piano, udp):
    demo_monitoraggio(piano, udp)
    assert not Misurazione.objects.exists() and not AttuazioneAzione.objects.exists()

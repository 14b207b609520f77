"""Plan versions: the snapshot of the working draft, freezing it into numbered versions with
their PDF act, and the comparison of two snapshots (pure functions, hand-built snapshots)."""

import datetime

import pytest

from accordi.exceptions import PermessoNegato, TransizioneNonAmmessa
from accordi.models import Documento, PianoDiZona, VersionePiano
from accordi.services_versioni import (
    bozza_modificata,
    impronta,
    istantanea,
    versione_congela,
    versione_ultima,
)
from ambiti.models import Incarico
from tavoli.models import Bisogno, UnitaOfferta

from ..factories import (
    AreaInterventoFactory,
    AzioneFactory,
    EnteFactory,
    IndicatoreFactory,
    ObiettivoFactory,
    SedutaTavoloFactory,
    SezionePianoFactory,
    StanziamentoAzioneFactory,
    TavoloFactory,
    TipoUnitaOffertaFactory,
)

R = Incarico.Ruolo


def _bozza(piano, n_obiettivi=1, n_azioni=1, n_sezioni=1):
    """Sections citing a need and a service, objectives with actions, budgets, indicators and partners."""
    regione = piano.ambiti.select_related("asl__regione").first().asl.regione
    area = AreaInterventoFactory(regione=regione, nome=f"Anziani {piano.pk}")
    tavolo = TavoloFactory(piano=piano, area=area, nome="Tavolo anziani")
    seduta = SedutaTavoloFactory(tavolo=tavolo)
    comune = piano.ambiti.first().comuni.first()
    for _ in range(n_sezioni):
        sezione = SezionePianoFactory(piano=piano)
        ente = EnteFactory(denominazione="Cooperativa Aurora")
        bisogno = Bisogno.objects.create(seduta=seduta, area=area, ente=ente, destinatari="Anziani soli",
                                         descrizione="Solitudine", priorita="alta", registrato_da=tavolo.coordinatore)
        unita = UnitaOfferta.objects.create(seduta=seduta, area=area, tipo=TipoUnitaOffertaFactory(nome="CDI"),
                                            denominazione="Centro diurno", comune=comune, capacita=20,
                                            gestore_nome="Fondazione Rossi", registrato_da=tavolo.coordinatore)
        sezione.bisogni.add(bisogno)
        sezione.offerta.add(unita)
    for _ in range(n_obiettivi):
        obiettivo = ObiettivoFactory(piano=piano, area=area)
        for _ in range(n_azioni):
            azione = AzioneFactory(obiettivo=obiettivo, area=area,
                                   capofila=EnteFactory(denominazione="Comune capofila"),
                                   inizio=datetime.date(2025, 1, 1), fine=datetime.date(2027, 12, 31))
            azione.partner.add(EnteFactory(denominazione="Zeta"), EnteFactory(denominazione="Alfa"))
            StanziamentoAzioneFactory(azione=azione, anno=2026, fonte="fna", importo_centesimi=250_050)
            StanziamentoAzioneFactory(azione=azione, anno=2025, fonte="fnps", importo_centesimi=1_000_000)
            IndicatoreFactory(azione=azione)
    return piano


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


# --- snapshot ---------------------------------------------------------------------------------


def test_istantanea_di_un_piano_senza_contenuto_ha_liste_vuote(mondo):
    assert istantanea(mondo.piano) == {"titolo": "Piano di Pavia", "sezioni": [], "obiettivi": []}


def test_istantanea_segue_il_formato_documentato(mondo):
    piano = _bozza(mondo.piano)
    contenuto = istantanea(piano)
    sezione = contenuto["sezioni"][0]
    assert list(sezione) == ["codice", "titolo", "testo", "bisogni", "offerta"]
    assert sezione["testo"] == "<p>Testo della sezione.</p>"
    bisogno = sezione["bisogni"][0]
    assert {k: bisogno[k] for k in ("destinatari", "descrizione", "priorita", "tavolo", "ente")} == {
        "destinatari": "Anziani soli", "descrizione": "Solitudine", "priorita": "alta",
        "tavolo": "Tavolo anziani", "ente": "Cooperativa Aurora"}
    offerta = sezione["offerta"][0]
    assert (offerta["tipo"], offerta["denominazione"], offerta["capacita"], offerta["gestore"]) == (
        "CDI", "Centro diurno", "20", "Fondazione Rossi")
    azione = contenuto["obiettivi"][0]["azioni"][0]
    assert azione["partner"] == ["Alfa", "Zeta"]
    assert (azione["inizio"], azione["fine"], azione["capofila"]) == ("2025-01-01", "2027-12-31", "Comune capofila")
    assert azione["stanziamenti"] == [
        {"anno": 2025, "fonte": "fnps", "importo_centesimi": 1_000_000},
        {"anno": 2026, "fonte": "fna", "importo_centesimi": 250_050},
    ]
    assert azione["indicatori"][0]["valore_base"] == "10.00"
    assert azione["indicatori"][0]["valore_obiettivo"] == "25.00"


def test_istantanea_e_stabile_e_la_sua_impronta_non_cambia(mondo):
    piano = _bozza(mondo.piano)
    a, b = istantanea(piano), istantanea(piano)
    assert a == b and impronta(a) == impronta(b) and len(impronta(a)) == 64
    # The stored JSON (key order may change in the database) keeps the same fingerprint.
    riordinato = {"obiettivi": a["obiettivi"], "sezioni": a["sezioni"], "titolo": a["titolo"]}
    assert impronta(riordinato) == impronta(a)


def test_istantanea_in_un_numero_costante_di_query(mondo, django_assert_max_num_queries, django_assert_num_queries):
    piano = _bozza(mondo.piano)
    with django_assert_num_queries(8) as piccola:
        istantanea(piano)
    grande = _bozza(mondo.piano_altro, n_obiettivi=3, n_azioni=3, n_sezioni=3)
    with django_assert_max_num_queries(len(piccola.captured_queries)):
        contenuto = istantanea(grande)
    assert len(contenuto["obiettivi"]) == 3 and len(contenuto["obiettivi"][0]["azioni"]) == 3


# --- freezing ---------------------------------------------------------------------------------


def test_congelare_numera_le_versioni_e_non_duplica_se_nulla_cambia(mondo, udp):
    piano = _bozza(mondo.piano)
    assert bozza_modificata(piano) and versione_ultima(piano) is None
    v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati", nota="Prima stesura")
    assert (v1.numero, v1.motivo, v1.nota, v1.creata_da) == (1, "sindacati", "Prima stesura", udp)
    assert v1.contenuto == istantanea(piano) and v1.impronta == impronta(v1.contenuto)
    assert not bozza_modificata(piano)
    assert versione_congela(piano=piano, utente=udp, motivo="altro") == v1
    assert VersionePiano.objects.filter(piano=piano).count() == 1
    ObiettivoFactory(piano=piano, titolo="Nuovo obiettivo")
    assert bozza_modificata(piano)
    v2 = versione_congela(piano=piano, utente=udp, motivo="assemblea")
    assert v2.numero == 2 and versione_ultima(piano) == v2
    assert v1.contenuto != v2.contenuto


def test_congelare_richiede_l_atto_una_sola_volta(mondo, udp, django_capture_on_commit_callbacks, monkeypatch):
    accodati = []
    monkeypatch.setattr("accordi.services_documenti._accoda", accodati.append)
    piano = _bozza(mondo.piano)
    with django_capture_on_commit_callbacks(execute=True):
        v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati")
        versione_congela(piano=piano, utente=udp, motivo="sindacati")
    documento = v1.documento
    assert documento.tipo == Documento.Tipo.PIANO_BOZZA and documento.versione == 1
    assert documento.chiave == f"versione-piano:{v1.pk}" and documento.ambito == mondo.ambito
    assert documento.piano == piano and "versione 1" in documento.titolo
    assert Documento.objects.filter(piano=piano).count() == 1 and accodati == [documento.pk]


@pytest.mark.parametrize("ruolo", [R.PRESIDENTE_ASSEMBLEA, R.SINDACO, R.REFERENTE_SINDACATO, R.REFERENTE_ASL])
def test_solo_l_ufficio_di_piano_congela(mondo, ruolo):
    with pytest.raises(PermessoNegato):
        versione_congela(piano=mondo.piano, utente=mondo[ruolo], motivo="altro")
    assert not VersionePiano.objects.exists()


def test_l_ufficio_di_piano_di_un_altro_ambito_non_congela(mondo):
    with pytest.raises(PermessoNegato):
        versione_congela(piano=mondo.piano, utente=mondo.udp_altro, motivo="altro")


@pytest.mark.parametrize("stato", ["concluso", "annullato"])
def test_un_piano_concluso_o_annullato_non_si_congela(mondo, udp, stato):
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato=stato)
    piano = PianoDiZona.objects.get(pk=mondo.piano.pk)
    with pytest.raises(TransizioneNonAmmessa):
        versione_congela(piano=piano, utente=udp, motivo="altro")
    assert not VersionePiano.objects.exists() and not Documento.objects.exists()

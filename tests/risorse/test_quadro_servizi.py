"""Writing the quadro: who, when, one cell, a year's grid (all or nothing, every bad cell named)."""

import pytest

from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Incarico
from risorse import services_quadro as sq
from risorse.models import VoceRisorsa
from tests.factories import (
    AmbitoFactory,
    AreaInterventoFactory,
    RegioneFactory,
    VoceRisorsaFactory,
    crea_piano,
    fonte,
    utente_con_ruolo,
)

R = Incarico.Ruolo


def _cella(piano, utente, **kw):
    dati = {"anno": 2025, "fonte": fonte("fnps"), "area": None, "ambito_spesa": "sociale", "tipo": "previsto",
            "importo": "1.234,56"} | kw
    return sq.imposta_cella(piano=piano, utente=utente, **dati)


def test_l_ufficio_di_piano_scrive_modifica_e_azzera_una_cella(mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    voce = _cella(mondo.piano, udp)
    assert voce.importo_centesimi == 123456 and voce.aggiornata_da == udp
    voce = _cella(mondo.piano, mondo[R.OPERATORE_UDP], importo="2.000")
    assert voce.importo_centesimi == 200000 and voce.aggiornata_da == mondo[R.OPERATORE_UDP]
    assert VoceRisorsa.objects.filter(piano=mondo.piano).count() == 1
    assert _cella(mondo.piano, udp, importo="0") is None
    assert not VoceRisorsa.objects.filter(piano=mondo.piano).exists()
    assert _cella(mondo.piano, udp, importo="") is None


@pytest.mark.parametrize("ruolo", [R.SINDACO, R.PRESIDENTE_ASSEMBLEA, R.REFERENTE_ASL, R.REFERENTE_TERZO_SETTORE])
def test_gli_altri_ruoli_non_scrivono(mondo, ruolo):
    with pytest.raises(PermessoNegato):
        _cella(mondo.piano, mondo[ruolo])
    assert not VoceRisorsa.objects.exists()


def test_né_l_altro_ambito_né_la_regione(mondo):
    for utente in (mondo.udp_altro, mondo.regionale):
        with pytest.raises(PermessoNegato):
            _cella(mondo.piano, utente)
        with pytest.raises(PermessoNegato):
            sq.imposta_anno(piano=mondo.piano, utente=utente, anno=2025, celle={})


@pytest.mark.parametrize("stato", ["annullato", "concluso"])
def test_piano_chiuso_non_si_modifica(mondo, stato):
    piano = crea_piano(mondo.ambito, stato=stato, ciclo=mondo.piano.ciclo.__class__.objects.create(
        regione=mondo.piano.ciclo.regione, anno_inizio=2019, anno_fine=2021, scadenza_approvazione="2019-03-31",
        validita_inizio="2019-04-01", validita_fine="2021-12-31"))
    with pytest.raises(DatiNonValidi, match="consultabile"):
        _cella(piano, mondo[R.RESPONSABILE_UDP], anno=2019)
    assert not VoceRisorsa.objects.exists()


@pytest.mark.parametrize("stato", ["avvio", "bozza", "vigente"])
def test_si_scrive_negli_altri_stati(mondo, stato):
    ambito = AmbitoFactory()
    piano = crea_piano(ambito, stato=stato)
    udp = utente_con_ruolo(R.OPERATORE_UDP, ambito)
    assert _cella(piano, udp).importo_centesimi == 123456


def test_regole_della_cella(mondo):
    udp = mondo[R.RESPONSABILE_UDP]
    with pytest.raises(DatiNonValidi, match="fuori dal ciclo"):
        _cella(mondo.piano, udp, anno=2030)
    with pytest.raises(DatiNonValidi, match="non è un importo"):
        _cella(mondo.piano, udp, importo="mille")
    with pytest.raises(DatiNonValidi, match="negativo"):
        _cella(mondo.piano, udp, importo="-3")
    altra_regione = AreaInterventoFactory(regione=RegioneFactory(codice_istat="01", nome="Piemonte"))
    with pytest.raises(DatiNonValidi, match="regione del piano"):
        _cella(mondo.piano, udp, area=altra_regione)
    fnps = fonte("fnps")
    fnps.attiva = False
    fnps.save()
    with pytest.raises(DatiNonValidi, match="non è più in uso"):
        _cella(mondo.piano, udp)
    assert not VoceRisorsa.objects.exists()


def test_consuntivo_solo_per_anni_iniziati(mondo, monkeypatch):
    udp = mondo[R.RESPONSABILE_UDP]
    import datetime
    monkeypatch.setattr(sq.modulo_import.timezone, "localdate", lambda: datetime.date(2026, 5, 1))
    assert _cella(mondo.piano, udp, anno=2026, tipo="consuntivo").tipo == "consuntivo"
    with pytest.raises(DatiNonValidi, match="2027 non si può ancora inserire"):
        _cella(mondo.piano, udp, anno=2027, tipo="consuntivo")
    assert _cella(mondo.piano, udp, anno=2027, tipo="previsto").importo_centesimi == 123456


def test_griglia_dell_anno(mondo):
    udp, piano = mondo[R.RESPONSABILE_UDP], mondo.piano
    area = AreaInterventoFactory(regione=piano.ciclo.regione)
    fnps, fna = fonte("fnps"), fonte("fna")
    VoceRisorsaFactory(piano=piano, anno=2025, fonte=fna, importo_centesimi=500)
    VoceRisorsaFactory(piano=piano, anno=2025, fonte=fnps, importo_centesimi=700)
    VoceRisorsaFactory(piano=piano, anno=2026, fonte=fna, importo_centesimi=900)  # other year: untouched
    conti = sq.imposta_anno(piano=piano, utente=udp, anno=2025, celle={
        (fnps.pk, None, "sociale", "previsto"): "700",        # unchanged: 700 euro ≠ 700 cents → changed
        (fnps.pk, area.pk, "sociosanitario", "previsto"): "1.000,50",
        (fna.pk, None, "sociale", "previsto"): "",              # deleted
        (fna.pk, None, "sociosanitario", "consuntivo"): 0,       # nothing to delete
    })
    assert conti == {"nuove": 1, "cambiate": 1, "tolte": 1, "invariate": 0}
    celle = {(v.anno, v.fonte.codice, v.area_id, v.ambito_spesa): v.importo_centesimi
             for v in VoceRisorsa.objects.filter(piano=piano)}
    assert celle == {(2025, "fnps", None, "sociale"): 70000, (2025, "fnps", area.pk, "sociosanitario"): 100050,
                     (2026, "fna", None, "sociale"): 900}


def test_griglia_con_celle_sbagliate_non_salva_nulla_e_le_nomina_tutte(mondo):
    udp, piano = mondo[R.RESPONSABILE_UDP], mondo.piano
    fnps, fna, fsr = fonte("fnps"), fonte("fna"), fonte("fsr")
    VoceRisorsaFactory(piano=piano, anno=2025, fonte=fnps, importo_centesimi=700)
    with pytest.raises(DatiNonValidi) as exc:
        sq.imposta_anno(piano=piano, utente=udp, anno=2025, celle={
            (fnps.pk, None, "sociale", "previsto"): "9",
            (fna.pk, None, "sociale", "previsto"): "dieci",
            (fsr.pk, None, "sociosanitario", "previsto"): "1,234",
        })
    messaggi = exc.value.messaggi
    assert len(messaggi) == 2
    assert messaggi[0].startswith("Fondo Non Autosufficienze (FNA), sociale, previsto:")
    assert messaggi[1].startswith("Fondo Sociale Regionale, sociosanitario, previsto:")
    assert VoceRisorsa.objects.get(piano=piano).importo_centesimi == 700


def test_griglia_anno_fuori_dal_ciclo(mondo):
    with pytest.raises(DatiNonValidi, match="fuori dal ciclo"):
        sq.imposta_anno(piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP], anno=2024,
                        celle={(fonte("fnps").pk, None, "sociale", "previsto"): "1"})


def test_fonte_dismessa_si_rilegge_e_si_azzera_non_si_riempie(mondo):
    udp, piano = mondo[R.RESPONSABILE_UDP], mondo.piano
    fna = fonte("fna")
    VoceRisorsaFactory(piano=piano, anno=2025, fonte=fna, importo_centesimi=500_00)
    fna.attiva = False
    fna.save()
    chiave = (fna.pk, None, "sociale", "previsto")
    # the grid sends the old figure back unchanged: accepted
    assert sq.imposta_anno(piano=piano, utente=udp, anno=2025, celle={chiave: "500,00"})["invariate"] == 0
    with pytest.raises(DatiNonValidi, match="non è più in uso"):
        sq.imposta_anno(piano=piano, utente=udp, anno=2025, celle={chiave: "600"})
    assert VoceRisorsa.objects.get().importo_centesimi == 500_00
    sq.imposta_anno(piano=piano, utente=udp, anno=2025, celle={chiave: ""})
    assert not VoceRisorsa.objects.exists()

"""Importing the quadro from CSV and XLSX: the preview, every kind of bad row, damaged files,
nothing saved until the file is clean, the record of the import, and the round trip export →
import that changes nothing."""

import datetime

import pytest

from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Incarico
from risorse import importa_quadro as iq
from risorse import services_quadro as sq
from risorse.models import ImportazioneRisorse, VoceRisorsa
from risorse.tabelle import leggi_tabella, scrivi_xlsx
from tests.factories import AreaInterventoFactory, RegioneFactory, VoceRisorsaFactory, fonte

R = Incarico.Ruolo
INTESTAZIONE = "anno;fonte;area;ambito;tipo;importo\n"


@pytest.fixture(autouse=True)
def _oggi(monkeypatch):
    """Today is in 2026: actual figures of 2025 and 2026 are accepted, of 2027 not yet."""
    monkeypatch.setattr(iq.timezone, "localdate", lambda: datetime.date(2026, 6, 15))


@pytest.fixture
def area(mondo):
    return AreaInterventoFactory(regione=mondo.piano.ciclo.regione, codice="anziani", nome="Anziani")


def _importa(mondo, testo, conferma=False, nome="quadro.csv", utente=None):
    contenuto = testo.encode("utf-8") if isinstance(testo, str) else testo
    return sq.importa_quadro(piano=mondo.piano, utente=utente or mondo[R.RESPONSABILE_UDP], contenuto=contenuto,
                             nome_file=nome, conferma=conferma)


def _celle(piano):
    return {(v.anno, v.fonte.codice, v.area.codice if v.area else "", v.ambito_spesa, v.tipo): v.importo_centesimi
            for v in VoceRisorsa.objects.filter(piano=piano).select_related("fonte", "area")}


def test_anteprima_poi_conferma_sostituisce_gli_anni_del_file(mondo, area):
    piano = mondo.piano
    VoceRisorsaFactory(piano=piano, anno=2025, fonte=fonte("fnps"), importo_centesimi=100_00)   # changed
    VoceRisorsaFactory(piano=piano, anno=2025, fonte=fonte("fna"), importo_centesimi=50_00)     # unchanged
    VoceRisorsaFactory(piano=piano, anno=2025, fonte=fonte("fsr"), importo_centesimi=7_00)      # not in file: removed
    VoceRisorsaFactory(piano=piano, anno=2027, fonte=fonte("fsr"), importo_centesimi=9_00)      # other year: kept
    testo = INTESTAZIONE + (
        "2025;fnps;;sociale;previsto;1.000,00\n"
        "2025;fna;;sociale;previsto;50\n"
        "2025;Fondo Sociale Regionale;anziani;Sociosanitario;consuntivo;12,5\n"   # source by name, labels
        "2026;comuni;;sociale;previsto;0\n"                                        # zero: no cell
    )
    a = _importa(mondo, testo)
    assert a.valida and a.anni == [2025, 2026] and a.righe == 4
    assert [(c.fonte.codice, c.prima, c.dopo) for c in a.cambiate] == [("fnps", 100_00, 1000_00)]
    assert [(c.fonte.codice, c.area, c.dopo) for c in a.nuove] == [("fsr", area, 12_50)]
    assert [(c.chiave[0], c.fonte.codice, c.prima) for c in a.tolte] == [(2025, "fsr", 7_00)]
    assert a.invariate == 1
    assert len(_celle(piano)) == 4 and not ImportazioneRisorse.objects.exists()  # preview writes nothing
    _importa(mondo, testo, conferma=True)
    assert _celle(piano) == {
        (2025, "fnps", "", "sociale", "previsto"): 1000_00,
        (2025, "fna", "", "sociale", "previsto"): 50_00,
        (2025, "fsr", "anziani", "sociosanitario", "consuntivo"): 12_50,
        (2027, "fsr", "", "sociale", "previsto"): 9_00,
    }
    registro = ImportazioneRisorse.objects.get()
    assert (registro.piano, registro.ambito, registro.oggetto, registro.righe, registro.nome_file) == (
        piano, mondo.ambito, "quadro", 4, "quadro.csv")
    assert registro.impronta == iq.impronta(testo.encode())


@pytest.mark.parametrize(("riga", "motivo"), [
    ("2024;fnps;;sociale;previsto;1", "il 2024 è fuori dal ciclo del piano (2025-2027)"),
    ("duemila;fnps;;sociale;previsto;1", "l'anno «duemila» non è un anno"),
    (";fnps;;sociale;previsto;1", "manca l'anno"),
    ("2025;pnrr;;sociale;previsto;1", "la fonte «pnrr» non è tra quelle previste"),
    ("2025;fnps;giovani;sociale;previsto;1", "l'area «giovani» non è tra le aree di intervento della regione"),
    ("2025;fnps;;sanitario;previsto;1", "l'ambito «sanitario» non è «sociale» né «sociosanitario»"),
    ("2025;fnps;;sociale;stimato;1", "il tipo «stimato» non è «previsto» né «consuntivo»"),
    ("2027;fnps;;sociale;consuntivo;1", "il consuntivo del 2027 non si può ancora inserire"),
    ("2025;fnps;;sociale;previsto;1,234", "ha al più due decimali"),
    ("2025;fnps;;sociale;previsto;-5", "non può essere negativo"),
    ("2025;fnps;;sociale;previsto;tanti", "non è un importo in euro"),
    ("2025;fnps;;sociale;previsto;", "manca l'importo"),
])
def test_ogni_riga_sbagliata_ha_numero_e_motivo(mondo, area, riga, motivo):
    VoceRisorsaFactory(piano=mondo.piano, anno=2025, fonte=fonte("fna"), importo_centesimi=1)
    testo = INTESTAZIONE + "2025;fsr;;sociale;previsto;10\n" + riga + "\n"
    a = _importa(mondo, testo)
    assert not a.valida and len(a.errori) == 1
    assert a.errori[0].startswith("Riga 3: ") and motivo in a.errori[0]
    with pytest.raises(DatiNonValidi):
        _importa(mondo, testo, conferma=True)
    assert set(_celle(mondo.piano)) == {(2025, "fna", "", "sociale", "previsto")}
    assert not ImportazioneRisorse.objects.exists()


def test_area_di_un_altra_regione_e_cella_ripetuta(mondo, area):
    AreaInterventoFactory(regione=RegioneFactory(codice_istat="01", nome="Piemonte"), codice="minori")
    testo = INTESTAZIONE + ("2025;fnps;;sociale;previsto;1\n"
                            "\n"
                            "2025;fnps;minori;sociale;previsto;1\n"
                            "2025;FNPS;;SOCIALE;previsto;2\n")
    a = _importa(mondo, testo)
    assert a.errori == [
        "Riga 4: l'area «minori» non è tra le aree di intervento della regione.",
        "Riga 5: la stessa cella è già alla riga 2.",
    ]


def test_piu_motivi_nella_stessa_riga(mondo):
    a = _importa(mondo, INTESTAZIONE + "2031;boh;;sociale;previsto;x\n")
    assert len(a.errori) == 1 and "fuori dal ciclo" in a.errori[0] and "«boh»" in a.errori[0]


@pytest.mark.parametrize(("contenuto", "nome", "messaggio"), [
    (b"", "q.csv", "vuoto"),
    (b"anno;fonte;ambito;tipo;importo\n2025;fnps;sociale;previsto;1\n", "q.csv", "mancano le colonne: area"),
    (b"PK\x03\x04 non sono uno zip", "q.xlsx", "XLSX non è leggibile"),
    (INTESTAZIONE.encode(), "q.csv", "nessuna riga di dati"),
])
def test_file_illeggibili(mondo, contenuto, nome, messaggio):
    VoceRisorsaFactory(piano=mondo.piano, anno=2025, importo_centesimi=1)
    if messaggio == "nessuna riga di dati":
        a = _importa(mondo, contenuto, nome=nome)
        assert any(messaggio in e for e in a.errori)
    else:
        with pytest.raises(DatiNonValidi, match=messaggio):
            _importa(mondo, contenuto, nome=nome)
    with pytest.raises(DatiNonValidi):
        _importa(mondo, contenuto, nome=nome, conferma=True)
    assert VoceRisorsa.objects.count() == 1 and not ImportazioneRisorse.objects.exists()


def test_xlsx_con_numeri(mondo):
    contenuto = scrivi_xlsx(iq.COLONNE, [[2025, "fnps", None, "sociale", "previsto", 1234.5],
                                         [2026, "fna", None, "sociosanitario", "previsto", 1000]])
    _importa(mondo, contenuto, conferma=True, nome="quadro.xlsx")
    assert _celle(mondo.piano) == {(2025, "fnps", "", "sociale", "previsto"): 1234_50,
                                   (2026, "fna", "", "sociosanitario", "previsto"): 1000_00}


def test_solo_l_ufficio_di_piano_importa(mondo):
    for utente in (mondo[R.SINDACO], mondo.udp_altro, mondo.regionale):
        with pytest.raises(PermessoNegato):
            _importa(mondo, INTESTAZIONE + "2025;fnps;;sociale;previsto;1\n", utente=utente)


@pytest.mark.parametrize("formato", ["csv", "xlsx"])
def test_esportato_e_reimportato_non_cambia_nulla(mondo, area, formato):
    piano = mondo.piano
    V = VoceRisorsaFactory
    V(piano=piano, anno=2025, fonte=fonte("fnps"), importo_centesimi=123_456_789_01)
    V(piano=piano, anno=2025, fonte=fonte("fnps"), area=area, ambito_spesa="sociosanitario", importo_centesimi=1)
    V(piano=piano, anno=2026, fonte=fonte("compartecipazione"), tipo="consuntivo", importo_centesimi=10_00)
    V(piano=piano, anno=2027, fonte=fonte("inps"), importo_centesimi=99)
    prima = _celle(piano)
    contenuto = iq.esporta(piano, formato)
    a = _importa(mondo, contenuto, nome=f"quadro.{formato}")
    assert a.valida and not a.cambia_qualcosa and a.invariate == 4
    _importa(mondo, contenuto, nome=f"quadro.{formato}", conferma=True)
    assert _celle(piano) == prima


def test_modello_si_legge_e_ha_una_riga_di_esempio(mondo):
    righe = leggi_tabella(iq.modello(mondo.piano), "modello.csv", colonne=iq.COLONNE)
    assert len(righe) == 1 and righe[0].valori["anno"] == "2025" and righe[0].valori["importo"] == "1.234,56"
    a = _importa(mondo, iq.modello(mondo.piano))
    assert a.valida and len(a.nuove) == 1


def test_esportazione_csv_leggibile(mondo):
    VoceRisorsaFactory(piano=mondo.piano, anno=2025, fonte=fonte("fnps"), importo_centesimi=123456)
    testo = iq.esporta(mondo.piano, "csv").decode("utf-8-sig")
    assert testo.splitlines() == ["anno;fonte;area;ambito;tipo;importo", "2025;fnps;;sociale;previsto;1.234,56"]


def test_fonte_dismessa_nel_file(mondo):
    VoceRisorsaFactory(piano=mondo.piano, anno=2025, fonte=fonte("fna"), importo_centesimi=5_00)
    fna = fonte("fna")
    fna.attiva = False
    fna.save()
    assert _importa(mondo, INTESTAZIONE + "2025;fna;;sociale;previsto;5\n").invariate == 1
    a = _importa(mondo, INTESTAZIONE + "2025;fna;;sociale;previsto;6\n2025;fnps;;sociale;previsto;1\n")
    assert len(a.errori) == 1 and "non è più in uso" in a.errori[0] and not a.nuove
    with pytest.raises(DatiNonValidi):
        _importa(mondo, INTESTAZIONE + "2025;fna;;sociale;previsto;6\n", conferma=True)
    assert _celle(mondo.piano) == {(2025, "fna", "", "sociale", "previsto"): 5_00}

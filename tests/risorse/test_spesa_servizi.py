"""Each Comune's social spending: shares, classes, the ambito's share, saving and importing."""

from decimal import Decimal

import pytest

from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Incarico
from risorse.importa_spesa import analizza, spesa_importa
from risorse.models import ImportazioneRisorse, SpesaSocialeComune
from risorse.selectors_spesa import (
    COLONNE,
    SOGLIA_ALTA,
    SOGLIA_BASSA,
    classe_quota,
    quota,
    quote_per_ambito,
    righe_esportazione,
    tabella_spesa,
)
from risorse.services_spesa import spesa_salva
from risorse.tabelle import scrivi_csv, scrivi_xlsx
from tests.factories import AmbitoFactory, ComuneFactory, SpesaSocialeComuneFactory

pytestmark = pytest.mark.django_db


# --- shares and classes -----------------------------------------------------------------------


def test_soglie_del_seme():
    assert (SOGLIA_ALTA, SOGLIA_BASSA) == (50, 16)


@pytest.mark.parametrize(("conferita", "totale", "attesa"), [
    (5_000_001, 10_000_000, "oltre il 50%"),   # 50,00001%
    (5_000_000, 10_000_000, "tra il 16% e il 50%"),  # exactly 50%: not "oltre"
    (1_600_000, 10_000_000, "tra il 16% e il 50%"),  # exactly 16%: not "sotto"
    (1_599_999, 10_000_000, "sotto il 16%"),
    (0, 10_000_000, "sotto il 16%"),
    (10_000_000, 10_000_000, "oltre il 50%"),
    (1, 3, "tra il 16% e il 50%"),  # 33,33…% (a periodic decimal)
    (4, 25, "tra il 16% e il 50%"),  # 16% from small integers
    (1, 2, "tra il 16% e il 50%"),
])
def test_classe_ai_confini(conferita, totale, attesa):
    assert classe_quota(quota(conferita, totale)) == attesa


def test_quota_indefinita_con_totale_zero():
    assert quota(0, 0) is None
    assert classe_quota(quota(0, 0)) is None
    assert quota(3, 8) == Decimal("37.5")


def test_quote_per_ambito_somme_non_media_delle_quote(django_assert_num_queries):
    a, b, vuoto = AmbitoFactory(comuni=[]), AmbitoFactory(comuni=[]), AmbitoFactory(comuni=[])
    # Ambito a: a big Comune at 10% and a small one at 90%: the mean of shares would be 50%,
    # the share of the sums is (10 + 9) / (100 + 10) = 17,27%.
    SpesaSocialeComuneFactory(ambito=a, spesa_totale_centesimi=100, conferita_udp_centesimi=10)
    SpesaSocialeComuneFactory(ambito=a, spesa_totale_centesimi=10, conferita_udp_centesimi=9)
    SpesaSocialeComuneFactory(ambito=a, anno=2024, spesa_totale_centesimi=7, conferita_udp_centesimi=7)
    SpesaSocialeComuneFactory(ambito=b, spesa_totale_centesimi=40, conferita_udp_centesimi=30)
    from ambiti.models import Ambito

    with django_assert_num_queries(1):
        quote = quote_per_ambito(Ambito.objects.filter(pk__in=[a.pk, b.pk, vuoto.pk]), 2025)
    assert quote == {a.pk: (19, 110), b.pk: (30, 40)}
    assert classe_quota(quota(*quote[a.pk])) == "tra il 16% e il 50%"
    assert classe_quota(quota(*quote[b.pk])) == "oltre il 50%"
    assert quote_per_ambito(Ambito.objects.filter(pk=a.pk), 2024) == {a.pk: (7, 7)}


def test_tabella_con_dato_mancante_e_pro_capite():
    c1 = ComuneFactory(denominazione="Alfa", popolazione=2000)
    c2 = ComuneFactory(denominazione="Beta", popolazione=None, popolazione_al=None)
    c3 = ComuneFactory(denominazione="Gamma", popolazione=500)
    ambito = AmbitoFactory(comuni=[c1, c2, c3])
    SpesaSocialeComuneFactory(ambito=ambito, comune=c1, spesa_totale_centesimi=100_000_00,
                              conferita_udp_centesimi=60_000_00)
    SpesaSocialeComuneFactory(ambito=ambito, comune=c2, spesa_totale_centesimi=0, conferita_udp_centesimi=0)
    tabella = tabella_spesa(ambito, 2025)
    alfa, beta, gamma = tabella.righe
    assert (alfa.comune, beta.comune, gamma.comune) == (c1, c2, c3)
    assert alfa.quota == 60 and alfa.classe == "oltre il 50%" and alfa.pro_capite == 50_00
    assert beta.quota is None and beta.classe is None and beta.pro_capite is None and not beta.mancante
    assert gamma.mancante and gamma.spesa is None
    assert tabella.mancanti == 1
    assert (tabella.totale_conferita, tabella.totale_spesa) == (60_000_00, 100_000_00)
    assert tabella.classe == "oltre il 50%"


# --- saving a year's table ------------------------------------------------------------------

R = Incarico.Ruolo


def _comuni(mondo):
    return list(mondo.ambito.comuni.order_by("denominazione", "pk"))


def test_salva_tabella_e_legge_quote(mondo):
    a, b, c = _comuni(mondo)
    udp = mondo[R.RESPONSABILE_UDP]
    scritte, tolte = spesa_salva(ambito=mondo.ambito, utente=udp, anno="2025", righe={
        a.pk: ("1.000.000,00", "500.000,00", "gestione associata"),
        b.pk: ("200.000", "32.000,00", ""),
        c.pk: ("", "", ""),
    })
    assert (scritte, tolte) == (2, 0)
    tabella = tabella_spesa(mondo.ambito, 2025)
    per_comune = {r.comune.pk: r for r in tabella.righe}
    assert per_comune[a.pk].quota == 50 and per_comune[a.pk].classe == "tra il 16% e il 50%"
    assert per_comune[b.pk].quota == 16 and per_comune[b.pk].classe == "tra il 16% e il 50%"
    assert per_comune[c.pk].mancante
    # (500.000 + 32.000) / 1.200.000 = 44,33%
    assert tabella.quota_testo == "44,3"
    assert SpesaSocialeComune.objects.get(comune=a, anno=2025).aggiornata_da == udp

    # Emptying a row removes that Comune's figure; changing another updates it.
    assert spesa_salva(ambito=mondo.ambito, utente=udp, anno=2025, righe={
        a.pk: ("", "", ""), b.pk: ("200.000", "100.000,01", "")}) == (1, 1)
    assert tabella_spesa(mondo.ambito, 2025).classe == "oltre il 50%"


def test_righe_sbagliate_tutte_nominate_e_niente_salvato(mondo):
    a, b, c = _comuni(mondo)
    udp = mondo[R.RESPONSABILE_UDP]
    with pytest.raises(DatiNonValidi) as exc:
        spesa_salva(ambito=mondo.ambito, utente=udp, anno=2025, righe={
            a.pk: ("1.000,00", "1.000,01", ""),  # conferred > total
            b.pk: ("abc", "1,00", ""),
            c.pk: ("10,00", "", ""),  # one amount without the other
        })
    testo = " ".join(exc.value.messaggi)
    assert a.denominazione in testo and "supera" in testo
    assert b.denominazione in testo and "«abc»" in testo
    assert c.denominazione in testo and "manca" in testo
    assert not SpesaSocialeComune.objects.exists()


def test_comune_di_altro_ambito_rifiutato(mondo):
    estraneo = mondo.altro_ambito.comuni.first()
    with pytest.raises(DatiNonValidi):
        spesa_salva(ambito=mondo.ambito, utente=mondo[R.RESPONSABILE_UDP], anno=2025,
                    righe={estraneo.pk: ("10,00", "1,00", "")})
    assert not SpesaSocialeComune.objects.exists()


@pytest.mark.parametrize("anno", ["duemila", "1999", "2101"])
def test_anno_fuori_misura(mondo, anno):
    a = _comuni(mondo)[0]
    with pytest.raises(DatiNonValidi):
        spesa_salva(ambito=mondo.ambito, utente=mondo[R.RESPONSABILE_UDP], anno=anno, righe={a.pk: ("1", "1", "")})


@pytest.mark.parametrize("ruolo", [R.SINDACO, R.PRESIDENTE_ASSEMBLEA, R.REFERENTE_ASL, R.REFERENTE_TERZO_SETTORE])
def test_solo_ufficio_di_piano_scrive(mondo, ruolo):
    a = _comuni(mondo)[0]
    with pytest.raises(PermessoNegato):
        spesa_salva(ambito=mondo.ambito, utente=mondo[ruolo], anno=2025, righe={a.pk: ("1", "1", "")})
    for utente in (mondo.udp_altro, mondo.regionale):
        with pytest.raises(PermessoNegato):
            spesa_salva(ambito=mondo.ambito, utente=utente, anno=2025, righe={a.pk: ("1", "1", "")})
    assert not SpesaSocialeComune.objects.exists()


# --- importing ------------------------------------------------------------------------------



def _csv(*righe):
    return scrivi_csv(COLONNE, [list(r) for r in righe])


def test_importa_anteprima_poi_conferma(mondo):
    a, b, _c = _comuni(mondo)
    udp = mondo[R.RESPONSABILE_UDP]
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=b, anno=2024, spesa_totale_centesimi=100,
                              conferita_udp_centesimi=10)
    contenuto = _csv((2024, a.codice_istat, a.denominazione, "1.500,00", "800,00", "stima"),
                     (2024, b.codice_istat, b.denominazione.upper(), "2,00", "1,00", ""))
    analisi = analizza(mondo.ambito, contenuto, "spesa.csv")
    assert analisi.errori == []
    assert [c.valori.comune for c in analisi.nuove] == [a]
    assert [(c.valori.comune, c.prima.conferita_udp_centesimi) for c in analisi.cambiate] == [(b, 10)]
    assert not SpesaSocialeComune.objects.filter(comune=a).exists()  # a preview writes nothing

    spesa_importa(ambito=mondo.ambito, utente=udp, contenuto=contenuto, nome_file="spesa.csv")
    assert SpesaSocialeComune.objects.get(comune=a, anno=2024).conferita_udp_centesimi == 800_00
    assert SpesaSocialeComune.objects.get(comune=b, anno=2024).spesa_totale_centesimi == 200
    registro = ImportazioneRisorse.objects.get()
    assert (registro.oggetto, registro.ambito, registro.piano, registro.righe, registro.utente) == (
        "spesa_comuni", mondo.ambito, None, 2, udp)
    assert registro.impronta == analisi.impronta


def test_importa_file_sbagliato_ogni_riga_col_numero(mondo):
    a, b, c = _comuni(mondo)
    estraneo = mondo.altro_ambito.comuni.first()
    contenuto = _csv(
        (2025, a.codice_istat, a.denominazione, "100,00", "10,00", ""),       # 2: fine
        (2025, estraneo.codice_istat, estraneo.denominazione, "1,00", "1,00", ""),  # 3: not of the ambito
        (2025, b.codice_istat, "Altrove", "1,00", "1,00", ""),                # 4: name mismatch
        (2025, c.codice_istat, c.denominazione, "1,00", "2,00", ""),          # 5: conferred > total
        ("20x5", c.codice_istat, c.denominazione, "1,00", "1,00", ""),        # 6: year
        (2025, a.codice_istat, a.denominazione, "5,00", "1,00", ""),          # 7: duplicate of 2
        (2025, c.codice_istat, c.denominazione, "1,234", "1", ""),            # 8: three decimals
    )
    analisi = analizza(mondo.ambito, contenuto, "spesa.csv")
    numeri = sorted(int(e.split(":")[0].removeprefix("Riga ")) for e in analisi.errori)
    assert numeri == [3, 4, 5, 6, 7, 8]
    assert any("riga 2" in e for e in analisi.errori if e.startswith("Riga 7"))
    with pytest.raises(DatiNonValidi):
        spesa_importa(ambito=mondo.ambito, utente=mondo[R.RESPONSABILE_UDP], contenuto=contenuto,
                      nome_file="spesa.csv")
    assert not SpesaSocialeComune.objects.exists()
    assert not ImportazioneRisorse.objects.exists()


@pytest.mark.parametrize("contenuto", [b"", b"anno;comune\n2025;x\n", _csv(), b"PK\x03\x04rotto"])
def test_importa_file_illeggibili(mondo, contenuto):
    analisi = analizza(mondo.ambito, contenuto, "spesa.csv")
    assert len(analisi.errori) == 1
    with pytest.raises(DatiNonValidi):
        spesa_importa(ambito=mondo.ambito, utente=mondo[R.RESPONSABILE_UDP], contenuto=contenuto, nome_file="x")


def test_importa_solo_ufficio_di_piano(mondo):
    a = _comuni(mondo)[0]
    contenuto = _csv((2025, a.codice_istat, a.denominazione, "1,00", "1,00", ""))
    with pytest.raises(PermessoNegato):
        spesa_importa(ambito=mondo.ambito, utente=mondo.udp_altro, contenuto=contenuto, nome_file="x.csv")
    assert not SpesaSocialeComune.objects.exists()


@pytest.mark.parametrize("scrivi", [scrivi_csv, scrivi_xlsx])
def test_esporta_e_reimporta_non_cambia_nulla(mondo, scrivi):
    a, b, c = _comuni(mondo)
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=a, anno=2024, spesa_totale_centesimi=123_456_789,
                              conferita_udp_centesimi=1, nota="nota; con \"virgolette\"")
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=b, anno=2025, spesa_totale_centesimi=0,
                              conferita_udp_centesimi=0)
    SpesaSocialeComuneFactory(ambito=mondo.ambito, comune=c, anno=2025)
    prima = list(SpesaSocialeComune.objects.order_by("pk").values())
    contenuto = scrivi(COLONNE, righe_esportazione(mondo.ambito))
    analisi = analizza(mondo.ambito, contenuto, "spesa.xlsx" if scrivi is scrivi_xlsx else "spesa.csv")
    assert (analisi.errori, analisi.nuove, analisi.cambiate, analisi.invariate) == ([], [], [], 3)
    spesa_importa(ambito=mondo.ambito, utente=mondo[R.RESPONSABILE_UDP], contenuto=contenuto, nome_file="f")
    assert list(SpesaSocialeComune.objects.order_by("pk").values()) == prima


def test_codice_istat_senza_zeri_iniziali_da_foglio(mondo):
    a = _comuni(mondo)[0]
    a.codice_istat = "001234"
    a.save()
    contenuto = scrivi_xlsx(COLONNE, [[2025, 1234, a.denominazione, 1500.5, 20, ""]])
    analisi = analizza(mondo.ambito, contenuto, "spesa.xlsx")
    assert analisi.errori == []
    assert (analisi.nuove[0].valori.spesa, analisi.nuove[0].valori.conferita) == (1500_50, 20_00)


# --- demo -----------------------------------------------------------------------------------


def test_demo_idempotente_con_tutte_le_classi(mondo):
    from risorse.demo_spesa import anni_del_ciclo, demo_spesa

    mondo.ambito.comuni.add(*ComuneFactory.create_batch(9))
    udp = mondo[R.RESPONSABILE_UDP]
    anni = anni_del_ciclo(mondo.ambito)
    assert anni == list(range(mondo.piano.ciclo.anno_inizio, mondo.piano.ciclo.anno_fine + 1))
    assert demo_spesa(mondo.ambito, udp) == 12 * len(anni)
    prima = list(SpesaSocialeComune.objects.order_by("pk").values())
    assert demo_spesa(mondo.ambito, udp) == 0
    assert list(SpesaSocialeComune.objects.order_by("pk").values()) == prima
    classi = {r.classe for r in tabella_spesa(mondo.ambito, anni[0]).righe}
    assert classi == {"oltre il 50%", "tra il 16% e il 50%", "sotto il 16%"}
    assert not tabella_spesa(mondo.ambito, anni[0]).mancanti

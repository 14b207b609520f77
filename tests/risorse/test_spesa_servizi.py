"""Each Comune's social spending: shares, classes, the ambito's share, saving and importing."""

from decimal import Decimal

import pytest

from risorse.selectors_spesa import (
    SOGLIA_ALTA,
    SOGLIA_BASSA,
    classe_quota,
    quota,
    quote_per_ambito,
    tabella_spesa,
)
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

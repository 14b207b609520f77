"""The demo quadro: plausible, through the real service, idempotent."""

import datetime

from ambiti.models import Incarico
from risorse import importa_quadro as iq
from risorse.demo_quadro import demo_quadro
from risorse.models import VoceRisorsa
from risorse.selectors_quadro import quadro
from tests.factories import AreaInterventoFactory


def test_demo_quadro_idempotente(mondo, monkeypatch):
    monkeypatch.setattr(iq.timezone, "localdate", lambda: datetime.date(2026, 6, 15))
    AreaInterventoFactory(regione=mondo.piano.ciclo.regione)
    udp = mondo[Incarico.Ruolo.RESPONSABILE_UDP]
    n = demo_quadro(mondo.piano, udp)
    celle = dict(VoceRisorsa.objects.values_list("pk", "importo_centesimi"))
    assert n == len(celle) > 0
    assert demo_quadro(mondo.piano, udp) == n
    assert dict(VoceRisorsa.objects.values_list("pk", "importo_centesimi")) == celle
    q = quadro(mondo.piano)
    a25, a26, a27 = q.anni
    assert a25.totale.consuntivo and a26.totale.consuntivo and not a27.totale.consuntivo
    assert a25.totale.previsto < a27.totale.previsto
    # about 100 euro per inhabitant and year planned
    assert 90_00 < a25.previsto_pro_capite < 110_00

"""The list serializers write their dicts directly (``rappresenta``) for speed: these tests
check, object by object, that the dict is the one DRF's own field walk gives, including
null figures, plans without a date of entry into force and plans of several ambiti."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Prefetch

from accordi.models import ParteAccordo, PianoDiZona, RichiestaAdesione, RisorsaAdesione
from accordi.models.adesioni import StatoAdesione
from risorse.api import selectors
from risorse.api import serializers as s

from ..factories import AmbitoFactory, ComuneFactory, EnteFactory, crea_piano

pytestmark = pytest.mark.django_db


def _uguali(serializer, oggetti):
    assert oggetti
    for o in oggetti:
        rapida = serializer.to_representation(o)
        assert rapida == serializer.rappresentazione_drf(o)
        assert list(rapida) == list(serializer.rappresentazione_drf(o))  # same key order


def test_ambiti_come_drf(mondo):
    vuoto = AmbitoFactory()  # no Comuni: 0 and null
    vuoto.comuni.clear()
    senza_popolazione = AmbitoFactory()
    senza_popolazione.comuni.add(ComuneFactory(popolazione=None))
    ambiti = list(selectors.ambiti_pubblici())
    assert {vuoto.pk, senza_popolazione.pk, mondo.ambito.pk} <= {a.pk for a in ambiti}
    assert next(a for a in ambiti if a.pk == vuoto.pk).numero_comuni == 0
    _uguali(s.AmbitoSerializer(), ambiti)


def test_piani_come_drf(mondo):
    crea_piano(AmbitoFactory(asl=mondo.ambito.asl), AmbitoFactory(asl=mondo.ambito.asl), stato="vigente",
               vigente_dal=datetime.date(2025, 4, 1), revisione_vigente=1)
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato="vigente", vigente_dal=datetime.date(2025, 5, 2))
    _uguali(s.PianoSerializer(), list(selectors.filtra_piani(selectors.piani_dell_utente(mondo.udp_altro), {}))
            + list(PianoDiZona.objects.select_related("ciclo__regione").prefetch_related("ambiti")))
    _uguali(s.PianoPubblicoSerializer(), list(selectors.piani_pubblici_api()))


def test_accordi_come_drf(mondo):
    from .test_api_viste import accordo_vigente, aderente

    accordo = accordo_vigente(mondo.piano)
    aderente(accordo)  # money and volunteers
    aderente(accordo).risorse.create(tipo="volontari", descrizione="Mezza giornata", quantita=Decimal("2.5"),
                                     valore_centesimi=0)
    senza_capofila = accordo_vigente(crea_piano(AmbitoFactory(asl=mondo.ambito.asl, nome="Zeta"),
                                                AmbitoFactory(asl=mondo.ambito.asl, nome="Alfa")))
    senza_capofila.ente_capofila = None
    senza_capofila.save()
    accordo.parti.create(ente=EnteFactory(denominazione="Aaa primo in ordine"), ruolo=ParteAccordo.Ruolo.values[-1],
                          ordine=0)
    rapidi = selectors.con_dettagli(list(selectors.accordi_pubblici()))
    # DRF's walk reads the model objects, prefetched as the page showed them before
    aderenti = (RichiestaAdesione.objects.filter(stato=StatoAdesione.SOTTOSCRITTA).select_related("ente")
                .prefetch_related(Prefetch("risorse", queryset=RisorsaAdesione.objects.order_by("tipo", "pk")))
                .order_by("ente__denominazione", "pk"))
    oggetti = list(selectors.accordi_pubblici().prefetch_related(
        "piano__ambiti",
        Prefetch("parti", queryset=ParteAccordo.objects.select_related("ente").order_by("ordine", "pk")),
        Prefetch("adesioni", queryset=aderenti, to_attr="aderenti")))
    assert [a.pk for a in rapidi] == [a.pk for a in oggetti]
    assert {accordo.pk, senza_capofila.pk} <= {a.pk for a in rapidi}
    assert any(a.aderenti_dati for a in rapidi) and any(a.ente_capofila is None for a in rapidi)
    assert any(len(a.aderenti_dati) > 1 for a in rapidi) and any(len(a.parti_dati) > 1 for a in rapidi)
    assert any(len(a.ambiti_piano) > 1 for a in rapidi)
    serializer = s.AccordoPubblicoSerializer()
    for rapido, oggetto in zip(rapidi, oggetti, strict=True):
        dati = serializer.to_representation(rapido)
        assert dati == serializer.rappresentazione_drf(oggetto)
        assert list(dati) == list(serializer.rappresentazione_drf(oggetto))


def test_i_dettagli_restano_a_drf(mondo):
    """The detail serializers add fields: they must not take the lists' shortcut."""
    piano = selectors.piano_con_transizioni(mondo.udp_altro).first() or \
        PianoDiZona.objects.prefetch_related("transizioni", "ambiti").select_related("ciclo__regione").first()
    dati = s.PianoDettaglioSerializer().to_representation(piano)
    assert "transizioni" in dati and "motivo_annullamento" in dati
    assert "transizioni" in s.PianoPubblicoDettaglioSerializer().to_representation(piano)

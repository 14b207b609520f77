"""The money side of the national-scale dataset (``risorse.scala``): the Accordi of the plans
that reached one with the Terzo Settore's adesioni and their resources, the quadro delle
risorse of every plan and year, and every Comune's social spending."""

from __future__ import annotations

import datetime
import math

from accordi.models import (
    AccordoDiProgramma,
    ParteAccordo,
    RichiestaAdesione,
    RisorsaAdesione,
    Stato,
    StatoAdesione,
)

from .models import AmbitoSpesa, FonteRisorsa, SpesaSocialeComune, TipoImporto, VoceRisorsa

LOTTO = 2000
# The planning cycles of every region, and the year under way: the years before it have their
# consuntivo. ``risorse.scala`` builds its plans on the same calendar.
CICLI = [(2020, 2022), (2023, 2025), (2026, 2028)]
ANNO_CORRENTE = 2026
CON_ACCORDO = {Stato.ACCORDO, Stato.SOTTOSCRIZIONE, Stato.VIGENTE, Stato.CONCLUSO}

# The quadro's cells of every plan and year: (source, area of spending, euro per inhabitant),
# per-capita figures in the proportions of seed 004's table 1.1 (Lombardia, 2009).
CELLE = [
    ("fnps", AmbitoSpesa.SOCIALE, 7), ("fna", AmbitoSpesa.SOCIOSANITARIO, 6),
    ("poverta", AmbitoSpesa.SOCIALE, 4), ("fsr", AmbitoSpesa.SOCIALE, 36),
    ("regione_sociosanitario", AmbitoSpesa.SOCIOSANITARIO, 150), ("comuni", AmbitoSpesa.SOCIALE, 125),
    ("compartecipazione", AmbitoSpesa.SOCIALE, 18), ("compartecipazione", AmbitoSpesa.SOCIOSANITARIO, 74),
    ("asl", AmbitoSpesa.SOCIOSANITARIO, 20), ("terzo_settore", AmbitoSpesa.SOCIALE, 3),
]
SPESA_PRO_CAPITE = 125  # euro: the Comuni's own social spending per inhabitant (table 1.1)


def _lotti(modello, righe):
    return modello.objects.bulk_create(righe, batch_size=LOTTO)


def accordi(rng, piani, enti, enti_ts, utente):
    """An Accordo for every plan that reached it; the Terzo Settore of the ambiti adheres
    to those in force."""
    con_accordo = [(p, g) for p, g in piani if p.stato in CON_ACCORDO]
    accordi = []
    for p, g in con_accordo:
        principale = max((c for a in g for c in a.comuni), key=lambda c: (c.popolazione or 0, c.codice_istat))
        accordi.append(AccordoDiProgramma(
            piano=p, revisione=1, ente_capofila_id=enti["comuni"][principale.pk],
            data_inizio=p.vigente_dal or p.ciclo.validita_inizio, data_fine=p.ciclo.validita_fine,
            data_popolazione=datetime.date(2011, 10, 9),
            modalita_aggiornamento="Aggiornamento annuale approvato dall'Assemblea dei Sindaci."))
    _lotti(AccordoDiProgramma, accordi)
    parti = []
    for accordo, (_p, g) in zip(accordi, con_accordo, strict=True):
        comuni = [c for a in g for c in a.comuni]
        parti += [ParteAccordo(accordo=accordo, ente_id=enti["comuni"][c.pk], ruolo=ParteAccordo.Ruolo.COMUNE,
                               ordine=n) for n, c in enumerate(comuni)]
        parti.append(ParteAccordo(accordo=accordo, ente_id=enti["asl"][g[0].ambito.asl_id],
                                  ruolo=ParteAccordo.Ruolo.ASL, ordine=len(comuni)))
    _lotti(ParteAccordo, parti)
    richieste, risorse = [], []
    for accordo, (p, g) in zip(accordi, con_accordo, strict=True):
        if p.stato != Stato.VIGENTE:
            continue
        candidati = sorted({e for a in g for e in enti_ts.get(a.ambito.pk, [])})
        for ente_id in rng.sample(candidati, min(len(candidati), rng.randint(0, 6))):
            decisa = datetime.datetime.combine(p.vigente_dal, datetime.time(10), datetime.UTC)
            firmata = rng.random() < 0.7
            richieste.append(RichiestaAdesione(
                accordo=accordo, ente_id=ente_id, creata_da=utente,
                stato=StatoAdesione.SOTTOSCRITTA if firmata else StatoAdesione.ACCOLTA,
                dichiarazione="L'ente aderisce all'Accordo con le risorse indicate.",
                inviata_il=decisa - datetime.timedelta(days=20), decisa_il=decisa,
                sottoscritta_il=decisa + datetime.timedelta(days=7) if firmata else None))
    _lotti(RichiestaAdesione, richieste)
    for r in richieste:
        risorse.append(RisorsaAdesione(richiesta=r, tipo=RisorsaAdesione.Tipo.DENARO,
                                       descrizione="Cofinanziamento dei servizi", quantita=1,
                                       valore_centesimi=rng.randint(10, 500) * 100_000))
        if rng.random() < 0.5:
            ore = rng.randint(2, 40) * 50
            risorse.append(RisorsaAdesione(richiesta=r, tipo=RisorsaAdesione.Tipo.ORE_PERSONALE,
                                           descrizione="Ore di educatori e operatori", quantita=ore,
                                           valore_centesimi=ore * 2_500))
    _lotti(RisorsaAdesione, risorse)


def risorse(rng, piani):
    fonti = dict(FonteRisorsa.objects.filter(codice__in={c for c, _a, _e in CELLE}).values_list("codice", "pk"))
    voci = []
    for p, g in piani:
        abitanti = sum(a.popolazione for a in g)
        for anno in range(p.ciclo.anno_inizio, p.ciclo.anno_fine + 1):
            for codice, ambito_spesa, pro_capite in CELLE:
                previsto = round(abitanti * pro_capite * 100 * rng.uniform(0.7, 1.3))
                voci.append(VoceRisorsa(piano=p, anno=anno, fonte_id=fonti[codice], ambito_spesa=ambito_spesa,
                                        tipo=TipoImporto.PREVISTO, importo_centesimi=previsto))
                if anno < ANNO_CORRENTE and p.stato in (Stato.VIGENTE, Stato.CONCLUSO):
                    consuntivo = round(previsto * rng.uniform(0.85, 1.05))
                    voci.append(VoceRisorsa(piano=p, anno=anno, fonte_id=fonti[codice], ambito_spesa=ambito_spesa,
                                            tipo=TipoImporto.CONSUNTIVO, importo_centesimi=consuntivo))
    _lotti(VoceRisorsa, voci)

def spese(rng, ambiti):
    """Every Comune's social spending in every year of the cycles. The part conferred to
    the Ufficio di Piano follows a target share per ambito drawn so that about a quarter of
    the ambiti confer more than half (seed 004: 24 of 98) and a quarter less than 16%."""
    spese = []
    for a in ambiti:
        classe = rng.random()
        if classe < 0.25:
            quota_min, quota_max = 0.52, 0.85
        elif classe < 0.5:
            quota_min, quota_max = 0.03, 0.15
        else:
            quota_min, quota_max = 0.17, 0.49
        obiettivo = rng.uniform(quota_min, quota_max)
        for c in a.comuni:
            base = (c.popolazione or 1000) * SPESA_PRO_CAPITE * 100 * rng.uniform(0.6, 1.4)
            for anno in range(CICLI[0][0], CICLI[-1][1] + 1):
                totale = round(base * (1.02 ** (anno - CICLI[0][0])))
                quota = min(quota_max, max(quota_min, obiettivo * rng.uniform(0.9, 1.1)))
                spese.append(SpesaSocialeComune(comune=c, ambito=a.ambito, anno=anno, spesa_totale_centesimi=totale,
                                                conferita_udp_centesimi=math.floor(totale * quota)))
    _lotti(SpesaSocialeComune, spese)

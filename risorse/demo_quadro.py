"""Demo data: a plausible quadro unitario delle risorse for a plan, written through the real
service as its Ufficio di Piano would (to be called by ``make demo``). Idempotent: the same
figures are set again, nothing is duplicated."""

from __future__ import annotations

from .importa_quadro import anno_consuntivabile
from .models import FonteRisorsa
from .selectors_quadro import anni_del_piano, aree_della_regione, popolazione_del_piano
from .services_quadro import imposta_anno

# Euro per inhabitant and year, across areas: (fonte, sociale, sociosanitario). Orders of
# magnitude of a Lombard ambito (seed 004's table 1.1 scaled to a district and to the plan's
# share of the spending).
PRO_CAPITE = [
    ("fnps", 9.40, 0),
    ("fna", 0, 6.10),
    ("poverta", 4.20, 0),
    ("fsr", 7.80, 0),
    ("regione_sociosanitario", 0, 11.50),
    ("comuni", 38.00, 0),
    ("asl", 0, 5.20),
    ("compartecipazione", 6.30, 3.10),
    ("terzo_settore", 1.20, 0),
]
# Part of the FNPS planned for each of the first areas of intervention (the rest across areas).
QUOTE_AREE = [0.25, 0.15, 0.10]
# Actual spending of a year against the planned one: a little below, as the seed's monitoring finds.
REALIZZATO = 0.94


def demo_quadro(piano, utente) -> int:
    """Fill the plan's quadro for every year of its cycle; actual figures only for years already
    begun. Returns the number of cells written."""
    abitanti = popolazione_del_piano(piano).abitanti or 50_000
    fonti = {f.codice: f for f in FonteRisorsa.objects.filter(codice__in=[c for c, _s, _ss in PRO_CAPITE])}
    aree = aree_della_regione(piano)[:len(QUOTE_AREE)]
    celle_scritte = 0
    for i, anno in enumerate(anni_del_piano(piano)):
        crescita = 1 + 0.02 * i  # planned figures grow a little each year
        celle = {}
        for codice, sociale, sociosanitario in PRO_CAPITE:
            fonte = fonti.get(codice)
            if fonte is None:
                continue
            for ambito, euro in (("sociale", sociale), ("sociosanitario", sociosanitario)):
                if not euro:
                    continue
                previsto = round(euro * crescita * abitanti * 100)
                if codice == "fnps" and aree:
                    for area, quota in zip(aree, QUOTE_AREE, strict=False):
                        parte = round(previsto * quota)
                        celle[(fonte.pk, area.pk, ambito, "previsto")] = parte
                        previsto -= parte
                celle[(fonte.pk, None, ambito, "previsto")] = previsto
        if anno_consuntivabile(anno):
            celle.update({(f, a, s, "consuntivo"): round(c * REALIZZATO) for (f, a, s, _t), c in list(celle.items())})
        imposta_anno(piano=piano, utente=utente, anno=anno, celle=celle)
        celle_scritte += len(celle)
    return celle_scritte

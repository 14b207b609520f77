"""Demo data for monitoring: measurements of the plan's indicators twice a year and the
implementation state of its actions, so the pages and the yearly report have something to
show. Idempotent (a second run adds nothing); a plan without actions is left alone."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accordi.models import Azione, Indicatore

from .models import AttuazioneAzione, Misurazione
from .selectors_monitoraggio import anni_del_ciclo, quota_trascorsa

# How fast each indicator moves compared with a steady path (ahead, on track, behind), so
# the demo shows every status.
RITMI = [Decimal("1.3"), Decimal("1.0"), Decimal("0.6")]
NOTE = ["Dato fornito dagli sportelli sociali dei Comuni.", "Rilevazione dell'Ufficio di Piano.", ""]
VALUTAZIONI = {
    AttuazioneAzione.Stato.IN_CORSO: "L'azione procede secondo il cronoprogramma.",
    AttuazioneAzione.Stato.NON_AVVIATA: "L'avvio è previsto nel secondo semestre.",
    AttuazioneAzione.Stato.CONCLUSA: "L'azione si è conclusa con i risultati attesi.",
}


@transaction.atomic
def demo_monitoraggio(piano, utente) -> None:
    oggi = timezone.localdate()
    indicatori = list(Indicatore.objects.filter(azione__obiettivo__piano=piano).order_by("pk"))
    azioni = list(Azione.objects.filter(obiettivo__piano=piano).order_by("pk"))
    if not azioni:
        return
    date = [d for anno in anni_del_ciclo(piano) for d in (datetime.date(anno, 6, 30), datetime.date(anno, 12, 31))
            if d <= oggi]
    for n, indicatore in enumerate(indicatori):
        base = indicatore.valore_base or Decimal(0)
        ritmo = RITMI[n % len(RITMI)]
        for i, data in enumerate(date):
            quota = quota_trascorsa(piano, data) / 100
            valore = (base + (indicatore.valore_obiettivo - base) * quota * ritmo).quantize(Decimal("0.01"))
            Misurazione.objects.get_or_create(
                indicatore=indicatore, data_rilevazione=data,
                defaults={"valore": valore, "nota": NOTE[(n + i) % len(NOTE)], "inserita_da": utente})
    anni = [a for a in anni_del_ciclo(piano) if a <= oggi.year]
    for n, azione in enumerate(azioni):
        for anno in anni:
            if n % 3 == 2 and len(anni) > 1 and anno == anni[-1]:
                stato = AttuazioneAzione.Stato.CONCLUSA
            elif n % 4 == 3 and anno == anni[0]:
                stato = AttuazioneAzione.Stato.NON_AVVIATA
            else:
                stato = AttuazioneAzione.Stato.IN_CORSO
            AttuazioneAzione.objects.get_or_create(
                azione=azione, anno=anno,
                defaults={"stato": stato, "nota": VALUTAZIONI[stato], "aggiornata_da": utente})

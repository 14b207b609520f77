"""Reads of the monitoring of a plan: its objectives, actions and indicators with their
measurements, the progress of each indicator towards its target and its status, the yearly
implementation of the actions, the yearly reports. Every read takes a fixed number of queries
whatever the number of actions, indicators and measurements.

Progress of an indicator (Decimal, never float):

* with a baseline: (last value − baseline) / (target − baseline) × 100, so a falling indicator
  (a waiting list from 50 to 20) progresses as it falls;
* without a baseline: last value / target × 100;
* when the denominator is zero (target equal to the baseline, or a target of zero without a
  baseline) no percentage exists and the page says so instead of dividing by zero.

The true percentage is kept (it may exceed 100 or be negative); only the bar is clamped to
0-100.

Status of an indicator:

* *senza misurazioni*: no measurement (in the year, for a yearly report);
* *raggiunto*: progress ≥ 100%;
* *in linea*: progress ≥ the share of the cycle elapsed at the date of the last measurement
  (the cycle runs from 1 January of its first year to 31 December of its last; the value is
  compared with where a steady path from baseline to target would be on the day it was
  measured, so an old measurement is judged by its own date and a report does not change
  when read later);
* *in ritardo*: below that share;
* *non calcolabile*: the target equals the starting value (no percentage).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accordi.models import Azione, Documento, Indicatore, Obiettivo, PianoDiZona, Stato

from .models import AttuazioneAzione, Misurazione, RelazioneMonitoraggio, TipoImporto, VoceRisorsa

CENTO = Decimal(100)
UN_DECIMALE = Decimal("0.1")

# Writing (measurements, implementation states) only while the plan is in force; the yearly
# report also after the plan is concluded, since the last year's report is written after the
# cycle ends. Every state can be read, the page saying why nothing can be written.
STATI_MISURABILI = (Stato.VIGENTE,)
STATI_RELAZIONE = (Stato.VIGENTE, Stato.CONCLUSO)


class StatoIndicatore:
    RAGGIUNTO = "raggiunto"
    IN_LINEA = "in_linea"
    IN_RITARDO = "in_ritardo"
    SENZA_MISURAZIONI = "senza_misurazioni"
    NON_CALCOLABILE = "non_calcolabile"

    ETICHETTE = {
        RAGGIUNTO: gettext_lazy("Raggiunto"),
        IN_LINEA: gettext_lazy("In linea"),
        IN_RITARDO: gettext_lazy("In ritardo"),
        SENZA_MISURAZIONI: gettext_lazy("Senza misurazioni"),
        NON_CALCOLABILE: gettext_lazy("Non calcolabile"),
    }
    ORDINE = [RAGGIUNTO, IN_LINEA, IN_RITARDO, SENZA_MISURAZIONI, NON_CALCOLABILE]


@dataclass
class Progresso:
    stato: str
    percentuale: Decimal | None = None  # the true value, rounded to one decimal
    attesa: Decimal | None = None  # the elapsed share of the cycle at the measurement's date
    spiegazione: str = ""

    @property
    def etichetta(self) -> str:
        return str(StatoIndicatore.ETICHETTE[self.stato])

    @property
    def barra(self) -> int:
        """The bar's width, 0-100 (the text beside it carries the true value)."""
        if self.percentuale is None:
            return 0
        return int(max(Decimal(0), min(CENTO, self.percentuale)))

    @property
    def percentuale_testo(self) -> str:
        return numero_testo(self.percentuale, 1) if self.percentuale is not None else ""


def numero_testo(valore: Decimal | None, decimali: int | None = None) -> str:
    """A number the Italian way ("1.234,5"), as the forms read it back; trailing zeros dropped
    unless ``decimali`` is given."""
    if valore is None:
        return ""
    valore = Decimal(valore)
    if decimali is None:
        valore = valore.normalize() if valore == valore.to_integral() else valore
        decimali = max(0, -valore.normalize().as_tuple().exponent)
    with translation.override("it"):
        return formats.number_format(valore, decimali, use_l10n=True, force_grouping=True)


def inizio_ciclo(piano: PianoDiZona) -> datetime.date:
    return datetime.date(piano.ciclo.anno_inizio, 1, 1)


def fine_ciclo(piano: PianoDiZona) -> datetime.date:
    return datetime.date(piano.ciclo.anno_fine, 12, 31)


def anni_del_ciclo(piano: PianoDiZona) -> list[int]:
    return list(range(piano.ciclo.anno_inizio, piano.ciclo.anno_fine + 1))


def anni_monitorabili(piano: PianoDiZona, oggi: datetime.date | None = None) -> list[int]:
    """The cycle's years that have begun: the years one records states and reports for."""
    oggi = oggi or timezone.localdate()
    return [a for a in anni_del_ciclo(piano) if a <= oggi.year]


def quota_trascorsa(piano: PianoDiZona, data: datetime.date) -> Decimal:
    """The share (0-100) of the cycle elapsed on ``data``."""
    inizio, fine = inizio_ciclo(piano), fine_ciclo(piano)
    totale = (fine - inizio).days
    trascorsi = min(max((data - inizio).days, 0), totale)
    return (Decimal(trascorsi) * CENTO / Decimal(totale)).quantize(UN_DECIMALE, ROUND_HALF_UP)


def progresso(indicatore: Indicatore, ultima: Misurazione | None, piano: PianoDiZona) -> Progresso:
    """The progress of ``indicatore`` at its measurement ``ultima`` (see the module's rule)."""
    if ultima is None:
        return Progresso(StatoIndicatore.SENZA_MISURAZIONI, spiegazione=_("Nessuna misurazione."))
    obiettivo = Decimal(indicatore.valore_obiettivo)
    base = indicatore.valore_base
    if base is None:
        numeratore, denominatore = Decimal(ultima.valore), obiettivo
    else:
        numeratore, denominatore = Decimal(ultima.valore) - Decimal(base), obiettivo - Decimal(base)
    if denominatore == 0:
        spiegazione = (_("Obiettivo uguale al valore di partenza: l'avanzamento non si calcola.")
                       if base is not None else _("Valore atteso pari a zero: l'avanzamento non si calcola."))
        return Progresso(StatoIndicatore.NON_CALCOLABILE, spiegazione=spiegazione)
    percentuale = (numeratore * CENTO / denominatore).quantize(UN_DECIMALE, ROUND_HALF_UP)
    attesa = quota_trascorsa(piano, ultima.data_rilevazione)
    if percentuale >= CENTO:
        stato = StatoIndicatore.RAGGIUNTO
    elif percentuale >= attesa:
        stato = StatoIndicatore.IN_LINEA
    else:
        stato = StatoIndicatore.IN_RITARDO
    spiegazione = _("Avanzamento %(p)s%% al %(d)s; a quella data era trascorso il %(a)s%% del ciclo.") % {
        "p": numero_testo(percentuale, 1), "d": formats.date_format(ultima.data_rilevazione, "d/m/Y"),
        "a": numero_testo(attesa, 1)}
    return Progresso(stato, percentuale, attesa, spiegazione)


# --- the plan's tree ---------------------------------------------------------------------------


@dataclass
class Riepilogo:
    conteggi: dict[str, int] = field(default_factory=dict)

    @property
    def totale(self) -> int:
        return sum(self.conteggi.values())

    @property
    def righe(self) -> list[tuple[str, str, int]]:
        return [(s, str(StatoIndicatore.ETICHETTE[s]), self.conteggi.get(s, 0)) for s in StatoIndicatore.ORDINE]


def monitoraggio_del_piano(piano: PianoDiZona, anno: int | None = None) -> tuple[list[Obiettivo], Riepilogo]:
    """Objectives → actions → indicators of the plan, in order, each indicator carrying
    ``misurazioni_elenco`` (all of them, or the year's), ``ultima`` and ``progresso``, each
    action ``attuazioni_per_anno``; and the counts per status. Five queries."""
    misurazioni = Misurazione.objects.select_related("inserita_da").order_by("data_rilevazione", "pk")
    if anno is not None:
        misurazioni = misurazioni.filter(data_rilevazione__year=anno)
    attuazioni = AttuazioneAzione.objects.select_related("aggiornata_da").order_by("anno")
    obiettivi = list(
        Obiettivo.objects.filter(piano=piano).order_by("ordine", "pk").prefetch_related(
            Prefetch("azioni", queryset=Azione.objects.order_by("ordine", "pk")),
            Prefetch("azioni__indicatori", queryset=Indicatore.objects.order_by("ordine", "pk")),
            Prefetch("azioni__indicatori__misurazioni", queryset=misurazioni, to_attr="misurazioni_elenco"),
            Prefetch("azioni__attuazioni", queryset=attuazioni, to_attr="attuazioni_elenco"),
        )
    )
    riepilogo = Riepilogo({s: 0 for s in StatoIndicatore.ORDINE})
    for obiettivo in obiettivi:
        for azione in obiettivo.azioni.all():
            azione.attuazioni_per_anno = {a.anno: a for a in azione.attuazioni_elenco}
            azione.attuazione = azione.attuazioni_per_anno.get(anno) if anno is not None else None
            for indicatore in azione.indicatori.all():
                indicatore.ultima = indicatore.misurazioni_elenco[-1] if indicatore.misurazioni_elenco else None
                indicatore.progresso = progresso(indicatore, indicatore.ultima, piano)
                riepilogo.conteggi[indicatore.progresso.stato] += 1
    return obiettivi, riepilogo


def azioni_del_piano(piano: PianoDiZona, anno: int) -> list[Azione]:
    """The plan's actions in order, each with ``attuazione`` for ``anno`` (or None). Two
    queries."""
    azioni = list(
        Azione.objects.filter(obiettivo__piano=piano).select_related("obiettivo")
        .order_by("obiettivo__ordine", "obiettivo__pk", "ordine", "pk")
        .prefetch_related(Prefetch("attuazioni", queryset=AttuazioneAzione.objects.filter(anno=anno),
                                   to_attr="attuazioni_anno"))
    )
    for azione in azioni:
        azione.attuazione = azione.attuazioni_anno[0] if azione.attuazioni_anno else None
    return azioni


# --- one indicator -----------------------------------------------------------------------------


def indicatore_con_piano(pk: int) -> Indicatore | None:
    return (Indicatore.objects.select_related("azione", "azione__obiettivo", "azione__obiettivo__piano",
                                              "azione__obiettivo__piano__ciclo").filter(pk=pk).first())


def misurazione_con_piano(pk: int) -> Misurazione | None:
    return (Misurazione.objects.select_related(
        "indicatore", "indicatore__azione", "indicatore__azione__obiettivo", "indicatore__azione__obiettivo__piano",
        "indicatore__azione__obiettivo__piano__ciclo").filter(pk=pk).first())


def misurazioni_dell_indicatore(indicatore: Indicatore) -> list[Misurazione]:
    return list(indicatore.misurazioni.select_related("inserita_da").order_by("data_rilevazione", "pk"))


# --- reports -----------------------------------------------------------------------------------


def prefisso_chiave(piano: PianoDiZona, anno: int) -> str:
    return f"relazione_monitoraggio:piano{piano.pk}:{anno}:"


def anno_della_chiave(chiave: str) -> int | None:
    """The report's year from its act's key ("relazione_monitoraggio:piano7:2026:v2")."""
    parti = (chiave or "").split(":")
    return int(parti[2]) if len(parti) == 4 and parti[2].isdigit() else None


def relazione(piano: PianoDiZona, anno: int) -> RelazioneMonitoraggio | None:
    return RelazioneMonitoraggio.objects.filter(piano=piano, anno=anno).first()


def versioni_relazione(piano: PianoDiZona, anno: int | None = None) -> list[Documento]:
    """The generated acts of the plan's reports (of one year, or all), newest first, each with
    ``anno_relazione``. One query."""
    filtro = Q(piano=piano, tipo=Documento.Tipo.RELAZIONE_MONITORAGGIO)
    if anno is not None:
        filtro &= Q(chiave__startswith=prefisso_chiave(piano, anno))
    documenti = list(Documento.objects.filter(filtro).order_by("-creato_il", "-pk"))
    for documento in documenti:
        documento.anno_relazione = anno_della_chiave(documento.chiave)
    return documenti


def risorse_dell_anno(piano: PianoDiZona, anno: int) -> dict:
    """Planned and actual totals of the plan's quadro delle risorse for ``anno``, in cents. One
    query."""
    totali = VoceRisorsa.objects.filter(piano=piano, anno=anno).aggregate(
        previsto=Sum("importo_centesimi", filter=Q(tipo=TipoImporto.PREVISTO)),
        consuntivo=Sum("importo_centesimi", filter=Q(tipo=TipoImporto.CONSUNTIVO)),
    )
    return {"previsto": totali["previsto"], "consuntivo": totali["consuntivo"]}

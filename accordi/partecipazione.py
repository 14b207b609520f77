"""What the iter needs from the tavoli tematici (``tavoli``): the guards of *avvia istruttoria*
and *avvia stesura*, and the contents of a tavolo's approved minutes issued as a PDF act.
``accordi`` reads ``tavoli``; never the other way round."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from tavoli.models import Bisogno, PresenzaTavolo, Proposta, Tavolo, UnitaOfferta, VerbaleTavolo

from .guardie import registra
from .models import Documento
from .services_documenti import registra_contenuto


@registra("almeno_un_tavolo")
def almeno_un_tavolo(piano) -> list[str]:
    """*avvia istruttoria*: at least one tavolo tematico of the plan is open."""
    if Tavolo.objects.filter(piano=piano, chiuso_il__isnull=True).exists():
        return []
    return [_("Il piano non ha ancora un tavolo tematico: costituiscine almeno uno, con il suo coordinatore, "
              "dalla pagina dei tavoli del piano.")]


@registra("verbali_approvati")
def verbali_approvati(piano) -> list[str]:
    """*avvia stesura*: every open tavolo of the plan held at least one session (of the tavolo
    or of one of its focus-groups) whose minutes are approved. A closed tavolo is not waited
    for, but at least one tavolo of the plan must have approved minutes: a plan whose tavoli
    never met has had no istruttoria."""
    approvato = VerbaleTavolo.objects.filter(seduta__tavolo=OuterRef("pk"), stato=VerbaleTavolo.Stato.APPROVATO)
    tavoli = list(Tavolo.objects.filter(piano=piano).annotate(con_verbale=Exists(approvato))
                  .order_by("area__ordine", "nome"))
    mancanti = [t.nome for t in tavoli if t.attivo and not t.con_verbale]
    if mancanti:
        return [_("%(t)s: nessuna seduta ha ancora il verbale approvato. Approva il verbale di almeno una seduta "
                  "prima di avviare la stesura.") % {"t": nome} for nome in mancanti]
    if not any(t.con_verbale for t in tavoli):
        return [_("Nessun tavolo tematico del piano ha una seduta con verbale approvato: la stesura parte dal "
                  "lavoro dei tavoli.")]
    return []


# --- the minutes of a tavolo's session, as an act ----------------------------------------------

@registra_contenuto(Documento.Tipo.VERBALE_TAVOLO, "atti/verbale_tavolo.html")
def contenuto_verbale_tavolo(documento: Documento) -> dict:
    verbale = (VerbaleTavolo.objects
               .select_related("seduta", "seduta__tavolo", "seduta__tavolo__area", "seduta__tavolo__piano",
                               "seduta__tavolo__coordinatore", "seduta__focus_group",
                               "seduta__focus_group__referente", "approvato_in", "approvato_da", "redatto_da")
               .get(documento=documento))
    seduta = verbale.seduta
    punti = list(seduta.punti)
    testi = {voce.get("punto"): voce.get("testo", "") for voce in verbale.discussione}
    discussione = [{"punto": p, "testo": testi.get(p, "")} for p in punti]
    # Items added in the minutes beyond the agenda (e.g. "varie") follow the agenda's.
    discussione += [{"punto": v.get("punto", ""), "testo": v.get("testo", "")} for v in verbale.discussione
                    if v.get("punto") not in punti]
    contributi = {"area", "ente"}
    return {
        "verbale": verbale,
        "seduta": seduta,
        "tavolo": seduta.tavolo,
        "focus_group": seduta.focus_group,
        "piano": seduta.tavolo.piano,
        "discussione": discussione,
        "presenze": list(PresenzaTavolo.objects.filter(seduta=seduta).select_related("ente")
                         .order_by("nominativo", "pk")),
        "bisogni": list(Bisogno.objects.filter(seduta=seduta).select_related(*contributi)
                        .prefetch_related("comuni").order_by("pk")),
        "offerta": list(UnitaOfferta.objects.filter(seduta=seduta).select_related(*contributi, "tipo", "comune",
                                                                                 "gestore").order_by("pk")),
        "proposte": list(Proposta.objects.filter(seduta=seduta).select_related(*contributi)
                         .prefetch_related(Prefetch("bisogni", queryset=Bisogno.objects.order_by("pk")))
                         .order_by("pk")),
        "osservazioni": list(verbale.osservazioni.select_related("autore")),
    }

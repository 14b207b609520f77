"""Versions of the plan's content: the snapshot of the working draft, freezing it into a
numbered ``VersionePiano`` (with its PDF act), and the comparison of any two versions.

The snapshot is a plain JSON dict, stable in key order, so that its SHA-256 (``impronta``)
tells whether the draft changed since the last frozen version::

    {
      "titolo": str,                      # the plan's title
      "sezioni": [{"codice", "titolo", "testo" (sanitised HTML),
                   "bisogni": [{"id", "area", "destinatari", "descrizione", "priorita", "tavolo", "ente"}],
                   "offerta": [{"id", "tipo", "denominazione", "comune", "capacita", "gestore"}]}],
      "obiettivi": [{"id", "codice", "tipo", "titolo", "descrizione", "area",
                     "azioni": [{"id", "codice", "titolo", "descrizione", "area", "destinatari",
                                 "capofila", "partner": [str], "inizio", "fine" (ISO dates or ""),
                                 "stanziamenti": [{"anno", "fonte", "importo_centesimi"}],
                                 "indicatori": [{"descrizione", "unita", "valore_base", "valore_obiettivo"}]}]}],
    }

Ids are the database ids of the working draft's rows (they let the comparison pair an
action with itself across versions even if renamed); numbers are strings in the snapshot
(Decimals as their canonical string, amounts as integer cents).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ambiti.ruoli import Permessi

from .exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from .models import Azione, Documento, Obiettivo, PianoDiZona, SezionePiano, Stato, VersionePiano


def _data(valore) -> str:
    return valore.isoformat() if valore else ""


def _decimale(valore) -> str:
    return "" if valore is None else str(valore)


def _nome(oggetto) -> str:
    return str(oggetto) if oggetto is not None else ""


def istantanea(piano: PianoDiZona) -> dict:
    """The working draft as a snapshot dict (format above), in a constant number of queries."""
    from tavoli.models import Bisogno, UnitaOfferta

    sezioni = SezionePiano.objects.filter(piano=piano).order_by("ordine", "pk").prefetch_related(
        Prefetch("bisogni", queryset=Bisogno.objects.select_related("area", "ente", "seduta__tavolo")
                 .order_by("pk")),
        Prefetch("offerta", queryset=UnitaOfferta.objects.select_related("tipo", "comune", "gestore")
                 .order_by("pk")),
    )
    azioni = Azione.objects.select_related("area", "capofila").order_by("ordine", "pk").prefetch_related(
        "stanziamenti", "indicatori", "partner",
    )
    obiettivi = Obiettivo.objects.filter(piano=piano).select_related("area").order_by("ordine", "pk") \
        .prefetch_related(Prefetch("azioni", queryset=azioni))
    return {
        "titolo": piano.titolo,
        "sezioni": [
            {
                "codice": s.codice,
                "titolo": s.titolo,
                "testo": s.testo,
                "bisogni": [
                    {"id": b.pk, "area": _nome(b.area), "destinatari": b.destinatari, "descrizione": b.descrizione,
                     "priorita": b.priorita, "tavolo": _nome(b.seduta.tavolo), "ente": _nome(b.ente)}
                    for b in s.bisogni.all()
                ],
                "offerta": [
                    {"id": u.pk, "tipo": _nome(u.tipo), "denominazione": u.denominazione,
                     "comune": u.comune.denominazione, "capacita": "" if u.capacita is None else str(u.capacita),
                     "gestore": u.gestito_da}
                    for u in s.offerta.all()
                ],
            }
            for s in sezioni
        ],
        "obiettivi": [
            {
                "id": o.pk, "codice": o.codice, "tipo": o.tipo, "titolo": o.titolo, "descrizione": o.descrizione,
                "area": _nome(o.area),
                "azioni": [
                    {
                        "id": a.pk, "codice": a.codice, "titolo": a.titolo, "descrizione": a.descrizione,
                        "area": _nome(a.area), "destinatari": a.destinatari, "capofila": _nome(a.capofila),
                        "partner": sorted(str(e) for e in a.partner.all()),
                        "inizio": _data(a.inizio), "fine": _data(a.fine),
                        "stanziamenti": [
                            {"anno": st.anno, "fonte": st.fonte, "importo_centesimi": st.importo_centesimi}
                            for st in sorted(a.stanziamenti.all(), key=lambda x: (x.anno, x.fonte))
                        ],
                        "indicatori": [
                            {"descrizione": i.descrizione, "unita": i.unita,
                             "valore_base": _decimale(i.valore_base), "valore_obiettivo": _decimale(i.valore_obiettivo)}
                            for i in sorted(a.indicatori.all(), key=lambda x: (x.ordine, x.pk))
                        ],
                    }
                    for a in o.azioni.all()
                ],
            }
            for o in obiettivi
        ],
    }


def impronta(contenuto: dict) -> str:
    """SHA-256 of the canonical JSON of a snapshot."""
    canonico = json.dumps(contenuto, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonico.encode("utf-8")).hexdigest()


def versione_ultima(piano: PianoDiZona) -> VersionePiano | None:
    return VersionePiano.objects.filter(piano=piano).order_by("-numero").first()


def bozza_modificata(piano: PianoDiZona) -> bool:
    """Whether the working draft differs from the last frozen version (or none exists)."""
    ultima = VersionePiano.objects.filter(piano=piano).order_by("-numero").values_list("impronta", flat=True).first()
    return ultima is None or ultima != impronta(istantanea(piano))


def versione_congela(*, piano: PianoDiZona, utente, motivo: str, nota: str = "") -> VersionePiano:
    """Freeze the working draft as the next numbered version (Ufficio di Piano only; the
    caller may be another service that already checked it — pass ``utente`` anyway for the
    log). If the draft did not change since the last version with the same content, return
    that version instead of a duplicate. Requests the PDF act (kind ``piano_bozza``, key
    ``versione-piano:<pk>``) through ``services_documenti.atto_richiedi``.

    The plan's row is locked, so two simultaneous freezes get consecutive numbers (or the
    second returns the first's version when nothing changed in between). A concluded or
    cancelled plan is never frozen again."""
    from .services_documenti import atto_richiedi

    if motivo not in VersionePiano.Motivo.values:
        raise DatiNonValidi(_("Motivo della versione non valido: %(motivo)s.") % {"motivo": motivo})
    with transaction.atomic():
        piano = PianoDiZona.objects.select_for_update().get(pk=piano.pk)
        ambiti = list(piano.ambiti.all())
        if not Permessi(utente).ha_su_alcuno("gestisci_piano", ambiti):
            raise PermessoNegato(_("Solo l'Ufficio di Piano congela una versione del piano."))
        if piano.stato in (Stato.CONCLUSO, Stato.ANNULLATO):
            raise TransizioneNonAmmessa(
                _("Il piano è %(stato)s: non se ne congelano altre versioni.")
                % {"stato": piano.get_stato_display().lower()})
        contenuto = istantanea(piano)
        firma = impronta(contenuto)
        ultima = versione_ultima(piano)
        if ultima is not None and ultima.impronta == firma:
            return ultima
        versione = VersionePiano.objects.create(
            piano=piano, numero=(ultima.numero if ultima else 0) + 1, motivo=motivo, nota=nota,
            contenuto=contenuto, impronta=firma, creata_da=utente,
        )
        versione.documento = atto_richiedi(
            tipo=Documento.Tipo.PIANO_BOZZA, ambito=ambiti[0], piano=piano,
            titolo=_("Piano di Zona – versione %(n)s – %(titolo)s") % {"n": versione.numero, "titolo": piano.titolo},
            chiave=f"versione-piano:{versione.pk}", utente=utente, versione=versione.numero,
        )
        versione.save(update_fields=["documento"])
        return versione


@dataclass
class DifferenzaTesto:
    """A text compared: ``html`` holds the merged text with <ins>/<del> marks (escaped),
    ``cambiato`` whether anything differs."""

    html: str
    cambiato: bool


@dataclass
class DifferenzaVoce:
    """A section, objective or action compared: added, removed, changed or unchanged, with
    the differences of each field."""

    chiave: str
    titolo: str
    stato: str  # "aggiunta" | "rimossa" | "modificata" | "invariata"
    campi: dict[str, DifferenzaTesto] = field(default_factory=dict)
    figli: list[DifferenzaVoce] = field(default_factory=list)


@dataclass
class Confronto:
    da: int  # version number ("0" = the working draft)
    a: int
    sezioni: list[DifferenzaVoce]
    obiettivi: list[DifferenzaVoce]

    @property
    def cambiato(self) -> bool:
        return any(v.stato != "invariata" for v in self.sezioni + self.obiettivi)


def confronta(prima: dict, dopo: dict, *, da: int = 0, a: int = 0) -> Confronto:
    """Compare two snapshots per section (text by words, cited needs and offer) and per
    objective and action (every field, budgets and indicators)."""
    raise NotImplementedError

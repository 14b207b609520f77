"""Versions of the plan's content: the snapshot of the working draft, freezing it into a
numbered ``VersionePiano`` (with its PDF act), reading a snapshot for pages and acts, and who
reads which versions. Comparing two snapshots is in ``accordi.confronto``.

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
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.translation import gettext as _

from ambiti.ruoli import PERMESSI_DI_LETTURA, Permessi

from .confronto import tabella_stanziamenti
from .exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from .models import (
    Azione,
    Documento,
    Obiettivo,
    PianoDiZona,
    SezionePiano,
    Stato,
    VersionePiano,
)

CHIAVE_DEFINITIVO = "piano-definitivo:versione-piano:"


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


def testo_definitivo_richiedi(*, piano: PianoDiZona, utente, ambito=None) -> Documento:
    """The final text for the Assemblea is a frozen version: freeze the draft (reason
    «assemblea»; an unchanged draft keeps its last version) and request its act, numbered
    with the version (``Documento.versione``). The same version always gives the same act, so
    what the Assemblea approves is exactly that text."""
    from .services_documenti import atto_richiedi

    if utente is None:
        raise PermessoNegato(_("Solo l'Ufficio di Piano genera il testo definitivo del piano."))
    with transaction.atomic():
        versione = versione_congela(piano=piano, utente=utente, motivo=VersionePiano.Motivo.ASSEMBLEA)
        return atto_richiedi(
            tipo=Documento.Tipo.PIANO_DEFINITIVO, ambito=ambito or piano.ambiti.first(), piano=piano,
            titolo=_("%(tipo)s – %(titolo)s (versione %(n)s)") % {
                "tipo": Documento.Tipo.PIANO_DEFINITIVO.label, "titolo": piano.titolo, "n": versione.numero},
            chiave=f"{CHIAVE_DEFINITIVO}{versione.pk}", utente=utente, versione=versione.numero,
        )


def versione_dell_atto(documento: Documento) -> VersionePiano | None:
    """The frozen version a plan act renders: the version's own PDF, or the final text made
    from it (its key names the version)."""
    versione = VersionePiano.objects.filter(documento=documento).first()
    if versione is None and documento.chiave.startswith(CHIAVE_DEFINITIVO):
        versione = VersionePiano.objects.filter(
            pk=documento.chiave.removeprefix(CHIAVE_DEFINITIVO), piano_id=documento.piano_id).first()
    return versione


# --- reading a snapshot -----------------------------------------------------------------------


def testo_sicuro(html: str) -> str:
    """A section's HTML for output. It was sanitised when saved; it is cleaned again here
    (a snapshot is data, and data can be old), or escaped whole if the sanitiser is missing."""
    from django.utils.safestring import mark_safe

    try:
        import nh3
    except ImportError:  # pragma: no cover - nh3 is a dependency
        return escape(html or "")
    # cleaned by nh3 just above (bandit B308/B703 answered)
    return mark_safe(nh3.clean(html or ""))  # noqa: S308  # nosec B308, B703


def contenuto_leggibile(contenuto: dict) -> dict:
    """A snapshot ready for a page or an act: sanitised section texts, labels of kinds and
    priorities, each action's budget table and the plan's totals per source."""
    from tavoli.models import LivelloPriorita

    def etichetta(scelte, valore):
        try:
            return str(scelte(valore).label)
        except ValueError:
            return valore

    sezioni = [
        {**s, "testo_html": testo_sicuro(s.get("testo", "")),
         "bisogni": [{**b, "priorita_nome": etichetta(LivelloPriorita, b.get("priorita", ""))}
                     for b in s.get("bisogni", [])]}
        for s in contenuto.get("sezioni", [])
    ]
    tutti: list[dict] = []
    obiettivi = []
    for o in contenuto.get("obiettivi", []):
        azioni = []
        for a in o.get("azioni", []):
            tutti += a.get("stanziamenti", [])
            azioni.append({**a, "tabella": tabella_stanziamenti(a.get("stanziamenti", []))})
        obiettivi.append({**o, "tipo_nome": etichetta(Obiettivo.Tipo, o.get("tipo", "")), "azioni": azioni})
    return {"titolo": contenuto.get("titolo", ""), "sezioni": sezioni, "obiettivi": obiettivi,
            "totale": tabella_stanziamenti(tutti)}


def versione_congela_a_mano(*, piano: PianoDiZona, utente, nota: str = "") -> VersionePiano:
    """The Ufficio di Piano freezes the draft on its own initiative (to circulate or keep a
    stage of it): only while the draft is being written."""
    if piano.stato != Stato.BOZZA:
        raise TransizioneNonAmmessa(_("Una versione si congela a mano solo durante la stesura della bozza."))
    return versione_congela(piano=piano, utente=utente, motivo=VersionePiano.Motivo.ALTRO, nota=nota.strip())


# --- who reads which versions -----------------------------------------------------------------

# Reading the plan through any role but the union's: a union reads only what it was sent.
_LETTURA_PIENA = tuple(p for p in PERMESSI_DI_LETTURA if p != "esprimi_parere")


@dataclass
class Accesso:
    """What a user may read of a plan's versions: all of them (Ufficio di Piano, readers of the
    ambito, regional officers), the working draft too (Ufficio di Piano), or — for a union's
    referent — only the versions sent to their union for its parere."""

    piano: PianoDiZona
    udp: bool
    completo: bool
    inviate: frozenset[int]

    def vede(self, numero: int) -> bool:
        if numero == 0:
            return self.udp
        return self.completo or numero in self.inviate


def accesso_versioni(utente, piano: PianoDiZona) -> Accesso | None:
    """None when the user may read no version of the plan."""
    if not utente.is_authenticated:
        return None
    ambiti = list(piano.ambiti.select_related("asl"))
    permessi = Permessi(utente)
    permessi.prefetch(ambiti)
    udp = permessi.ha_su_alcuno("gestisci_piano", ambiti)
    completo = udp or any(permessi.ha(p, a) for a in ambiti for p in _LETTURA_PIENA) or any(
        permessi.consulta_regione(a.asl.regione_id) for a in ambiti)
    inviate: frozenset[int] = frozenset()
    if not completo:
        # A version is sent to a union when a consultation on it awaits (or holds) a parere
        # of a body the user acts for.
        inviate = frozenset(VersionePiano.objects.filter(
            piano=piano, consultazioni__pareri__sindacato__incarichi__utente=utente,
            consultazioni__pareri__sindacato__incarichi__attivo=True,
        ).values_list("numero", flat=True))
        if not inviate:
            return None
    return Accesso(piano=piano, udp=udp, completo=completo, inviate=inviate)


def versioni_leggibili(accesso: Accesso):
    """The versions the user may read, newest first, without their (large) content."""
    versioni = (VersionePiano.objects.filter(piano=accesso.piano).select_related("creata_da", "documento")
                .defer("contenuto").order_by("-numero"))
    if not accesso.completo:
        versioni = versioni.filter(numero__in=accesso.inviate)
    return versioni

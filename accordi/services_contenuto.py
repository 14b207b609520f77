"""The plan's working draft: the cycle's section template, the plan's sections (sanitised rich
text citing the tavoli's knowledge base), objectives and actions with their budget per year
and source and their indicators.

Who may do what:
- the Ufficio di Piano of one of the plan's ambiti writes the draft, and only while the plan is
  in avvio, indirizzo, istruttoria or bozza; after that the draft lives in frozen versions and
  the plan must be sent back to drafting to change it;
- people with a general role in the ambito (``consulta_ambito``), the Ufficio di Piano and the
  region's officers read the working draft; unions (``esprimi_parere``) and tavoli members do
  not: they read what is sent to them;
- regional officers edit the section template of their region's cycles.

Every writing function runs in one transaction after locking the plan row, so that a refused
input leaves nothing half-saved and two saves of the same plan are serialised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import nh3
from django.db import transaction
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa
from ambiti.models import Ente
from ambiti.ruoli import Permessi

from .models import (
    Azione,
    CicloProgrammazione,
    FonteFinanziamento,
    Indicatore,
    ModelloSezione,
    Obiettivo,
    PianoDiZona,
    SezionePiano,
    StanziamentoAzione,
    Stato,
)

# The draft is written from the start to the drafting state, and again during the approval:
# after the unions' consultation the Ufficio di Piano brings the accepted observations into the
# final text the Assemblea approves (the text sent to the unions stays in its frozen version,
# and the final act's annex shows the differences from it). While the unions or the ASL are
# reading a version, the draft does not move.
STATI_MODIFICABILI = (Stato.AVVIO, Stato.INDIRIZZO, Stato.ISTRUTTORIA, Stato.BOZZA, Stato.APPROVAZIONE)

# The typical table of contents of a Piano di Zona (regional guidelines): code, title, guide.
MODELLO_PREDEFINITO: tuple[tuple[str, str, str], ...] = (
    ("esiti-piano-precedente", "Esiti del piano precedente",
     "Che cosa è stato realizzato degli obiettivi del triennio precedente, con quali risultati e risorse."),
    ("contesto-popolazione", "Il contesto: popolazione",
     "Residenti per Comune e fasce d'età, andamento demografico, indice di vecchiaia."),
    ("contesto-famiglie", "Il contesto: famiglie",
     "Composizione dei nuclei, famiglie monoparentali, anziani soli, carichi di cura."),
    ("contesto-stranieri", "Il contesto: cittadini stranieri",
     "Presenza straniera per Comune e provenienza, minori stranieri, bisogni di integrazione."),
    ("contesto-socio-economico", "Il contesto: dati socio-economici",
     "Occupazione, redditi, povertà, disagio abitativo, con le fonti dei dati."),
    ("contesto-offerta", "Il contesto: l'offerta dei servizi",
     "Le unità di offerta sociali e socio-sanitarie del territorio: citale dall'analisi dei tavoli."),
    ("contesto-finanziamento", "Il contesto: la spesa e il finanziamento",
     "Spesa sociale dei Comuni e fondi (FNPS, FNA, Fondo Sociale Regionale, altri) dell'ultimo triennio."),
    ("bisogni-per-area", "I bisogni per area di intervento",
     "I bisogni emersi nei tavoli tematici, per area, con la loro priorità e le evidenze: citali dall'analisi."),
    ("obiettivi", "Gli obiettivi del triennio",
     "Gli obiettivi strategici e di sistema e come rispondono ai bisogni; l'elenco è nella parte «Obiettivi»."),
    ("azioni", "Le azioni",
     "Come si raggiungono gli obiettivi: azioni, enti responsabili, tempi e risorse (dettaglio nelle azioni)."),
    ("governance", "La governance del piano",
     "Assemblea dei Sindaci, Ufficio di Piano, tavoli tematici, ente capofila e Terzo Settore: chi decide e come."),
    ("integrazione-socio-sanitaria", "L'integrazione socio-sanitaria con l'ASL",
     "Gli obiettivi condivisi con l'ASL, i servizi integrati e gli strumenti di raccordo."),
    ("monitoraggio-valutazione", "Monitoraggio e valutazione",
     "Come, quando e da chi sono misurati gli indicatori delle azioni; come si rende conto dei risultati."),
)

# --- permissions ---------------------------------------------------------------------------


def _attivo(utente) -> bool:
    return bool(utente is not None and utente.is_authenticated and utente.is_active)


def _ambiti(piano: PianoDiZona) -> list:
    cache = getattr(piano, "_ambiti_contenuto", None)
    if cache is None:
        cache = list(piano.ambiti.select_related("asl").order_by("nome", "pk"))
        piano._ambiti_contenuto = cache
    return cache


def puo_scrivere(utente, piano: PianoDiZona) -> bool:
    """The Ufficio di Piano of one of the plan's ambiti (whatever the plan's state)."""
    return _attivo(utente) and Permessi(utente).ha_su_alcuno("gestisci_piano", _ambiti(piano))


def modificabile(piano: PianoDiZona) -> bool:
    return piano.stato in STATI_MODIFICABILI


def puo_leggere(utente, piano: PianoDiZona) -> bool:
    """The working draft: Ufficio di Piano, general roles in the ambito, regional officers.
    Unions and tavoli members read only what is sent to them."""
    if not _attivo(utente):
        return False
    permessi = Permessi(utente)
    ambiti = _ambiti(piano)
    if not permessi.legge(ambiti):
        return False
    if any(permessi.ha(p, a) for a in ambiti for p in ("gestisci_piano", "consulta_ambito")):
        return True
    return any(permessi.consulta_regione(a.asl.regione_id) for a in ambiti)


def _verifica_scrittura(utente, piano: PianoDiZona) -> None:
    if not puo_scrivere(utente, piano):
        raise PermessoNegato(_("Solo l'Ufficio di Piano scrive la bozza del piano."))
    if not modificabile(piano):
        raise TransizioneNonAmmessa(_(
            "Il piano è nello stato «%(stato)s»: mentre i sindacati o l'ASL esaminano una versione, e dopo "
            "l'intesa, la bozza non si modifica. Per cambiarla, il piano deve essere prima rinviato alla stesura."
        ) % {"stato": piano.get_stato_display()})


def _piano_bloccato(piano: PianoDiZona) -> PianoDiZona:
    bloccato = PianoDiZona.objects.select_for_update().get(pk=piano.pk)
    bloccato._ambiti_contenuto = getattr(piano, "_ambiti_contenuto", None)
    return bloccato


def _scrittura(utente, piano: PianoDiZona) -> PianoDiZona:
    """Lock the plan row, then check permission and state on the fresh row."""
    piano = _piano_bloccato(piano)
    _verifica_scrittura(utente, piano)
    return piano


# --- the cycle's template ------------------------------------------------------------------


@transaction.atomic
def modelli_garantisci(ciclo: CicloProgrammazione) -> list[ModelloSezione]:
    """The cycle's section template, created with the typical set when the cycle has none."""
    CicloProgrammazione.objects.select_for_update().filter(pk=ciclo.pk).first()
    if not ModelloSezione.objects.filter(ciclo=ciclo).exists():
        ModelloSezione.objects.bulk_create([
            ModelloSezione(ciclo=ciclo, codice=codice, titolo=titolo, guida=guida, ordine=i)
            for i, (codice, titolo, guida) in enumerate(MODELLO_PREDEFINITO, start=1)
        ])
    return list(ModelloSezione.objects.filter(ciclo=ciclo).order_by("ordine", "pk"))


def puo_modificare_modello(utente, ciclo: CicloProgrammazione) -> bool:
    return _attivo(utente) and Permessi(utente).consulta_regione(ciclo.regione_id)


def _verifica_modello(utente, ciclo: CicloProgrammazione) -> None:
    if not puo_modificare_modello(utente, ciclo):
        raise PermessoNegato(_("Solo la Regione modifica il modello delle sezioni del ciclo."))


@transaction.atomic
def modello_salva(*, ciclo: CicloProgrammazione, utente, codice: str, titolo: str, guida: str = "",
                  modello: ModelloSezione | None = None) -> ModelloSezione:
    """Add a section to the cycle's template (at the end) or change one. Plans already started
    keep their sections; new plans take the template as it is."""
    _verifica_modello(utente, ciclo)
    CicloProgrammazione.objects.select_for_update().filter(pk=ciclo.pk).first()
    codice, titolo, guida = (codice or "").strip(), (titolo or "").strip(), (guida or "").strip()
    errori = []
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", codice) or len(codice) > 40:
        errori.append(_("Il codice usa solo lettere minuscole, cifre e trattini (per esempio «contesto-famiglie»), "
                        "al più 40 caratteri."))
    if not titolo:
        errori.append(_("Scrivi il titolo della sezione."))
    altri = ModelloSezione.objects.filter(ciclo=ciclo, codice=codice)
    if modello is not None:
        altri = altri.exclude(pk=modello.pk)
    if codice and altri.exists():
        errori.append(_("Il ciclo ha già una sezione con il codice «%(c)s».") % {"c": codice})
    if errori:
        raise DatiNonValidi(*errori)
    if modello is None:
        ultimo = ModelloSezione.objects.filter(ciclo=ciclo).order_by("-ordine").values_list("ordine", flat=True)
        modello = ModelloSezione(ciclo=ciclo, ordine=(ultimo.first() or 0) + 1)
    elif modello.ciclo_id != ciclo.pk:
        raise PermessoNegato(_("La sezione non appartiene a questo ciclo."))
    modello.codice, modello.titolo, modello.guida = codice, titolo, guida
    modello.save()
    return modello


@transaction.atomic
def modello_sposta(*, modello: ModelloSezione, utente, su: bool) -> None:
    """Move a template section one place up or down (renumbering the cycle's sections)."""
    ciclo = modello.ciclo
    _verifica_modello(utente, ciclo)
    CicloProgrammazione.objects.select_for_update().filter(pk=ciclo.pk).first()
    modelli = list(ModelloSezione.objects.filter(ciclo=ciclo).order_by("ordine", "pk"))
    i = next(i for i, m in enumerate(modelli) if m.pk == modello.pk)
    j = i - 1 if su else i + 1
    if 0 <= j < len(modelli):
        modelli[i], modelli[j] = modelli[j], modelli[i]
    for n, m in enumerate(modelli, start=1):
        m.ordine = n
    ModelloSezione.objects.bulk_update(modelli, ["ordine"])


# --- sections ------------------------------------------------------------------------------


@transaction.atomic
def sezioni_garantisci(piano: PianoDiZona) -> list[SezionePiano]:
    """The plan's sections, created from its cycle's template the first time (idempotent:
    the plan row is locked, so two first visits do not create them twice)."""
    PianoDiZona.objects.select_for_update().filter(pk=piano.pk).first()
    if not SezionePiano.objects.filter(piano=piano).exists():
        SezionePiano.objects.bulk_create([
            SezionePiano(piano=piano, codice=m.codice, titolo=m.titolo, guida=m.guida, ordine=m.ordine)
            for m in modelli_garantisci(piano.ciclo)
        ])
    return list(SezionePiano.objects.filter(piano=piano).order_by("ordine", "pk"))


TAG_AMMESSI = {"p", "br", "strong", "b", "em", "i", "u", "s", "h3", "h4", "ul", "ol", "li", "blockquote", "a",
               "table", "thead", "tbody", "tr", "th", "td", "caption"}
ATTRIBUTI_AMMESSI = {"a": {"href", "title"}}
SCHEMI_AMMESSI = {"http", "https", "mailto"}

# What rich-text editors write that the plan's text keeps under another tag (Trix writes
# paragraphs as <div>, its heading as <h1>, struck text as <del>).
_EQUIVALENTI = (
    (re.compile(r"<(/?)div\b[^>]*>", re.I), r"<\1p>"),
    (re.compile(r"<(/?)h[12]\b[^>]*>", re.I), r"<\1h3>"),
    (re.compile(r"<(/?)(?:h[56])\b[^>]*>", re.I), r"<\1h4>"),
    (re.compile(r"<(/?)del\b[^>]*>", re.I), r"<\1s>"),
)


def sanifica(html: str) -> str:
    """Keep only the formatting a plan's text needs: paragraphs, emphasis, two heading levels,
    lists, quotes, tables and links (http, https, mailto; opened without referrer). Scripts,
    styles, event handlers and any other tag or attribute are dropped."""
    testo = html or ""
    for schema, sostituto in _EQUIVALENTI:
        testo = schema.sub(sostituto, testo)
    pulito = nh3.clean(testo, tags=TAG_AMMESSI, attributes=ATTRIBUTI_AMMESSI, url_schemes=SCHEMI_AMMESSI,
                       link_rel="noopener noreferrer", strip_comments=True)
    # An editor's empty paragraph is not content.
    return "" if re.fullmatch(r"(?:\s|<p>|</p>|<br>)*", pulito) else pulito.strip()


def _ids(valori: Iterable) -> set[int]:
    ids = set()
    for v in valori or ():
        try:
            ids.add(int(getattr(v, "pk", v)))
        except (TypeError, ValueError):
            raise DatiNonValidi(_("Una delle voci citate non è valida: ricarica la pagina e riprova.")) from None
    return ids


def _citazioni(piano: PianoDiZona, bisogni: Iterable, offerta: Iterable = ()) -> tuple[set[int], set[int]]:
    """The ids of the cited needs and offer, which must come from the plan's own tavoli."""
    from tavoli.selectors_conoscenza import conoscenza_del_piano

    id_b, id_o = _ids(bisogni), _ids(offerta)
    conoscenza = conoscenza_del_piano(piano)
    errori = []
    if id_b and conoscenza.bisogni.filter(pk__in=id_b).count() != len(id_b):
        errori.append(_("Si possono citare solo i bisogni emersi nei tavoli di questo piano."))
    if id_o and conoscenza.offerta.filter(pk__in=id_o).count() != len(id_o):
        errori.append(_("Si possono citare solo le unità di offerta censite nei tavoli di questo piano."))
    if errori:
        raise DatiNonValidi(*errori)
    return id_b, id_o


@transaction.atomic
def sezione_salva(*, sezione: SezionePiano, utente, testo: str, versione: int, bisogni: Iterable = (),
                  offerta: Iterable = ()) -> SezionePiano:
    """Save a section's text (sanitised) and its citations. Optimistic concurrency:
    ``versione`` must be the one the editor loaded, otherwise StatoCambiato and nothing is
    saved."""
    piano = _scrittura(utente, sezione.piano)
    sezione = SezionePiano.objects.select_for_update().get(pk=sezione.pk)
    if versione != sezione.versione:
        raise StatoCambiato(_(
            "Qualcun altro ha salvato la sezione nel frattempo (ora è alla versione %(v)s): le tue modifiche non "
            "sono state salvate. Confronta il tuo testo con quello salvato e salva di nuovo se vuoi sostituirlo."
        ) % {"v": sezione.versione})
    id_b, id_o = _citazioni(piano, bisogni, offerta)
    sezione.testo = sanifica(testo)
    sezione.versione += 1
    sezione.aggiornata_da = utente
    sezione.save(update_fields=["testo", "versione", "aggiornata_da", "aggiornata_il"])
    sezione.bisogni.set(id_b)
    sezione.offerta.set(id_o)
    return sezione


# --- objectives ----------------------------------------------------------------------------


def _area(piano: PianoDiZona, area):
    """An area of intervention of the plan's region (or none)."""
    if area in (None, ""):
        return None
    from tavoli.services_tavoli import aree_della_regione

    regione = _ambiti(piano)[0].asl.regione if _ambiti(piano) else piano.ciclo.regione
    aree = {a.pk: a for a in aree_della_regione(regione)}
    area_id = getattr(area, "pk", area)
    try:
        return aree[int(area_id)]
    except (KeyError, TypeError, ValueError):
        raise DatiNonValidi(_("Scegli un'area di intervento della regione del piano.")) from None


def _testo(valore, massimo: int, nome: str, obbligatorio: bool = False) -> str:
    testo = (valore or "").strip()
    if obbligatorio and not testo:
        raise DatiNonValidi(_("Scrivi %(campo)s.") % {"campo": nome})
    if len(testo) > massimo:
        raise DatiNonValidi(_("%(campo)s: al più %(n)s caratteri.") % {"campo": nome.capitalize(), "n": massimo})
    return testo


def _campi_obiettivo(piano, tipo, codice, titolo, descrizione, area) -> dict:
    if tipo not in Obiettivo.Tipo.values:
        raise DatiNonValidi(_("Scegli il tipo di obiettivo: strategico, di sistema o condiviso con l'ASL."))
    return {"tipo": tipo, "codice": _testo(codice, 20, _("il codice")),
            "titolo": _testo(titolo, 255, _("il titolo dell'obiettivo"), obbligatorio=True),
            "descrizione": _testo(descrizione, 20000, _("la descrizione")), "area": _area(piano, area)}


@transaction.atomic
def obiettivo_crea(*, piano: PianoDiZona, utente, tipo: str, titolo: str, codice: str = "", descrizione: str = "",
                   area=None) -> Obiettivo:
    piano = _scrittura(utente, piano)
    campi = _campi_obiettivo(piano, tipo, codice, titolo, descrizione, area)
    ultimo = Obiettivo.objects.filter(piano=piano).order_by("-ordine").values_list("ordine", flat=True).first()
    return Obiettivo.objects.create(piano=piano, ordine=(ultimo or 0) + 1, **campi)


@transaction.atomic
def obiettivo_modifica(*, obiettivo: Obiettivo, utente, tipo: str, titolo: str, codice: str = "",
                       descrizione: str = "", area=None) -> Obiettivo:
    piano = _scrittura(utente, obiettivo.piano)
    obiettivo = Obiettivo.objects.select_for_update().get(pk=obiettivo.pk)
    for nome, valore in _campi_obiettivo(piano, tipo, codice, titolo, descrizione, area).items():
        setattr(obiettivo, nome, valore)
    obiettivo.save()
    return obiettivo


@transaction.atomic
def obiettivo_elimina(*, obiettivo: Obiettivo, utente) -> None:
    _scrittura(utente, obiettivo.piano)
    if Azione.objects.filter(obiettivo=obiettivo).exists():
        raise DatiNonValidi(_("L'obiettivo ha delle azioni: elimina prima le azioni o spostale su un altro "
                              "obiettivo."))
    Obiettivo.objects.filter(pk=obiettivo.pk).delete()


# --- actions -------------------------------------------------------------------------------


def enti_del_piano(piano: PianoDiZona):
    """The bodies an action may name: those working in the plan's ambiti, and the ambiti's
    Comuni and ASL."""
    from django.db.models import Q

    ambiti = [a.pk for a in _ambiti(piano)]
    return (Ente.objects.filter(Q(ambiti__in=ambiti) | Q(comune__ambiti__in=ambiti) | Q(asl__ambiti__in=ambiti))
            .distinct().order_by("denominazione", "pk"))


_IMPORTO = re.compile(r"(?P<intero>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<decimali>\d+))?")


def importo_in_centesimi(testo: str | None) -> int | None:
    """An amount in euro written the Italian way ("1.234,56", "1234,56", "1234") as integer
    cents; None when empty. Refuses negatives, more than two decimals and other formats."""
    valore = (testo or "").replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if not valore:
        return None
    if valore.startswith("-"):
        raise DatiNonValidi(_("«%(v)s»: un importo non può essere negativo.") % {"v": testo.strip()})
    trovato = _IMPORTO.fullmatch(valore)
    if trovato is None:
        raise DatiNonValidi(_("«%(v)s» non è un importo in euro: scrivilo come 1.234,56 (punto per le migliaia, "
                              "virgola per i centesimi).") % {"v": testo.strip()})
    decimali = trovato["decimali"] or ""
    if len(decimali) > 2:
        raise DatiNonValidi(_("«%(v)s»: un importo in euro ha al più due decimali.") % {"v": testo.strip()})
    intero = trovato["intero"].replace(".", "")
    if len(intero.lstrip("0")) > 13:
        raise DatiNonValidi(_("«%(v)s»: l'importo è troppo grande.") % {"v": testo.strip()})
    return int(intero) * 100 + int(decimali.ljust(2, "0") or 0)


def _stanziamenti(piano: PianoDiZona, stanziamenti: Mapping) -> list[tuple[int, str, int]]:
    """``{(anno, fonte): "1.234,56" | cents}`` as (anno, fonte, cents) rows, zero and empty
    cells left out; every wrong cell is named."""
    anni = range(piano.ciclo.anno_inizio, piano.ciclo.anno_fine + 1)
    etichette = dict(FonteFinanziamento.choices)
    righe, errori = [], []
    for (anno, fonte), valore in sorted(stanziamenti.items(), key=lambda kv: (int(kv[0][0]), str(kv[0][1]))):
        anno = int(anno)
        if anno not in anni or fonte not in etichette:
            errori.append(_("Gli stanziamenti vanno negli anni del ciclo (%(da)s-%(a)s) e nelle fonti previste.")
                          % {"da": anni.start, "a": anni.stop - 1})
            continue
        try:
            if isinstance(valore, int):
                if valore < 0:
                    raise DatiNonValidi(_("Un importo non può essere negativo."))
                centesimi = valore
            else:
                centesimi = importo_in_centesimi(valore)
        except DatiNonValidi as exc:
            errori.append(_("%(fonte)s, %(anno)s: %(errore)s") % {
                "fonte": etichette[fonte], "anno": anno, "errore": " ".join(exc.messaggi)})
            continue
        if centesimi:
            righe.append((anno, fonte, centesimi))
    if errori:
        raise DatiNonValidi(*errori)
    return righe


def _indicatori(indicatori: Iterable[Mapping]) -> list[dict]:
    from decimal import Decimal, InvalidOperation

    def numero(v, nome, n):
        if v in (None, ""):
            return None
        try:
            d = Decimal(str(v).replace(".", "").replace(",", ".")) if isinstance(v, str) else Decimal(v)
        except InvalidOperation:
            raise DatiNonValidi(_("Indicatore %(n)s: %(campo)s non è un numero.") % {"n": n, "campo": nome}) from None
        if d.as_tuple().exponent < -2 or abs(d) >= Decimal(10) ** 12:
            raise DatiNonValidi(_("Indicatore %(n)s: %(campo)s ha al più due decimali e dodici cifre intere.")
                                % {"n": n, "campo": nome})
        return d

    righe = []
    for n, ind in enumerate(indicatori, start=1):
        descrizione = (ind.get("descrizione") or "").strip()
        unita = (ind.get("unita") or "").strip()
        base = numero(ind.get("valore_base"), _("il valore di partenza"), n)
        obiettivo = numero(ind.get("valore_obiettivo"), _("il valore atteso"), n)
        if not (descrizione or unita or base is not None or obiettivo is not None):
            continue
        mancano = [nome for nome, v in ((_("la descrizione"), descrizione), (_("l'unità di misura"), unita),
                                        (_("il valore atteso"), obiettivo)) if v in ("", None)]
        if mancano:
            raise DatiNonValidi(_("Indicatore %(n)s: manca %(cosa)s.") % {"n": n, "cosa": ", ".join(mancano)})
        if len(descrizione) > 255 or len(unita) > 60:
            raise DatiNonValidi(_("Indicatore %(n)s: descrizione al più 255 caratteri, unità al più 60.") % {"n": n})
        righe.append({"descrizione": descrizione, "unita": unita, "valore_base": base, "valore_obiettivo": obiettivo})
    return righe


def _campi_azione(piano: PianoDiZona, dati: Mapping) -> tuple[dict, list[int], set[int]]:
    errori = []

    def raccogli(f, *args, **kwargs):
        try:
            return f(*args, **kwargs)
        except DatiNonValidi as exc:
            errori.extend(exc.messaggi)
            return None

    campi = {
        "codice": raccogli(_testo, dati.get("codice"), 20, _("il codice")),
        "titolo": raccogli(_testo, dati.get("titolo"), 255, _("il titolo dell'azione"), obbligatorio=True),
        "descrizione": raccogli(_testo, dati.get("descrizione"), 20000, _("la descrizione")),
        "destinatari": raccogli(_testo, dati.get("destinatari"), 255, _("i destinatari")),
        "area": raccogli(_area, piano, dati.get("area")),
        "inizio": dati.get("inizio"), "fine": dati.get("fine"),
    }
    enti = {e.pk: e for e in enti_del_piano(piano)}
    capofila = dati.get("capofila")
    if capofila not in (None, ""):
        campi["capofila"] = enti.get(int(getattr(capofila, "pk", capofila)))
        if campi["capofila"] is None:
            errori.append(_("L'ente responsabile deve essere un ente degli ambiti del piano, un loro Comune o "
                            "l'ASL."))
    else:
        campi["capofila"] = None
    partner = [int(getattr(p, "pk", p)) for p in dati.get("partner") or ()]
    if any(p not in enti for p in partner):
        errori.append(_("I partner devono essere enti degli ambiti del piano, loro Comuni o l'ASL."))
    primo, ultimo = piano.ciclo.anno_inizio, piano.ciclo.anno_fine
    for nome, data in ((_("L'inizio"), campi["inizio"]), (_("La fine"), campi["fine"])):
        if data and not primo <= data.year <= ultimo:
            errori.append(_("%(cosa)s dell'azione deve cadere negli anni del ciclo, dal %(da)s al %(a)s.")
                          % {"cosa": nome, "da": primo, "a": ultimo})
    if campi["inizio"] and campi["fine"] and campi["fine"] < campi["inizio"]:
        errori.append(_("La fine dell'azione non può precedere il suo inizio."))
    bisogni = raccogli(_citazioni, piano, dati.get("bisogni") or ())
    if errori:
        raise DatiNonValidi(*errori)
    return campi, partner, bisogni[0]


def _scrivi_dettagli(azione: Azione, piano, partner, bisogni, stanziamenti, indicatori) -> None:
    azione.partner.set(partner)
    azione.bisogni.set(bisogni)
    if stanziamenti is not None:
        StanziamentoAzione.objects.filter(azione=azione).delete()
        StanziamentoAzione.objects.bulk_create([
            StanziamentoAzione(azione=azione, anno=anno, fonte=fonte, importo_centesimi=c)
            for anno, fonte, c in stanziamenti])
    if indicatori is not None:
        Indicatore.objects.filter(azione=azione).delete()
        Indicatore.objects.bulk_create([Indicatore(azione=azione, ordine=i, **r)
                                        for i, r in enumerate(indicatori, start=1)])


def _valida_tutto(piano, dati, stanziamenti, indicatori):
    """Validate fields, budget and indicators together, so the user reads every problem."""
    errori = []

    def prova(f, *args):
        try:
            return f(*args)
        except DatiNonValidi as exc:
            errori.extend(exc.messaggi)
            return None

    campi = prova(_campi_azione, piano, dati)
    righe = prova(_stanziamenti, piano, stanziamenti) if stanziamenti is not None else None
    ind = prova(_indicatori, indicatori) if indicatori is not None else None
    if errori:
        raise DatiNonValidi(*errori)
    return campi, righe, ind


@transaction.atomic
def azione_crea(*, obiettivo: Obiettivo, utente, dati: Mapping, stanziamenti: Mapping | None = None,
                indicatori: Iterable[Mapping] | None = None) -> Azione:
    """A new action of ``obiettivo``. ``dati`` holds codice, titolo, descrizione, area,
    destinatari, capofila, partner, inizio, fine, bisogni; ``stanziamenti`` maps
    (anno, fonte) to an amount in euro as typed; ``indicatori`` lists dicts with descrizione,
    unita, valore_base, valore_obiettivo (empty rows skipped)."""
    piano = _scrittura(utente, obiettivo.piano)
    (campi, partner, bisogni), righe, ind = _valida_tutto(piano, dati, stanziamenti, indicatori)
    ultimo = Azione.objects.filter(obiettivo=obiettivo).order_by("-ordine").values_list("ordine", flat=True).first()
    azione = Azione.objects.create(obiettivo=obiettivo, ordine=(ultimo or 0) + 1, **campi)
    _scrivi_dettagli(azione, piano, partner, bisogni, righe, ind)
    return azione


@transaction.atomic
def azione_modifica(*, azione: Azione, utente, dati: Mapping, stanziamenti: Mapping | None = None,
                    indicatori: Iterable[Mapping] | None = None) -> Azione:
    """Change an action; a given budget or list of indicators replaces the old one entirely,
    in the same transaction."""
    piano = _scrittura(utente, azione.obiettivo.piano)
    azione = Azione.objects.select_for_update().get(pk=azione.pk)
    (campi, partner, bisogni), righe, ind = _valida_tutto(piano, dati, stanziamenti, indicatori)
    for nome, valore in campi.items():
        setattr(azione, nome, valore)
    azione.save()
    _scrivi_dettagli(azione, piano, partner, bisogni, righe, ind)
    return azione


@transaction.atomic
def azione_elimina(*, azione: Azione, utente) -> None:
    _scrittura(utente, azione.obiettivo.piano)
    Azione.objects.filter(pk=azione.pk).delete()

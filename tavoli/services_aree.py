"""The region's list of areas of intervention and its own kinds of service, kept by the
regional officers. The default list is created by ``services_tavoli.aree_della_regione`` the
first time a region needs it. An area keeps its code for life: renaming it does not break the
plans that use it; an area in use by a tavolo or a contribution is retired, never deleted."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Regione
from ambiti.ruoli import Permessi

from .models import AreaFNPS, AreaIntervento, AreaISTAT, Bisogno, Proposta, Tavolo, TipoUnitaOfferta, UnitaOfferta

CAMPI_AREA = ("nome", "descrizione", "area_fnps", "area_istat", "ordine", "attiva")


def puo_gestire_aree(utente, regione: Regione) -> bool:
    """The region's officers (and superusers)."""
    return utente.is_authenticated and utente.is_active and Permessi(utente).consulta_regione(regione.pk)


def _verifica(utente, regione: Regione) -> None:
    if not puo_gestire_aree(utente, regione):
        raise PermessoNegato(_("Solo gli operatori della Regione gestiscono le aree di intervento e il catalogo."))


def _pulisci_area(regione: Regione, campi: dict, escludi: int | None = None) -> dict:
    nome = " ".join(str(campi.get("nome", "")).split())
    errori = []
    if not nome:
        errori.append(_("Indica il nome dell'area."))
    elif len(nome) > 120:
        errori.append(_("Il nome dell'area può avere al massimo 120 caratteri."))
    elif AreaIntervento.objects.filter(regione=regione, nome__iexact=nome).exclude(pk=escludi).exists():
        errori.append(_("Nella Regione esiste già un'area di intervento «%(nome)s».") % {"nome": nome})
    fnps, istat = campi.get("area_fnps", "") or "", campi.get("area_istat", "") or ""
    if fnps not in AreaFNPS.values and fnps:
        errori.append(_("Area FNPS non valida."))
    if istat not in AreaISTAT.values and istat:
        errori.append(_("Area di utenza ISTAT non valida."))
    try:
        ordine = int(campi.get("ordine") or 0)
    except (TypeError, ValueError):
        ordine = -1
    if not 0 <= ordine <= 32767:
        errori.append(_("L'ordine deve essere un numero intero da 0 a 32767."))
    if errori:
        raise DatiNonValidi(*errori)
    return {"nome": nome, "descrizione": str(campi.get("descrizione", "") or "").strip(), "area_fnps": fnps,
            "area_istat": istat, "ordine": ordine}


def _codice_libero(base: str, esistenti: set[str], lunghezza: int = 40) -> str:
    base = (slugify(base) or "voce")[:lunghezza]
    codice, n = base, 2
    while codice in esistenti:
        suffisso = f"-{n}"
        codice, n = base[:lunghezza - len(suffisso)] + suffisso, n + 1
    return codice


def area_crea(*, regione: Regione, utente, nome: str, descrizione: str = "", area_fnps: str = "",
              area_istat: str = "", ordine: int = 0) -> AreaIntervento:
    _verifica(utente, regione)
    with transaction.atomic():
        Regione.objects.select_for_update().get(pk=regione.pk)
        dati = _pulisci_area(regione, {"nome": nome, "descrizione": descrizione, "area_fnps": area_fnps,
                                       "area_istat": area_istat, "ordine": ordine})
        esistenti = set(AreaIntervento.objects.filter(regione=regione).values_list("codice", flat=True))
        return AreaIntervento.objects.create(regione=regione, codice=_codice_libero(dati["nome"], esistenti),
                                             attiva=True, **dati)


def area_modifica(*, area: AreaIntervento, utente, **campi) -> AreaIntervento:
    """Change name, description, FNPS and ISTAT mapping, order, or retire/reactivate
    (``attiva``). Fields not given keep their value."""
    sconosciuti = set(campi) - set(CAMPI_AREA)
    if sconosciuti:
        raise TypeError(f"campi non modificabili: {sorted(sconosciuti)}")
    regione = area.regione
    _verifica(utente, regione)
    with transaction.atomic():
        Regione.objects.select_for_update().get(pk=regione.pk)
        area = AreaIntervento.objects.select_for_update().get(pk=area.pk)
        attuali = {c: getattr(area, c) for c in CAMPI_AREA}
        attuali.update(campi)
        dati = _pulisci_area(regione, attuali, escludi=area.pk)
        for c, v in dati.items():
            setattr(area, c, v)
        area.attiva = bool(attuali["attiva"])
        area.save()
    return area


def area_in_uso(area: AreaIntervento) -> bool:
    return (Tavolo.objects.filter(area=area).exists() or Bisogno.objects.filter(area=area).exists()
            or UnitaOfferta.objects.filter(area=area).exists() or Proposta.objects.filter(area=area).exists())


def area_elimina(*, area: AreaIntervento, utente) -> None:
    """Only an area nobody used; one in use is retired instead (``area_modifica``)."""
    _verifica(utente, area.regione)
    with transaction.atomic():
        area = AreaIntervento.objects.select_for_update().get(pk=area.pk)
        if area_in_uso(area):
            raise DatiNonValidi(_("L'area «%(nome)s» è usata da un tavolo o da un contributo: non si può "
                                  "eliminare, ma puoi metterla fuori uso.") % {"nome": area.nome})
        area.delete()


def tipo_offerta_crea(*, regione: Regione, utente, nome: str, sigla: str = "", area_istat: str = "",
                      unita_capacita: str = "") -> TipoUnitaOfferta:
    """A kind of service of the region's own, next to the national catalogue."""
    _verifica(utente, regione)
    nome = " ".join(str(nome or "").split())
    sigla, unita_capacita = str(sigla or "").strip(), str(unita_capacita or "").strip()
    errori = []
    if not nome:
        errori.append(_("Indica il nome del tipo di unità di offerta."))
    elif len(nome) > 160:
        errori.append(_("Il nome può avere al massimo 160 caratteri."))
    if len(sigla) > 20:
        errori.append(_("La sigla può avere al massimo 20 caratteri."))
    if len(unita_capacita) > 40:
        errori.append(_("L'unità della capacità può avere al massimo 40 caratteri."))
    if area_istat and area_istat not in AreaISTAT.values:
        errori.append(_("Area di utenza ISTAT non valida."))
    with transaction.atomic():
        Regione.objects.select_for_update().get(pk=regione.pk)
        visibili = TipoUnitaOfferta.objects.filter(regione__isnull=True) | TipoUnitaOfferta.objects.filter(
            regione=regione)
        if nome and visibili.filter(nome__iexact=nome).exists():
            errori.append(_("Il catalogo ha già un tipo «%(nome)s».") % {"nome": nome})
        if errori:
            raise DatiNonValidi(*errori)
        codice = _codice_libero(nome, set(visibili.values_list("codice", flat=True)))
        return TipoUnitaOfferta.objects.create(regione=regione, codice=codice, nome=nome, sigla=sigla,
                                               area_istat=area_istat or "", unita_capacita=unita_capacita)

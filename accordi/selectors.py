"""Read-only queries for the plan pages: each returns what a page needs in a constant number
of queries, whatever the number of plans."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from ambiti.models import Ambito, Incarico
from ambiti.ruoli import PERMESSI_DI_LETTURA, Permessi

from .iter import PERCORSO, TRANSIZIONI, Transizione
from .models import Documento, PianoDiZona, RichiestaFirma, Stato, TransizionePiano


def _piani_base() -> QuerySet[PianoDiZona]:
    return PianoDiZona.objects.select_related("ciclo", "ciclo__regione").prefetch_related(
        Prefetch("ambiti", queryset=Ambito.objects.select_related("asl"))
    )


def piani_visibili(utente) -> QuerySet[PianoDiZona]:
    """Plans whose private pages the user may open: those of ambiti where they hold a role,
    and every plan of the regions they oversee."""
    if not utente.is_authenticated or not utente.is_active:
        return PianoDiZona.objects.none()
    if utente.is_superuser:
        return _piani_base()
    from guardian.shortcuts import get_objects_for_user

    from ambiti.models import Regione

    ambiti = get_objects_for_user(
        utente, [f"ambiti.{p}" for p in PERMESSI_DI_LETTURA], klass=Ambito,
        any_perm=True, accept_global_perms=False,
    ).values("pk")
    regioni = get_objects_for_user(
        utente, "ambiti.consulta_regione", klass=Regione, accept_global_perms=False
    ).values("pk")
    return _piani_base().filter(
        Q(ambiti__in=ambiti) | Q(ciclo__regione__in=regioni)
    ).distinct()


def piano_per_utente(utente, pk: int) -> PianoDiZona | None:
    return piani_visibili(utente).filter(pk=pk).first()


def piani_pubblici() -> QuerySet[PianoDiZona]:
    """Approved plans in force (or concluded), readable by anyone."""
    return _piani_base().filter(vigente_dal__isnull=False).exclude(stato=Stato.ANNULLATO)


def timeline(piano: PianoDiZona) -> list[TransizionePiano]:
    return list(piano.transizioni.select_related("utente").order_by("quando", "pk"))


@dataclass
class Azione:
    transizione: Transizione
    mancanze: list[str]

    @property
    def possibile(self) -> bool:
        return not self.mancanze


def azioni_disponibili(piano: PianoDiZona, permessi: Permessi) -> list[Azione]:
    """Transitions from the plan's state that this user's role allows, with what each one
    still needs. Transitions of other roles are not listed."""
    from .services import mancanze, permesso_per

    azioni = []
    for nome in piano.get_available_stato_transitions():
        transizione = TRANSIZIONI[nome.name]
        if permesso_per(transizione, piano, permessi) is None:
            continue
        azioni.append(Azione(transizione, mancanze(transizione, piano)))
    return azioni


@dataclass
class Passo:
    stato: str
    etichetta: str
    fatto: bool
    corrente: bool


def passi_iter(piano: PianoDiZona) -> list[Passo]:
    if piano.stato == Stato.ANNULLATO:
        raggiunti = {t.da_stato for t in piano.transizioni.all()}
        return [Passo(s, Stato(s).label, s in raggiunti, False) for s in PERCORSO]
    indice = PERCORSO.index(Stato(piano.stato))
    return [
        Passo(s, Stato(s).label, i < indice, i == indice) for i, s in enumerate(PERCORSO)
    ]


def destinatari_notifica(piano: PianoDiZona, escludi=None) -> list[str]:
    """E-mail addresses of the people with an active role in the plan's ambiti."""
    incarichi = Incarico.objects.filter(attivo=True, ambito__in=piano.ambiti.all()).exclude(
        utente__email=""
    )
    if escludi is not None:
        incarichi = incarichi.exclude(utente=escludi)
    return sorted(set(incarichi.values_list("utente__email", flat=True)))


def documenti_del_piano(piano: PianoDiZona) -> list[Documento]:
    documenti = list(piano.documenti.order_by("-creato_il", "-pk"))
    richieste = {r.documento_id: r for r in RichiestaFirma.objects.filter(documento__in=documenti)}
    for documento in documenti:
        documento.richiesta_firma_cache = richieste.get(documento.pk)
    return documenti

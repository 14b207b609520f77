"""Read-only queries on the registry."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Ambito, Incarico


def incarichi_attivi(utente) -> list[Incarico]:
    cache_attr = "_incarichi_attivi_cache"
    if not hasattr(utente, cache_attr):
        setattr(
            utente,
            cache_attr,
            list(
                Incarico.objects.filter(utente=utente, attivo=True)
                .select_related("ambito", "regione", "ente")
                .order_by("ruolo")
            ),
        )
    return getattr(utente, cache_attr)


def ambiti_con_permesso(utente, perm: str) -> QuerySet[Ambito]:
    """Ambiti on which the user holds ``perm`` (superusers: all)."""
    from guardian.shortcuts import get_objects_for_user

    return get_objects_for_user(
        utente, f"ambiti.{perm}", klass=Ambito.objects.select_related("asl"), accept_global_perms=False
    )

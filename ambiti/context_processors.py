"""Header context: the signed-in user's roles and ambiti."""

from .selectors import incarichi_attivi


def ruoli(request):
    utente = getattr(request, "user", None)
    if utente is None or not utente.is_authenticated:
        return {"incarichi_utente": []}
    return {"incarichi_utente": incarichi_attivi(utente)}

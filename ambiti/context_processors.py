"""Header context: the signed-in user's roles and ambiti."""

from .models import Incarico
from .selectors import incarichi_attivi


def ruoli(request):
    utente = getattr(request, "user", None)
    if utente is None or not utente.is_authenticated:
        return {"incarichi_utente": [], "gestisce_cicli": False}
    incarichi = incarichi_attivi(utente)
    return {
        "incarichi_utente": incarichi,
        "gestisce_cicli": any(i.ruolo == Incarico.Ruolo.OPERATORE_REGIONALE for i in incarichi),
    }

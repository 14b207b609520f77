"""Header context: the signed-in user's roles and ambiti."""

from .models import Incarico
from .selectors import incarichi_attivi


def ruoli(request):
    utente = getattr(request, "user", None)
    if utente is None or not utente.is_authenticated:
        return {"incarichi_utente": [], "gestisce_cicli": False}
    incarichi = incarichi_attivi(utente)
    corrente = getattr(request, "resolver_match", None)
    return {
        "incarichi_utente": incarichi,
        "gestisce_cicli": any(i.ruolo == Incarico.Ruolo.OPERATORE_REGIONALE for i in incarichi),
        # The Assemblea of the user's (first) ambito, for the header menu.
        "ambito_assemblea": next((i.ambito_id for i in incarichi if i.ambito_id
                                  and i.ruolo != Incarico.Ruolo.REFERENTE_SINDACATO), None),
        # The Ufficio di Piano's ambito, whose dashboard the header menu opens.
        "ambito_cruscotto": next((i.ambito_id for i in incarichi if i.ambito_id and i.ruolo in (
            Incarico.Ruolo.RESPONSABILE_UDP, Incarico.Ruolo.OPERATORE_UDP)), None),
        # The Assemblea's pages (its sessions, votes, deliberations) are those of tavoli.views;
        # the tavoli tematici and the calendar live in other modules of the same app.
        "in_assemblea": bool(corrente and getattr(corrente.func, "__module__", "") == "tavoli.views"),
    }

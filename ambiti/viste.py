"""What every app's views share when they call a service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from .exceptions import IterError, PermessoNegato


def esegui(request, funzione, successo: str | None = None, **kwargs):
    """Run a service; a forged request is a 403, any other refusal an Italian message and
    ``None`` for the caller. A service that returns nothing counts as done (``True``)."""
    try:
        risultato = funzione(**kwargs)
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        for m in exc.messaggi:
            messages.error(request, m)
        return None
    if successo:
        messages.success(request, successo)
    return risultato if risultato is not None else True


def esegui_nel_modulo(form, funzione, **kwargs):
    """``esegui`` for a form: a forged request is a 403, any other refusal becomes the form's
    error (the user's input stays in the form) and ``None`` for the caller."""
    try:
        risultato = funzione(**kwargs)
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        for m in exc.messaggi:
            form.add_error(None, m)
        return None
    return risultato if risultato is not None else True

"""Sign-in with a limit on failed attempts, per username and per client address.

Only failures count: a person who types the right password is never slowed down while under the
limit. Once the limit is reached, every attempt for that username (or from that address) is
refused before the password is checked, with the same message whether the username exists or
not, until the window ends. The counters live in the shared cache (Redis in production), like
django-ratelimit's counters of the public forms, and the client address is read the same way
(``RATELIMIT_IP_META_KEY``)."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

logger = logging.getLogger("pianozona.sicurezza")

GRUPPO_UTENTE = "ambiti.accesso.utente"
GRUPPO_INDIRIZZO = "ambiti.accesso.indirizzo"


def _chiave_utente(group, request) -> str:
    return (request.POST.get("username") or "").strip().casefold()


def _limiti():
    return (
        (GRUPPO_UTENTE, _chiave_utente, settings.PIANOZONA_ACCESSO_LIMITE_UTENTE),
        (GRUPPO_INDIRIZZO, "ip", settings.PIANOZONA_ACCESSO_LIMITE_INDIRIZZO),
    )


def _secondi_di_blocco(request) -> int | None:
    """Seconds until the attempts are allowed again, or None if none of the limits is reached."""
    attese = []
    for gruppo, chiave, limite in _limiti():
        uso = get_usage(request, group=gruppo, key=chiave, rate=limite, method="POST", increment=False)
        if uso and uso["count"] >= uso["limit"]:
            attese.append(max(1, int(uso["time_left"])))
    return max(attese) if attese else None


def _conta_fallimento(request) -> None:
    for gruppo, chiave, limite in _limiti():
        get_usage(request, group=gruppo, key=chiave, rate=limite, method="POST", increment=True)


class Accesso(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        secondi = _secondi_di_blocco(request)
        if secondi is not None:
            return self._troppi_tentativi(secondi)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _conta_fallimento(self.request)
        return super().form_invalid(form)

    def _troppi_tentativi(self, secondi: int):
        logger.warning("Accesso sospeso per troppi tentativi non riusciti (indirizzo %s)",
                       self.request.META.get(settings.RATELIMIT_IP_META_KEY, "?"))
        form = self.get_form_class()(self.request, initial={"username": self.request.POST.get("username", "")})
        minuti = max(1, -(-secondi // 60))
        sospensione = ngettext(
            "Troppi tentativi di accesso non riusciti. Per sicurezza l'accesso è sospeso: riprova tra "
            "%(minuti)d minuto oppure reimposta la password.",
            "Troppi tentativi di accesso non riusciti. Per sicurezza l'accesso è sospeso: riprova tra "
            "%(minuti)d minuti oppure reimposta la password.",
            minuti) % {"minuti": minuti}
        risposta = self.render_to_response(self.get_context_data(form=form, sospensione=sospensione))
        risposta.status_code = 429
        risposta["Retry-After"] = str(secondi)
        return risposta


__all__ = ["Accesso"]

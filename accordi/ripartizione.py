"""The arithmetic of the cost sharing (*ripartizione degli oneri*): pure functions on integers,
no models. Amounts are euro cents, shares hundredths of a percent (10000 = 100%).

Every split uses the largest-remainder method: each key first gets the integer part of its exact
share, then the cents left over go one each to the keys with the largest remainders. The result
always adds up exactly to the total, and each quota is within one cent of its exact share."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from typing import TypeVar

from django.utils.translation import gettext as _

K = TypeVar("K", bound=Hashable)

CENTO_PER_CENTO = 10000


def ripartisci(totale: int, pesi: Mapping[K, int]) -> dict[K, int]:
    """Split ``totale`` cents in proportion to the non-negative integer ``pesi``.

    Ties on the remainder go to the larger weight, then to the key that comes first in ``pesi``:
    the same input always gives the same split. A key with weight 0 gets 0. All weights zero (or
    none at all) with something to split is a ValueError; a total of 0 gives 0 to every key."""
    if isinstance(totale, bool) or not isinstance(totale, int) or totale < 0:
        raise ValueError(_("L'importo da ripartire deve essere un numero intero di centesimi non negativo."))
    chiavi = list(pesi)
    for chiave in chiavi:
        peso = pesi[chiave]
        if isinstance(peso, bool) or not isinstance(peso, int) or peso < 0:
            raise ValueError(_("I pesi della ripartizione devono essere numeri interi non negativi."))
    somma = sum(pesi[k] for k in chiavi)
    if totale == 0:
        return {k: 0 for k in chiavi}
    if somma == 0:
        raise ValueError(_("Non si può ripartire un importo se tutti i pesi sono zero."))
    quote: dict[K, int] = {}
    resti: list[tuple[int, int, int, K]] = []
    for indice, chiave in enumerate(chiavi):
        intero, resto = divmod(totale * pesi[chiave], somma)
        quote[chiave] = intero
        resti.append((-resto, -pesi[chiave], indice, chiave))
    avanzo = totale - sum(quote.values())
    # avanzo < number of keys with a positive remainder: a zero weight never gets a cent.
    for _resto, _peso, _indice, chiave in sorted(resti)[:avanzo]:
        quote[chiave] += 1
    return quote


def ripartisci_voce(
    totale: int, *, quote: tuple[int, int, int], popolazione: Mapping[K, int], utenti: Mapping[K, int]
) -> dict[K, int]:
    """Split a cost item's yearly ``totale`` among the Comuni, the keys of ``popolazione``.

    ``quote`` = (by population, by users served, in equal parts) in hundredths of a percent,
    adding to 10000. The total is first split among the three shares, then each share among the
    Comuni (by population, by users served, one each), and the quotas are added per Comune: the
    result adds up exactly to ``totale``. A Comune missing from ``utenti`` served no users."""
    if len(quote) != 3 or any(isinstance(q, bool) or not isinstance(q, int) or q < 0 for q in quote):
        raise ValueError(_("Le quote della ripartizione devono essere tre numeri interi non negativi."))
    if sum(quote) != CENTO_PER_CENTO:
        raise ValueError(_("Le percentuali devono sommare a 100: ora sommano a %(somma)s.")
                         % {"somma": percentuale_testo(sum(quote))})
    comuni = list(popolazione)
    estranei = [k for k in utenti if k not in popolazione]
    if estranei:
        raise ValueError(_("Gli utenti serviti riguardano Comuni che non partecipano alla ripartizione."))
    if not comuni:
        if totale:
            raise ValueError(_("Non ci sono Comuni tra cui ripartire l'importo."))
        return {}
    parti = ripartisci(totale, {"popolazione": quote[0], "utenti": quote[1], "parti_uguali": quote[2]})
    pesi = {
        "popolazione": {k: popolazione[k] for k in comuni},
        "utenti": {k: utenti.get(k, 0) for k in comuni},
        "parti_uguali": dict.fromkeys(comuni, 1),
    }
    messaggi = {
        "popolazione": _("Per la quota per popolazione serve la popolazione di almeno un Comune."),
        "utenti": _("Per la quota per utenti serviti servono gli utenti serviti di almeno un Comune."),
        "parti_uguali": "",
    }
    risultato = dict.fromkeys(comuni, 0)
    for criterio, importo in parti.items():
        if not importo:
            continue
        try:
            ripartite = ripartisci(importo, pesi[criterio])
        except ValueError as exc:
            raise ValueError(messaggi[criterio] or str(exc)) from exc
        for chiave, quota in ripartite.items():
            risultato[chiave] += quota
    return risultato


_PERCENTUALE = re.compile(r"(?P<intero>\d{1,3})(?:,(?P<decimali>\d{1,2}))?")


def percentuale_da_testo(testo: str | None) -> int:
    """A percentage written the Italian way ("40", "40%", "33,33") in hundredths of a percent
    (3333). An empty field is 0. Refuses the decimal point, more than two decimals, negatives
    and anything above 100, with an Italian message."""
    valore = (testo or "").replace("%", "").replace("\u00a0", "").replace(" ", "").strip()
    if not valore:
        return 0
    trovato = _PERCENTUALE.fullmatch(valore)
    if trovato is None:
        raise ValueError(_("«%(v)s» non è una percentuale: scrivila come 33,33 (virgola per i decimali, al più "
                           "due).") % {"v": testo.strip()})
    risultato = int(trovato["intero"]) * 100 + int((trovato["decimali"] or "").ljust(2, "0"))
    if risultato > CENTO_PER_CENTO:
        raise ValueError(_("«%(v)s»: una percentuale non può superare 100.") % {"v": testo.strip()})
    return risultato


def percentuale_testo(centesimi_di_punto: int) -> str:
    """3333 → "33,33"; 4000 → "40"; 1250 → "12,5" (what ``percentuale_da_testo`` reads back)."""
    segno = "-" if centesimi_di_punto < 0 else ""
    intero, decimali = divmod(abs(int(centesimi_di_punto)), 100)
    if not decimali:
        return f"{segno}{intero}"
    return f"{segno}{intero},{decimali:02d}".rstrip("0")

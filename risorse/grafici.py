"""Charts drawn on the server as SVG: no CDN, no JavaScript, readable without colour.

Every chart is an ``<svg role="img">`` named by its own ``<title>`` and ``<desc>`` (through
``aria-labelledby``), with visible labels and values and a legend; the series differ by pattern
as well as by colour. The page always follows a chart with its data table: the SVG is the
picture, the table is the information. Every text that comes from the data is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Bootstrap Italia's palette. Text inside a bar is white on the first two (contrast ≥ 4.5:1);
# values are otherwise written beside the bars in the body text colour.
COLORI = ["#0066CC", "#004D99", "#5C6F82", "#008758", "#995C00", "#D9364F"]
TESTO = "#1A1A1A"
GRIGIO = "#5C6F82"
# The fill of each series: a solid colour, then diagonal stripes, dots, cross-hatching.
MOTIVI = ["pieno", "righe", "punti", "griglia"]

LARGHEZZA = 720
RIGA = 28
FONT = 'font-family="Titillium Web, Geneva, Tahoma, sans-serif"'


def _e(testo) -> str:
    return escape(str(testo))


def _numero(valore: float) -> str:
    return f"{valore:.1f}".rstrip("0").rstrip(".")


def _apertura(ident: str, titolo: str, descrizione: str, larghezza: int, altezza: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="grafico" id="{_e(ident)}" '
        f'viewBox="0 0 {larghezza} {altezza}" width="{larghezza}" height="{altezza}" '
        f'aria-labelledby="{_e(ident)}-titolo {_e(ident)}-desc" {FONT} font-size="13">',
        f'<title id="{_e(ident)}-titolo">{_e(titolo)}</title>',
        f'<desc id="{_e(ident)}-desc">{_e(descrizione)}</desc>',
    ]


def _motivi(ident: str, n: int) -> list[str]:
    """One <pattern> per series: colour plus texture, so that series are told apart in grey."""
    parti = ["<defs>"]
    for i in range(n):
        colore = COLORI[i % len(COLORI)]
        motivo = MOTIVI[i % len(MOTIVI)]
        pid = f"{_e(ident)}-motivo-{i}"
        if motivo == "pieno":
            parti.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                         f'<rect width="8" height="8" fill="{colore}"/></pattern>')
        elif motivo == "righe":
            parti.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse" '
                         f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{colore}"/>'
                         f'<rect width="3" height="8" fill="#FFFFFF" fill-opacity="0.45"/></pattern>')
        elif motivo == "punti":
            parti.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                         f'<rect width="8" height="8" fill="{colore}"/>'
                         f'<circle cx="4" cy="4" r="1.8" fill="#FFFFFF" fill-opacity="0.6"/></pattern>')
        else:
            parti.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                         f'<rect width="8" height="8" fill="{colore}"/>'
                         f'<path d="M0 4H8M4 0V8" stroke="#FFFFFF" stroke-opacity="0.5" stroke-width="1.5"/>'
                         f'</pattern>')
    parti.append("</defs>")
    return parti


def _legenda(ident: str, nomi: Sequence[str], y: int, x0: int = 10) -> list[str]:
    parti = [f'<g class="legenda" aria-hidden="true" transform="translate({x0},{y})">']
    x = 0
    for i, nome in enumerate(nomi):
        parti.append(f'<rect x="{x}" y="0" width="16" height="16" fill="url(#{_e(ident)}-motivo-{i})" '
                     f'stroke="{TESTO}" stroke-width="0.5"/>')
        parti.append(f'<text x="{x + 22}" y="13" fill="{TESTO}">{_e(nome)}</text>')
        x += 34 + 8 * len(str(nome))
    parti.append("</g>")
    return parti


def _vuoto(ident: str, titolo: str, descrizione: str, messaggio: str) -> SafeString:
    parti = _apertura(ident, titolo, descrizione, LARGHEZZA, 60)
    parti.append(f'<text x="10" y="34" fill="{TESTO}">{_e(messaggio)}</text></svg>')
    # every text and attribute escaped by _e() (bandit B308/B703 answered)
    return mark_safe("".join(parti))  # nosec B308, B703


def barre_impilate(*, ident: str, titolo: str, descrizione: str, categorie: Sequence[str],
                   serie: Sequence[tuple[str, Sequence[int | float]]],
                   formato: Callable[[float], str] = _numero, vuoto: str = "Nessun dato") -> SafeString:
    """Horizontal bars, one per category, each split into the series (like seed 004's Grafico
    1.1: a bar per source of spending, stacked sociale / sociosanitario). The total is written
    at the end of each bar, each segment's value inside it when it fits."""
    totali = [sum(v[i] for _, v in serie) for i in range(len(categorie))]
    massimo = max(totali, default=0)
    if not categorie or massimo <= 0:
        return _vuoto(ident, titolo, descrizione, vuoto)
    sinistra, destra = 190, 130
    area = LARGHEZZA - sinistra - destra
    altezza = 20 + len(categorie) * (RIGA + 8) + 50
    parti = _apertura(ident, titolo, descrizione, LARGHEZZA, altezza) + _motivi(ident, len(serie))
    for i, categoria in enumerate(categorie):
        y = 20 + i * (RIGA + 8)
        parti.append(f'<text x="{sinistra - 8}" y="{y + RIGA / 2 + 5}" text-anchor="end" fill="{TESTO}">'
                     f'{_e(categoria)}</text>')
        x = sinistra
        for s, (nome, valori) in enumerate(serie):
            valore = valori[i]
            if valore <= 0:
                continue
            w = area * valore / massimo
            parti.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{RIGA}" '
                         f'fill="url(#{_e(ident)}-motivo-{s})" stroke="#FFFFFF" stroke-width="1">'
                         f'<title>{_e(categoria)} – {_e(nome)}: {_e(formato(valore))}</title></rect>')
            x += w
        parti.append(f'<text x="{x + 6:.1f}" y="{y + RIGA / 2 + 5}" fill="{TESTO}" font-weight="600">'
                     f'{_e(formato(totali[i]))}</text>')
    parti.append(f'<line x1="{sinistra}" y1="14" x2="{sinistra}" y2="{altezza - 44}" stroke="{GRIGIO}"/>')
    parti += _legenda(ident, [nome for nome, _ in serie], altezza - 30, sinistra)
    parti.append("</svg>")
    # every text and attribute escaped by _e() (bandit B308/B703 answered)
    return mark_safe("".join(parti))  # nosec B308, B703


def barre_semplici(*, ident: str, titolo: str, descrizione: str, voci: Sequence[tuple[str, int | float]],
                   formato: Callable[[float], str] = _numero, vuoto: str = "Nessun dato",
                   scala: float | None = None) -> SafeString:
    """Horizontal bars with their label on the left and their value on the right. ``scala`` is
    the value of a full-length bar (100 for percentages), by default the largest value."""
    massimo = max((v for _, v in voci), default=0)
    if voci and massimo > 0 and scala:
        massimo = max(massimo, scala)
    if not voci or massimo <= 0:
        return _vuoto(ident, titolo, descrizione, vuoto)
    sinistra, destra = 230, 120
    area = LARGHEZZA - sinistra - destra
    altezza = 16 + len(voci) * (RIGA + 6)
    parti = _apertura(ident, titolo, descrizione, LARGHEZZA, altezza) + _motivi(ident, 1)
    for i, (etichetta, valore) in enumerate(voci):
        y = 8 + i * (RIGA + 6)
        w = area * max(valore, 0) / massimo
        parti.append(f'<text x="{sinistra - 8}" y="{y + RIGA / 2 + 5}" text-anchor="end" fill="{TESTO}">'
                     f'{_e(etichetta)}</text>')
        parti.append(f'<rect x="{sinistra}" y="{y}" width="{w:.1f}" height="{RIGA}" '
                     f'fill="url(#{_e(ident)}-motivo-0)"/>')
        parti.append(f'<text x="{sinistra + w + 6:.1f}" y="{y + RIGA / 2 + 5}" fill="{TESTO}" '
                     f'font-weight="600">{_e(formato(valore))}</text>')
    parti.append(f'<line x1="{sinistra}" y1="4" x2="{sinistra}" y2="{altezza - 4}" stroke="{GRIGIO}"/>')
    parti.append("</svg>")
    # every text and attribute escaped by _e() (bandit B308/B703 answered)
    return mark_safe("".join(parti))  # nosec B308, B703


def istogramma(*, ident: str, titolo: str, descrizione: str, bordi: Sequence[float], conteggi: Sequence[int],
               soglie: Sequence[tuple[float, str]] = (), unita: str = "%",
               asse_y: str = "", vuoto: str = "Nessun dato") -> SafeString:
    """Vertical columns of counts over the intervals between ``bordi`` (n+1 edges for n
    counts), with dashed vertical lines at the thresholds, each labelled."""
    if len(bordi) != len(conteggi) + 1:
        raise ValueError("bordi must have one more item than conteggi")
    massimo = max(conteggi, default=0)
    if massimo <= 0:
        return _vuoto(ident, titolo, descrizione, vuoto)
    sinistra, basso, alto = 50, 56, 56
    altezza = 320
    area_w = LARGHEZZA - sinistra - 20
    area_h = altezza - basso - alto
    x_di = lambda v: sinistra + area_w * (v - bordi[0]) / (bordi[-1] - bordi[0])  # noqa: E731
    parti = _apertura(ident, titolo, descrizione, LARGHEZZA, altezza) + _motivi(ident, 1)
    fondo = altezza - basso
    for i, n in enumerate(conteggi):
        x0, x1 = x_di(bordi[i]), x_di(bordi[i + 1])
        h = area_h * n / massimo
        if n:
            parti.append(f'<rect x="{x0 + 2:.1f}" y="{fondo - h:.1f}" width="{x1 - x0 - 4:.1f}" height="{h:.1f}" '
                         f'fill="url(#{_e(ident)}-motivo-0)"><title>{_e(_numero(bordi[i]))}–'
                         f'{_e(_numero(bordi[i + 1]))}{_e(unita)}: {n}</title></rect>')
        parti.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{fondo - h - 6:.1f}" text-anchor="middle" '
                     f'fill="{TESTO}" font-weight="600">{n}</text>')
    for b in bordi:
        parti.append(f'<text x="{x_di(b):.1f}" y="{fondo + 18}" text-anchor="middle" fill="{TESTO}">'
                     f'{_e(_numero(b))}{_e(unita)}</text>')
    parti.append(f'<line x1="{sinistra}" y1="{fondo}" x2="{sinistra + area_w}" y2="{fondo}" stroke="{GRIGIO}"/>')
    if asse_y:
        # Under the axis labels, out of the way of the thresholds' labels at the top.
        parti.append(f'<text x="{sinistra}" y="{altezza - 8}" fill="{TESTO}">{_e(asse_y)}</text>')
    for valore, etichetta in soglie:
        x = x_di(valore)
        parti.append(f'<line x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{fondo}" stroke="#D9364F" '
                     f'stroke-width="2" stroke-dasharray="6 4"/>')
        parti.append(f'<text x="{x + 4:.1f}" y="16" fill="{TESTO}" font-weight="600">{_e(etichetta)}</text>')
    parti.append("</svg>")
    # every text and attribute escaped by _e() (bandit B308/B703 answered)
    return mark_safe("".join(parti))  # nosec B308, B703

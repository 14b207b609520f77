"""axe-core in the browser: run the WCAG 2.1 A/AA rules on the page and fail with a readable list.

axe is vendored (tests/e2e/vendor/axe.min.js, see its README) so that the checks run offline. It is
injected with ``page.evaluate`` of the file's text, which goes through the DevTools protocol and is
not subject to the site's Content-Security-Policy (a ``<script>`` tag added to the page would be);
the contexts of the checks are opened with ``bypass_csp=True`` as well."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
REGOLE = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe_js: str | None = None


def _sorgente_axe() -> str:
    global _axe_js
    if _axe_js is None:
        _axe_js = AXE.read_text(encoding="utf-8")
    return _axe_js


def violazioni(pagina, regole=REGOLE) -> list[dict]:
    """axe's violations of ``regole`` (tags) on the whole document, as axe reports them."""
    if not pagina.evaluate("() => typeof window.axe !== 'undefined'"):
        pagina.evaluate(_sorgente_axe())
    risultato = pagina.evaluate(
        """async (valori) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: valori}, resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        regole,
    )
    return risultato


def descrivi(elenco: list[dict], nome: str, url: str) -> str:
    righe = [f"{nome} ({url}): {len(elenco)} violazioni WCAG 2.1 AA"]
    for v in elenco:
        righe.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for nodo in v["nodes"]:
            bersaglio = " ".join(str(t) for t in nodo["target"])
            html = " ".join(nodo["html"].split())
            righe.append(f"    · {bersaglio}\n      {html[:300]}")
            if nodo.get("summary"):
                righe.append("      " + " ".join(nodo["summary"].split())[:400])
    return "\n".join(righe)


def controlla(pagina, nome: str) -> None:
    """Fail when axe finds WCAG 2.1 A/AA violations on the page, listing each with its elements."""
    elenco = violazioni(pagina)
    assert not elenco, descrivi(elenco, nome, pagina.url)

"""Browser journeys: Playwright driving Debian's Chromium against the live test server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PIANOZONA_CHROMIUM", "/usr/bin/chromium")
ARTEFATTI = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGOMENTI = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items):
    """Mark the journeys and run them last: Playwright's sync API keeps an event loop running
    in the main thread for the whole session, which would break tests that call asyncio.run."""
    e2e = [item for item in items if "tests/e2e/" in str(item.fspath)]
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
    items[:] = [item for item in items if item not in e2e] + e2e


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("PIANOZONA_E2E_REQUIRED"):
            pytest.fail(f"Chromium non trovato in {CHROMIUM}: installa il pacchetto Debian «chromium».")
        pytest.skip(f"Chromium non trovato in {CHROMIUM} (make test lo installa)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGOMENTI)
        yield browser
        browser.close()


@pytest.fixture
def nuova_sessione(browser, live_server):
    """Open a fresh browser context (its own cookies) per role."""
    contesti = []

    def apri(locale="it-IT"):
        contesto = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900})
        contesti.append(contesto)
        return contesto.new_page()

    yield apri
    for contesto in contesti:
        contesto.close()


@pytest.fixture
def screenshot(request):
    ARTEFATTI.mkdir(parents=True, exist_ok=True)

    def scatta(pagina, nome):
        percorso = ARTEFATTI / f"{request.node.name}-{nome}.png"
        pagina.screenshot(path=str(percorso), full_page=True)
        return percorso

    return scatta


def accedi(pagina, username, password="password-di-prova"):
    pagina.goto("/account/accedi/")
    pagina.get_by_label("Nome utente").fill(username)
    pagina.get_by_label("Password").fill(password)
    pagina.get_by_role("button", name="Accedi").last.click()
    pagina.wait_for_url("**/")

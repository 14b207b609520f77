"""The header's "Assemblea dei Sindaci" entry is marked current on the Assemblea's pages only,
not on the tavoli tematici, the knowledge base or the calendar, which share the app."""

import re

from django.urls import reverse


def _voce_assemblea(html: str) -> str:
    return re.search(r'<a class="nav-link[^"]*"[^>]*>\s*<span>Assemblea dei Sindaci</span>', html).group(0)


def test_assemblea_menu_entry_is_current_on_the_assemblea_page(client, consesso):
    client.force_login(consesso.udp)
    html = client.get(reverse("tavoli:assemblea", args=[consesso.ambito.pk])).content.decode()
    assert "active" in _voce_assemblea(html)


def test_assemblea_menu_entry_is_not_current_on_the_tavoli_and_the_calendar(client, consesso):
    client.force_login(consesso.udp)
    for url in (reverse("tavoli:tavoli_piano", args=[consesso.piano.pk]),
                reverse("tavoli:conoscenza", args=[consesso.piano.pk]),
                reverse("tavoli:calendario", args=[consesso.ambito.pk])):
        risposta = client.get(url)
        assert risposta.status_code == 200, url
        assert "active" not in _voce_assemblea(risposta.content.decode()), url

"""Sending the product's e-mails: one message per recipient (nobody sees the others'
addresses), over one connection, with an optional attachment such as an .ics invitation."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


def invia_a_ciascuno(oggetto: str, testo: str, indirizzi, allegato: tuple[str, bytes | str, str] | None = None) -> int:
    """Send ``oggetto``/``testo`` to each address; returns how many messages were sent."""
    indirizzi = list(indirizzi)
    if not indirizzi:
        return 0
    connessione = get_connection()
    messaggi = []
    for indirizzo in indirizzi:
        messaggio = EmailMessage(oggetto, testo, settings.DEFAULT_FROM_EMAIL, [indirizzo], connection=connessione)
        if allegato:
            messaggio.attach(*allegato)
        messaggi.append(messaggio)
    return connessione.send_messages(messaggi) or 0

"""The Assemblea's and the tavoli's logs are append-only in the database too (PostgreSQL)."""

from django.db import migrations

from ambiti.sola_aggiunta import proteggi_tabella


class Migration(migrations.Migration):
    dependencies = [("tavoli", "0004_catalogo_offerta")]
    operations = [proteggi_tabella("tavoli.EventoAssemblea"), proteggi_tabella("tavoli.EventoTavolo")]

"""The iter's log, the signing audit and the adesioni's log are append-only in the database too
(PostgreSQL)."""

from django.db import migrations

from ambiti.sola_aggiunta import proteggi_tabella


class Migration(migrations.Migration):
    dependencies = [("accordi", "0008_documento_relazione_monitoraggio")]
    operations = [
        proteggi_tabella("accordi.TransizionePiano"),
        proteggi_tabella("accordi.EventoFirma"),
        proteggi_tabella("accordi.EventoAdesione"),
    ]

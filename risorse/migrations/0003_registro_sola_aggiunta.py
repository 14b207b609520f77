"""The record of imports is append-only in the database too (PostgreSQL)."""

from django.db import migrations

from ambiti.sola_aggiunta import proteggi_tabella


class Migration(migrations.Migration):
    dependencies = [("risorse", "0002_fonti_predefinite")]
    operations = [proteggi_tabella("risorse.ImportazioneRisorse")]

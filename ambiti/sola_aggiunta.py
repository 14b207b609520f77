"""Append-only logs: rows are written once and never updated or deleted, neither one by one
nor in bulk. Shared by the iter's log, the signing audit and the Assemblea's log."""

from django.db import models

MODIFICA = "Registro in sola aggiunta: le voci non si modificano."
CANCELLAZIONE = "Registro in sola aggiunta: le voci non si cancellano."


class SolaAggiuntaQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(MODIFICA)

    def delete(self):
        raise TypeError(CANCELLAZIONE)


class SolaAggiunta(models.Model):
    objects = SolaAggiuntaQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(MODIFICA)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(CANCELLAZIONE)


# --- the same rule in the database itself (PostgreSQL) ------------------------------------------
#
# The model and queryset above stop the application; a trigger stops everyone else too (a shell,
# a script, a bug that bypasses the ORM). SQLite, used for development, keeps only the Python rule.

FUNZIONE_SQL = """
CREATE OR REPLACE FUNCTION pianozona_sola_aggiunta() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Registro in sola aggiunta: le voci di % non si modificano né si cancellano.', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _nome_trigger(tabella: str) -> str:
    return f"{tabella}_sola_aggiunta"


def proteggi_tabella(nome_modello: str):
    """A migration operation: on PostgreSQL, a trigger that refuses UPDATE and DELETE on the
    table of ``app_label.Model`` (TRUNCATE, used to empty test databases, is not a row change)."""
    from django.db import migrations

    app_label, modello = nome_modello.split(".")

    def crea(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        tabella = apps.get_model(app_label, modello)._meta.db_table
        schema_editor.execute(FUNZIONE_SQL, params=None)  # "%" is plpgsql's, not a placeholder
        schema_editor.execute(
            f'CREATE TRIGGER "{_nome_trigger(tabella)}" BEFORE UPDATE OR DELETE ON "{tabella}" '
            f"FOR EACH ROW EXECUTE FUNCTION pianozona_sola_aggiunta()"
        )

    def rimuovi(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        tabella = apps.get_model(app_label, modello)._meta.db_table
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{_nome_trigger(tabella)}" ON "{tabella}"')

    return migrations.RunPython(crea, rimuovi)

"""Append-only logs refuse UPDATE and DELETE in PostgreSQL itself, not only through the ORM:
a trigger guards every SolaAggiunta table, so a new log cannot be added without one."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from accordi.models import TransizionePiano
from ambiti.sola_aggiunta import SolaAggiunta

from ..factories import AmbitoFactory, CicloFactory, crea_piano, utente_con_ruolo

pytestmark = pytest.mark.postgres


@pytest.fixture
def solo_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("i trigger dei registri si verificano su PostgreSQL (DATABASE_URL=postgres://…)")


def _tabelle_sola_aggiunta():
    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, SolaAggiunta))


def test_ogni_registro_ha_il_suo_trigger(solo_postgres):
    with connection.cursor() as cursore:
        cursore.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE t.tgname LIKE %s AND NOT t.tgisinternal", ["%_sola_aggiunta"])
        protette = {riga[0] for riga in cursore.fetchall()}
    tabelle = _tabelle_sola_aggiunta()
    assert len(tabelle) >= 6
    assert set(tabelle) <= protette


@pytest.mark.parametrize("sql", [
    'UPDATE "accordi_transizionepiano" SET "nota" = %s WHERE "id" = %s',
    'DELETE FROM "accordi_transizionepiano" WHERE "id" = %s OR %s = \'\'',
])
def test_il_database_rifiuta_modifiche_e_cancellazioni_del_registro_dell_iter(solo_postgres, sql):
    ambito = AmbitoFactory()
    piano = crea_piano(ambito, ciclo=CicloFactory())
    voce = TransizionePiano.objects.create(
        piano=piano, nome="avvia", da_stato="avvio", a_stato="indirizzo",
        utente=utente_con_ruolo("responsabile_udp", ambito), revisione=1)
    parametri = ["ritoccata", voce.pk] if sql.startswith("UPDATE") else [voce.pk, "x"]
    with pytest.raises(DatabaseError, match="sola aggiunta"):
        with transaction.atomic(), connection.cursor() as cursore:
            cursore.execute(sql, parametri)
    voce.refresh_from_db()
    assert voce.nota == ""

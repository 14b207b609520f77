from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import override_settings
from django.utils.module_loading import import_string

from accordi.demo import PASSWORD_DEMO, carica_demo
from ambiti.models import Comune


class Command(BaseCommand):
    help = "Carica i dati dimostrativi (idempotente) e stampa gli accessi."

    def handle(self, *args, **options):
        if not Comune.objects.filter(codice_istat="018110").exists():  # Pavia
            self.stdout.write("Importazione dei comuni ISTAT…")
            call_command("import_comuni", stdout=self.stdout)
        accessi = carica_demo()
        # The other apps' demo data (the quadro delle risorse, the Comuni's spending…), which
        # build on these plans: named in the settings so that accordi imports none of them.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for percorso in getattr(settings, "PIANOZONA_DEMO_ESTENSIONI", []):
                accessi += import_string(percorso)()
        self.stdout.write(self.style.SUCCESS("\nDati dimostrativi pronti. Accessi (password per tutti: "
                                             f"{PASSWORD_DEMO}):"))
        larghezza = max(len(u) for u, _ in accessi)
        for username, descrizione in accessi:
            self.stdout.write(f"  {username.ljust(larghezza)}  {descrizione}")

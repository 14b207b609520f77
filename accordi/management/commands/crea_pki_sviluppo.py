"""Development PKI: a CA, the issuing body's seal and a certificate for every person with a
codice fiscale (subject serialNumber=TINIT-<CF>). For the demo and local testing only: the
private keys live in var/pki (git-ignored) and are never used in production."""

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand

from accordi.firme import pki
from ambiti.models import Utente


class Command(BaseCommand):
    help = "Crea la PKI di sviluppo: CA, sigillo dell'ente e certificati personali dimostrativi."

    def add_arguments(self, parser):
        parser.add_argument("--rigenera", action="store_true", help="Ricrea anche la CA e il sigillo.")

    def handle(self, *args, rigenera=False, **options):
        base = settings.PIANOZONA_PKI_DIR
        fiducia = settings.PIANOZONA_TRUST_DIR
        persone = settings.PIANOZONA_FIRMA_DEMO_DIR
        for cartella in (base, fiducia, persone):
            cartella.mkdir(parents=True, exist_ok=True)
        ca_p12 = base / "ca.p12"
        passphrase = settings.PIANOZONA_SIGILLO_PASSPHRASE
        if rigenera or not ca_p12.exists():
            ca_key, ca_cert = pki.crea_ca("PianoZona – CA di sviluppo (NON QUALIFICATA)")
            pki.salva_pkcs12(ca_key, ca_cert, None, ca_p12, passphrase)
            (fiducia / "pianozona-ca-sviluppo.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
            for vecchio in persone.glob("*.p12"):
                vecchio.unlink()
            self.stdout.write(f"CA di sviluppo creata: {ca_p12}")
        ca_key, ca_cert, _ = pki.carica_pkcs12(ca_p12, passphrase)
        if rigenera or not settings.PIANOZONA_SIGILLO_P12.exists():
            key, cert = pki.crea_certificato_sigillo(
                ca_key, ca_cert, denominazione="Ufficio di Piano – PianoZona (sviluppo)",
                codice_fiscale_ente="02160690180",
            )
            pki.salva_pkcs12(key, cert, ca_cert, settings.PIANOZONA_SIGILLO_P12, passphrase)
            self.stdout.write(f"Sigillo creato: {settings.PIANOZONA_SIGILLO_P12}")
        creati = 0
        for utente in Utente.objects.exclude(codice_fiscale=""):
            percorso = persone / f"{utente.codice_fiscale.upper()}.p12"
            if percorso.exists():
                continue
            key, cert = pki.crea_certificato_persona(
                ca_key, ca_cert, nome=utente.first_name or utente.username, cognome=utente.last_name or "-",
                codice_fiscale=utente.codice_fiscale.upper(),
            )
            pki.salva_pkcs12(key, cert, ca_cert, percorso, settings.PIANOZONA_FIRMA_DEMO_PASSPHRASE)
            creati += 1
        self.stdout.write(self.style.SUCCESS(
            f"PKI di sviluppo pronta in {base} ({creati} nuovi certificati personali)."))

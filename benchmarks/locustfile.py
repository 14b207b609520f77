"""Locust scenario of PianoZona's main pages, run by benchmarks/bench_carico.py (which prepares the
database, starts gunicorn and passes the URLs and the credentials in the JSON file named by
PIANOZONA_CARICO_CONFIG).

Three kinds of users: anonymous citizens (public pages, Terzo Settore portal, public API),
a regional officer (desk, dashboards, plans) and an Ufficio di Piano (plan, quadro delle
risorse, monitoring). Each signed-in user logs in once, through the login form with its CSRF
token. A request fails when the answer is not 2xx/3xx, and also when a page redirects to the
login form (a page that should be readable but is not).
"""

from __future__ import annotations

import json
import os
import re

from locust import HttpUser, between, task

CONFIG = json.loads(open(os.environ["PIANOZONA_CARICO_CONFIG"], encoding="utf-8").read())
LOGIN = "/account/accedi/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Base(HttpUser):
    abstract = True
    # A person reads a page before opening the next one.
    wait_time = between(1, 3)

    def pagina(self, gruppo: str, url: str):
        with self.client.get(url, name=gruppo, allow_redirects=False, catch_response=True) as r:
            if not 200 <= r.status_code < 400:
                r.failure(f"{url}: HTTP {r.status_code}")
            elif r.status_code >= 300 and LOGIN in r.headers.get("Location", ""):
                r.failure(f"{url}: rimanda all'accesso")
            else:
                r.success()


class Accesso(Base):
    abstract = True
    credenziali: str = ""

    def on_start(self):
        utente = CONFIG["utenti"][self.credenziali]
        r = self.client.get(LOGIN, name="Accesso (modulo)")
        trovato = CSRF.search(r.text)
        if not trovato:
            raise RuntimeError(f"Nessun token CSRF nel modulo di accesso (HTTP {r.status_code})")
        with self.client.post(LOGIN, name="Accesso (invio)", allow_redirects=False, catch_response=True,
                              data={"username": utente["username"], "password": utente["password"],
                                    "csrfmiddlewaretoken": trovato.group(1)},
                              headers={"Referer": self.host + LOGIN}) as risposta:
            if risposta.status_code != 302 or LOGIN in risposta.headers.get("Location", ""):
                risposta.failure(f"accesso di {utente['username']} non riuscito: HTTP {risposta.status_code}")
            else:
                risposta.success()


class Cittadino(Base):
    weight = 4
    url = CONFIG["anonimo"]

    @task(3)
    def home(self):
        self.pagina("Anonimo: home", self.url["home"])

    @task(2)
    def piani_pubblici(self):
        self.pagina("Anonimo: piani pubblici", self.url["piani_pubblici"])

    @task(2)
    def piano_pubblico(self):
        self.pagina("Anonimo: un piano pubblico", self.url["piano_pubblico"])

    @task(2)
    def accordi_vigenti(self):
        self.pagina("Anonimo: Accordi vigenti", self.url["accordi_vigenti"])

    @task(1)
    def portale(self):
        self.pagina("Anonimo: portale Terzo Settore", self.url["portale"])

    @task(2)
    def api(self):
        for url in self.url["api"]:
            self.pagina("Anonimo: API elenchi pubblici", url)


class OperatoreRegionale(Accesso):
    weight = 3
    credenziali = "regione"
    url = CONFIG["regione"]

    @task(2)
    def scrivania(self):
        self.pagina("Regione: scrivania", self.url["scrivania"])

    @task(2)
    def cruscotto_regionale(self):
        self.pagina("Regione: cruscotto regionale", self.url["cruscotto_regionale"])

    @task(2)
    def cruscotto_regionale_filtri(self):
        self.pagina("Regione: cruscotto regionale con filtri", self.url["cruscotto_regionale_filtri"])

    @task(2)
    def cruscotto_ambito(self):
        self.pagina("Regione: cruscotto d'ambito", self.url["cruscotto_ambito"])

    @task(2)
    def piani(self):
        self.pagina("Regione: elenco piani", self.url["piani"])

    @task(2)
    def piano(self):
        self.pagina("Regione: pagina del piano", self.url["piano"])


class UfficioDiPiano(Accesso):
    weight = 3
    credenziali = "udp"
    url = CONFIG["udp"]

    @task(2)
    def piano(self):
        self.pagina("UdP: pagina del piano", self.url["piano"])

    @task(2)
    def quadro(self):
        self.pagina("UdP: quadro delle risorse", self.url["quadro"])

    @task(2)
    def monitoraggio(self):
        self.pagina("UdP: monitoraggio", self.url["monitoraggio"])

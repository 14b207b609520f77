"""Throwaway Redis servers, PostgreSQL clusters and Celery workers for the fault tests.

Each one runs on a free port of its own and is stopped by the test that started it: the shared
Redis and PostgreSQL of the machine are never touched."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

RADICE = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PIANOZONA_PG_BIN", "/usr/lib/postgresql/15/bin"))


def porta_libera() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aspetta_porta(porta: int, aperta: bool = True, timeout: float = 15) -> None:
    fine = time.monotonic() + timeout
    while time.monotonic() < fine:
        try:
            with socket.create_connection(("127.0.0.1", porta), timeout=0.2):
                if aperta:
                    return
        except OSError:
            if not aperta:
                return
        time.sleep(0.05)
    raise TimeoutError(f"porta {porta} {'ancora chiusa' if aperta else 'ancora aperta'}")


class RedisProprio:
    """``redis-server`` on a free port, no persistence; ``ferma()`` and ``avvia()`` again on the
    same port simulate an outage."""

    def __init__(self):
        self.porta = porta_libera()
        self.processo: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.porta}/0"

    def avvia(self) -> RedisProprio:
        self.processo = subprocess.Popen(
            ["redis-server", "--port", str(self.porta), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        aspetta_porta(self.porta)
        return self

    def ferma(self) -> None:
        if self.processo and self.processo.poll() is None:
            self.processo.kill()
            self.processo.wait(timeout=10)
        aspetta_porta(self.porta, aperta=False)


def redis_disponibile() -> bool:
    return shutil.which("redis-server") is not None


class PostgresProprio:
    """A PostgreSQL cluster of its own (initdb in a temporary folder, a free port), run as the
    ``postgres`` user when the tests run as root (initdb refuses root)."""

    def __init__(self):
        self.cartella = Path(tempfile.mkdtemp(prefix="pianozona-pg-"))
        self.dati = self.cartella / "dati"
        self.porta = porta_libera()
        self.come_root = os.geteuid() == 0

    def url(self, nome="postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.porta}/{nome}"

    def _esegui(self, *comando: str, timeout: float = 60) -> None:
        comando = [str(c) for c in comando]
        if self.come_root:
            comando = ["runuser", "-u", "postgres", "--", *comando]
        subprocess.run(comando, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def crea(self) -> PostgresProprio:
        if self.come_root:
            shutil.chown(self.cartella, "postgres", "postgres")
        self._esegui(PG_BIN / "initdb", "-D", self.dati, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--no-sync")
        return self

    def _pg_ctl(self, azione: str) -> None:
        opzioni = f"-p {self.porta} -k {self.cartella} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._esegui(PG_BIN / "pg_ctl", "-D", self.dati, "-o", opzioni, "-l", self.cartella / "log",
                     "-w", "-t", "30", azione)

    def avvia(self) -> None:
        self._pg_ctl("start")

    def riavvia(self) -> None:
        self._pg_ctl("restart")

    def ferma(self) -> None:
        try:
            self._esegui(PG_BIN / "pg_ctl", "-D", self.dati, "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass

    def elimina(self) -> None:
        self.ferma()
        shutil.rmtree(self.cartella, ignore_errors=True)


def postgres_disponibile() -> bool:
    if not (PG_BIN / "initdb").exists():
        return False
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return False
    return True


class Processo:
    """A subprocess of the project (a Celery worker, gunicorn) with its output in a file."""

    def __init__(self, comando: list[str], env: dict[str, str], nome: str):
        self.log = Path(tempfile.mkstemp(prefix=f"pianozona-{nome}-", suffix=".log")[1])
        self._file = self.log.open("wb")
        self.processo = subprocess.Popen(
            comando, cwd=RADICE, env=env, stdout=self._file, stderr=subprocess.STDOUT, start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.processo.pid

    def uccidi(self) -> None:
        """kill -9 of the whole process group: nothing may clean up."""
        if self.processo.poll() is None:
            os.killpg(self.processo.pid, signal.SIGKILL)
        self.processo.wait(timeout=10)

    def ferma(self) -> None:
        if self.processo.poll() is None:
            os.killpg(self.processo.pid, signal.SIGTERM)
            try:
                self.processo.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.uccidi()
        self._file.close()
        self.log.unlink(missing_ok=True)

    def uscita(self) -> str:
        self._file.flush()
        return self.log.read_text(errors="replace")[-4000:]


def ambiente(**variabili: str) -> dict[str, str]:
    """The environment of a subprocess of the project: production settings, plus ``variabili``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "pianozona.settings", "PYTHONUNBUFFERED": "1"})
    env.update(variabili)
    return env


def eseguibile(nome: str) -> str:
    return str(Path(sys.executable).with_name(nome))


@contextmanager
def broker_su(url: str):
    """Celery of the test process sends its tasks to ``url`` instead of running them in-process."""
    from pianozona.celery import app

    prima = {chiave: app.conf[chiave] for chiave in ("broker_url", "task_always_eager")}

    def azzera_connessioni():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(broker_url=url, task_always_eager=False)
    azzera_connessioni()
    try:
        yield app
    finally:
        app.conf.update(prima)
        azzera_connessioni()


# The tests with real worker and server processes take most of a minute: `make guasti` runs them.
con_processi_reali = pytest.mark.skipif(
    not os.environ.get("PIANOZONA_GUASTI"), reason="prova di guasto con processi reali: make guasti"
)

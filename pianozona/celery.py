"""Celery application. Without REDIS_URL tasks run eagerly in-process (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings")

app = Celery("pianozona")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The tavoli tematici keep their tasks beside the Assemblea's, in a module of their own.
app.autodiscover_tasks(related_name="tasks_tavoli")
# The unions' consultation and the ASL's intesa keep theirs in accordi/tasks_consultazione.py.
app.autodiscover_tasks(related_name="tasks_consultazione")
# The Terzo Settore portal (registration e-mails, purge) keeps its own in accordi/tasks_portale.py.
app.autodiscover_tasks(related_name="tasks_portale")

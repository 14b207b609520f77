"""Django's RedisCache that survives a Redis outage.

The cache only holds what can be lost: the rate-limit counters (django-ratelimit, the sign-in
limit, DRF throttling), the import previews, sessions (written through to the database) and
the dashboards and API lists with the versions that date them. When Redis cannot be reached,
a page must not fail nor hang: each operation gives up after a short socket timeout, logs a
warning and answers as an empty cache would (``get`` → default, ``add`` → False, ``incr`` →
ValueError as for a missing key, ``set`` and ``delete`` do nothing). With
``RATELIMIT_FAIL_OPEN`` the limits then let requests through. After a failure Redis is not
tried again for ``PAUSA`` seconds, so that an unreachable server (a timeout, not a refused
connection) costs one short wait, not one per operation."""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger("pianozona.cache")

GUASTI = (RedisConnectionError, RedisTimeoutError, OSError)


class _RedisGiu(Exception):
    pass


class _ClienteRedis(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` object for every operation, and redis-py fills
    a table of some 170 response callbacks in each: a quarter of a millisecond per operation,
    more than the round trip to Redis on loopback. The object is thread-safe (it takes a
    connection from the pool for each command): one per pool is enough."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clienti = {}

    def get_client(self, key=None, *, write=False):
        indice = self._get_connection_pool_index(write)
        cliente = self._clienti.get(indice)
        if cliente is None:
            cliente = self._clienti[indice] = self._client(connection_pool=self._get_connection_pool(write))
        return cliente


class RedisCacheTollerante(RedisCache):
    PAUSA = 5.0  # seconds without trying Redis after a failure

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClienteRedis
        opzioni = dict(self._options)
        opzioni.setdefault("socket_connect_timeout", 0.5)
        opzioni.setdefault("socket_timeout", 0.5)
        opzioni.setdefault("retry", Retry(NoBackoff(), 0))
        self._options = opzioni
        self._giu_fino = 0.0
        self._lock = threading.Lock()

    def _esegui(self, operazione, *args, **kwargs):
        if time.monotonic() < self._giu_fino:
            raise _RedisGiu
        try:
            return operazione(*args, **kwargs)
        except GUASTI as exc:
            with self._lock:
                self._giu_fino = time.monotonic() + self.PAUSA
            logger.warning("Cache Redis non raggiungibile (%s): si procede senza cache", exc)
            raise _RedisGiu from exc

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._esegui(super().add, key, value, timeout, version)
        except _RedisGiu:
            return False

    def get(self, key, default=None, version=None):
        try:
            return self._esegui(super().get, key, default, version)
        except _RedisGiu:
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            self._esegui(super().set, key, value, timeout, version)
        except _RedisGiu:
            pass

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._esegui(super().touch, key, timeout, version)
        except _RedisGiu:
            return False

    def delete(self, key, version=None):
        try:
            return self._esegui(super().delete, key, version)
        except _RedisGiu:
            return False

    def get_many(self, keys, version=None):
        try:
            return self._esegui(super().get_many, keys, version)
        except _RedisGiu:
            return {}

    def has_key(self, key, version=None):
        try:
            return self._esegui(super().has_key, key, version)
        except _RedisGiu:
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return self._esegui(super().incr, key, delta, version)
        except _RedisGiu:
            raise ValueError(f"Key {key!r} not found (cache non raggiungibile)") from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._esegui(super().set_many, data, timeout, version)
        except _RedisGiu:
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            self._esegui(super().delete_many, keys, version)
        except _RedisGiu:
            pass

    def clear(self):
        try:
            return self._esegui(super().clear)
        except _RedisGiu:
            return False

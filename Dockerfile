# syntax=docker/dockerfile:1
#
# PianoZona: one image for the web process (gunicorn + whitenoise), the Celery worker and Celery beat.
# See docs/produzione.md and docker-compose.yml.

# --- Stage 1: compile the translations (*.po -> *.mo; the .mo files are not in git). -------------
# gettext is needed only here, so it stays out of the final image.
FROM python:3.11-slim-bookworm AS messages

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
# Same as "manage.py compilemessages" (msgfmt --check-format); fails the build on a broken .po.
RUN find . -name '*.po' -exec sh -c \
        'for po; do msgfmt --check-format -o "${po%.po}.mo" "$po" || exit 1; done' sh {} +

# --- Stage 2: the runtime image. ------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app

# WeasyPrint runtime libraries (PDF generation) and a basic font set.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        libcairo2 \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user that runs every process; its home holds the fontconfig cache and gunicorn's
# control socket.
RUN groupadd --system --gid 1000 pianozona \
    && useradd --system --uid 1000 --gid pianozona --home-dir /home/pianozona --create-home \
        --shell /usr/sbin/nologin pianozona

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that this layer is rebuilt only when the
# dependencies change. The project itself runs from /app, not from site-packages: settings.BASE_DIR
# must be /app, where templates/, static/, locale/ and the data files live (they are not in the
# wheel). So the code is copied below rather than installed.
COPY pyproject.toml ./
RUN pip install . \
    && rm -rf build ./*.egg-info

COPY --from=messages /src/ ./

# Static files are collected and compressed at build time; whitenoise serves them from
# /app/staticfiles.
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput

# Mount points for the named volumes (documents, Celery beat's schedule): an empty named volume
# takes this ownership the first time it is mounted.
RUN mkdir -p /data/media /data/beat \
    && chown pianozona:pianozona /data/media /data/beat

USER pianozona

EXPOSE 8000

CMD ["gunicorn", "pianozona.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

# filmbot container image. See docs/container.md.
#
#   docker build -t filmbot .
#   docker run -d --name filmbot -v filmbot-data:/data --env-file .env filmbot
#
# Both stages start from debian:bookworm-slim, an image made only of Debian
# packages: Python is Debian's python3 (3.11), installed with apt, and everything
# else comes from PyPI through pip. (The official python:3.11-slim compiles
# CPython from source, so it is not used.)
#
# No "# syntax=" line on purpose: it makes BuildKit pull a frontend image, which
# fails on machines without Docker Hub. Such machines build on a local Debian
# base (scripts/docker-local-base) with --build-arg BASE_IMAGE=local/debian:bookworm-slim.
ARG BASE_IMAGE=debian:bookworm-slim

# ---- build: a virtualenv with filmbot and its runtime dependencies only ------
FROM ${BASE_IMAGE} AS build
# python3-venv brings ensurepip (Debian's pip and setuptools wheels) for the venv.
# No compiler and no python3-dev: every dependency comes as a wheel from PyPI
# (--only-binary below); should one ever lack a wheel for this platform, the
# build stops there, and build-essential python3-dev would have to be added.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# A current pip: the one in Debian's python3-venv (23.0) misreads justext's
# lxml[html_clean] extra and leaves lxml_html_clean out.
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip
WORKDIR /src
# Dependencies first, read from pyproject.toml, so that a code change rebuilds
# only the last layer.
COPY pyproject.toml ./
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && /opt/venv/bin/pip install --only-binary=:all: -r /tmp/requirements.txt
COPY README.md ./
COPY bot ./bot
COPY adapters ./adapters
# `pip install .`: no [test] extras, no editable install. (Its build backend,
# setuptools and wheel, comes from PyPI as wheels, in an isolated environment.)
# pip and setuptools (nothing needs them at run time) stay out of the runtime image.
RUN /opt/venv/bin/pip install --no-deps . \
 && /opt/venv/bin/pip check \
 && /opt/venv/bin/filmbot --version \
 && /opt/venv/bin/pip uninstall --yes --quiet setuptools pip \
 && /opt/venv/bin/python -m compileall -q -j 0 /opt/venv

# ---- runtime ----------------------------------------------------------------
FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="filmbot" \
      org.opencontainers.image.description="A film-news chatbot for Discord, Slack and the terminal" \
      org.opencontainers.image.licenses="MIT"

# Only Debian's python3 (the venv below points at /usr/bin/python3) and the CA
# certificates for HTTPS; no pip, no venv tooling, no compiler.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 filmbot \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin filmbot \
 && mkdir -p /app /data /config \
 && chown filmbot:filmbot /app /data

COPY --from=build /opt/venv /opt/venv
# The default feeds; mount your own over it: -v ./feeds.yaml:/config/feeds.yaml:ro
COPY feeds.yaml /config/feeds.yaml

ENV PATH=/opt/venv/bin:$PATH \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FILMBOT_DB=/data/filmbot.db \
    FILMBOT_CONFIG=/config/feeds.yaml \
    HEALTH_PORT=8080 \
    HEALTH_HOST=0.0.0.0

WORKDIR /app
# The SQLite database (and its -wal/-shm files) live here; /data is owned by
# uid 10001, so a new named volume starts out writable by the bot.
VOLUME /data
USER 10001:10001

# 8080: /healthz and /metrics (HEALTH_PORT). 3000: Slack's HTTP mode (SLACK_HTTP_PORT).
EXPOSE 8080 3000

# Slim images have no curl: ask /healthz with Python. Follows HEALTH_PORT if changed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HEALTH_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["filmbot"]
CMD ["run", "--headless"]

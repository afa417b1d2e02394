# syntax=docker/dockerfile:1.7
# The gateway: Debian's nginx 1.22 + its headers-more module (the same packages as the local
# stack, deploy/gateway/README.md), with the configuration rendered from
# deploy/gateway/nginx.conf.template at every start by deploy/gateway/render.py (standard
# library Python, hence the Python base image; nothing is compiled).
# Build from the repository root:  docker build -f deploy/docker/gateway.Dockerfile -t scelle/gateway:0.1.0 .
ARG PYTHON_IMAGE=python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16
FROM ${PYTHON_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx libnginx-mod-http-headers-more-filter \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
 && groupadd --system --gid 10001 scelle \
 && useradd --system --uid 10001 --gid scelle --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin scelle
COPY deploy/gateway/render.py deploy/gateway/nginx.conf.template deploy/gateway/api-location.conf /opt/gateway/
COPY --chmod=0755 deploy/docker/gateway-entrypoint.sh /usr/local/bin/gateway-entrypoint
ENV PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/gateway-entrypoint"]

#!/bin/sh
# Render the gateway's nginx.conf into /tmp (the root filesystem is read-only) and run nginx in
# the foreground. Inputs:
#   SCELLE_GATEWAY_SERVICES      "identity=identity:8101 expertise=expertise:8102 ..." (NAME=HOST:PORT)
#   SCELLE_GATEWAY_SERVER_NAMES  server_name (default: scelle.localhost localhost)
#   SCELLE_GATEWAY_MAX_BODY      client_max_body_size (default 1g)
#   SCELLE_GATEWAY_OBJECT_STORE  host:port of S3 for the vault's download offload (optional)
#   /etc/scelle/pki              server.pem, server.key.pem, trusted-clients.pem, crls.pem
#   /etc/scelle/gateway-secret/gateway-secret  the secret identity requires (optional)
# Reload after the PKI files change (new CRLs): kill -HUP 1 (nginx is PID 1), or run this
# script with `reload-on-change` beside it (below).
# SCELLE_GATEWAY_HOME (/opt/gateway) and SCELLE_GATEWAY_OUT (/tmp/gateway) exist for the tests.
set -eu

home=${SCELLE_GATEWAY_HOME:-/opt/gateway}
out=${SCELLE_GATEWAY_OUT:-/tmp/gateway}
pki=${SCELLE_GATEWAY_PKI:-/etc/scelle/pki}

# `reload-on-change`: the sidecar of the Kubernetes gateway pod (shared process namespace and
# /tmp). nginx reads certificates and CRLs only at start and reload, and an expired CRL refuses
# every certificate: when the mounted PKI files change (a new gateway-tls Secret reaches the
# pod within a minute or two), send SIGHUP to nginx, whose pid file is in the shared /tmp.
if [ "${1:-}" = "reload-on-change" ]; then
  last=""
  while :; do
    now=$(cat "$pki"/*.pem 2>/dev/null | cksum)
    if [ -n "$last" ] && [ "$now" != "$last" ] && [ -s "$out/nginx.pid" ]; then
      if kill -HUP "$(cat "$out/nginx.pid")"; then echo "gateway PKI files changed: nginx reloaded"; fi
    fi
    last=$now
    sleep "${SCELLE_GATEWAY_RELOAD_SECONDS:-30}"
  done
fi

services=${SCELLE_GATEWAY_SERVICES:?SCELLE_GATEWAY_SERVICES is not set}
set --
for service in $services; do
  set -- "$@" --service "$service"
done
if [ -n "${SCELLE_GATEWAY_OBJECT_STORE:-}" ]; then
  # host:port of the S3 server the vault's download offload (X-Accel-Redirect) points at.
  set -- "$@" --object-store "$SCELLE_GATEWAY_OBJECT_STORE"
fi
secret=/etc/scelle/gateway-secret/gateway-secret
if [ -s "$secret" ]; then
  set -- "$@" --gateway-secret-file "$secret"
fi

mkdir -p "$out/logs"
# Logs go to the container's output, not to files.
ln -sf /dev/stdout "$out/logs/gateway-access.log"
ln -sf /dev/stderr "$out/logs/gateway-error.log"

python3 "$home/render.py" --out "$out" --pki "$pki" \
  --listen "0.0.0.0:${SCELLE_GATEWAY_PORT:-8443}" \
  --server-names "${SCELLE_GATEWAY_SERVER_NAMES:-scelle.localhost localhost}" \
  --max-body-size "${SCELLE_GATEWAY_MAX_BODY:-1g}" \
  --log-dir "$out/logs" --pid-file "$out/nginx.pid" "$@" >/dev/null

exec nginx -e stderr -c "$out/nginx.conf" -p "$out" -g 'daemon off;'

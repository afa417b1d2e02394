#!/bin/sh
# Entry point of every service image (deploy/docker/<service>.Dockerfile). The first argument
# picks the process; the commands are those deploy/local/stack.sh runs for the local platform.
#
#   api                 gunicorn scelle_<service>.entrypoints.wsgi:app on 0.0.0.0:$SCELLE_API_PORT
#   relay               scelle-<service> relay      (outbox → broker; run exactly one)
#   consumer            scelle-<service> consume    (broker → inbox → handlers)
#   migrate             scelle-<service> migrate    (before any new version starts)
#   run <command…>      another long-running command (notification: run send-mail)
#   cron <command…>     a scheduled command (billing: cron run-invoicing; any: cron verify-audit)
#
# Settings come from the environment only (<SERVICE>_*; services/<service>/README.md).
set -eu

service=${SCELLE_SERVICE:?SCELLE_SERVICE is not set (it is baked into the image)}
cli="scelle-$service"
process=${1:-api}
[ "$#" -gt 0 ] && shift

case $process in
  api)
    # Workers and timeout: like the local stack (30 s; an hour where uploads stream).
    exec gunicorn \
      --bind "0.0.0.0:${SCELLE_API_PORT:?}" \
      --workers "${SCELLE_API_WORKERS:-2}" \
      --timeout "${SCELLE_API_TIMEOUT:-30}" \
      --graceful-timeout "${SCELLE_API_GRACEFUL_TIMEOUT:-25}" \
      --worker-tmp-dir /tmp \
      --access-logfile - \
      --no-control-socket \
      "scelle_${service}.entrypoints.wsgi:app" ;;
  relay) exec "$cli" relay "$@" ;;
  consumer) exec "$cli" consume "$@" ;;
  migrate) exec "$cli" migrate "$@" ;;
  run | cron)
    [ "$#" -gt 0 ] || { echo "usage: $process <command…> (see $cli --help)" >&2; exit 64; }
    exec "$cli" "$@" ;;
  *)
    echo "unknown process '$process': api | relay | consumer | migrate | run <command…> | cron <command…>" >&2
    exit 64 ;;
esac

# shellcheck shell=bash
# The local platform's processes: an S3 server (SeaweedFS), an SMTP capture server (aiosmtpd),
# the nginx mTLS gateway with its CRL watcher, and each service's API, relay and consumer, all
# supervised by one honcho.
# Sourced by ./scelle after bootstrap.sh; ROOT, VENV, LOCAL_DIR, RUN_DIR, LOG_DIR, KEYS_DIR are set.
#
# Every supervised process inherits SCELLE_STACK=<this checkout's var/local>. That marker is how
# `down` finds whatever is left (even a process that escaped its process group) without touching
# anything else on the machine, including another checkout's stack.

ENV_FILE="$LOCAL_DIR/stack.env"
PROCFILE="$LOCAL_DIR/Procfile"
PID_FILE="$RUN_DIR/honcho.pid"
STACK_LOG="$LOG_DIR/stack.log"
MAIL_DIR="$LOCAL_DIR/mail"
S3_DIR="$LOCAL_DIR/s3"

S3_ACCESS_KEY=scelle-dev
S3_SECRET_KEY=scelle-dev-secret
S3_REGION=us-east-1
# SeaweedFS opens ten ports: S3, master, volume, filer, admin, then the same five for gRPC.
# They are kept together here, away from SeaweedFS's defaults (8333, 9333, 8888, ...).
LOCAL_S3_PORTS=(8130 8131 8132 8133 8134 18130 18131 18132 18133 18134)
SMTP_PORT=8025

# The gateway (deploy/gateway): nginx with mTLS on one port, its dev PKI (deploy/pki) in var/pki.
GATEWAY_PORT=8443
GATEWAY_DIR="$LOCAL_DIR/gateway"
GATEWAY_PID_FILE="$RUN_DIR/gateway.pid"
GATEWAY_MAX_BODY=${SCELLE_GATEWAY_MAX_BODY:-1g}
# The secret nginx shows identity on every auth subrequest (IDENTITY_GATEWAY_SECRET): any local
# process can reach 127.0.0.1:8101, and the authenticate route believes the certificate it is given.
GATEWAY_SECRET_FILE="$KEYS_DIR/gateway-secret"
PKI_DIR="$ROOT/var/pki"

# --- the services table (deploy/local/services.txt) ------------------------------------------

SERVICES=()
declare -A SERVICE_PORT=() SERVICE_USES=()

# Read the table, keeping the services whose package exists. With `strict`, a package that
# has no line in the table is an error: it would silently not run.
load_services() {
  local name port services_uses project
  while read -r name port services_uses; do
    [[ -z $name || $name == \#* ]] && continue
    if [[ ! -f services/$name/pyproject.toml ]]; then
      warn "services/$name does not exist yet: it is left out"
      continue
    fi
    SERVICES+=("$name")
    SERVICE_PORT[$name]=$port
    SERVICE_USES[$name]=" $services_uses "
  done <deploy/local/services.txt
  [[ ${1:-} == strict ]] || return 0
  for project in services/*/pyproject.toml; do
    name=${project#services/}
    name=${name%/pyproject.toml}
    [[ -n ${SERVICE_PORT[$name]:-} ]] || die "services/$name has no line in deploy/local/services.txt (its port and processes)"
  done
}

uses() { [[ ${SERVICE_USES[$1]} == *" $2 "* ]]; }

# --- S3 and SMTP -----------------------------------------------------------------------------

# write_s3_config FILE ACCESS_KEY SECRET_KEY: one identity with every right. Without a config
# SeaweedFS would accept anonymous requests, and signature checks would go untested.
write_s3_config() {
  cat >"$1" <<EOF
{"identities": [{"name": "scelle", "credentials": [{"accessKey": "$2", "secretKey": "$3"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
}

# weed_command DIR CONFIG PORT*10 (order of LOCAL_S3_PORTS): sets WEED_COMMAND to an all-in-one
# SeaweedFS keeping its data and sockets in DIR, bound to loopback, with no telemetry (no
# network here), no WebDAV, admin UI or Iceberg/Lance catalogs, and every port given.
weed_command() {
  local dir=$1 config=$2
  shift 2
  WEED_COMMAND=("$VENV/bin/weed" mini -dir="$dir/data" -s3.config="$config"
    -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.telemetry=false
    -webdav=false -admin.ui=false -s3.port.iceberg=0 -s3.port.lance=0
    -s3.port="$1" -master.port="$2" -volume.port="$3" -filer.port="$4" -admin.port="$5"
    -s3.port.grpc="$6" -master.port.grpc="$7" -volume.port.grpc="$8" -filer.port.grpc="$9" -admin.port.grpc="${10}"
    -filer.localSocket="$dir/filer.sock" -s3.localSocket="$dir/s3.sock")
  mkdir -p "$dir/data"
}

# --- generated files -------------------------------------------------------------------------

write_env_file() {
  local name prefix
  {
    echo "# Written by ./scelle up: the environment of the local platform's processes."
    echo "# To run a service CLI by hand: set -a; . $ENV_FILE; set +a"
    for name in "${SERVICES[@]}"; do
      prefix=${name^^}
      if uses "$name" migrate; then
        echo "${prefix}_DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/scelle_$name"
      fi
      echo "${prefix}_BROKER_URL=$BROKER_URL"
      echo "${prefix}_JWKS_FILE=$KEYS_DIR/jwks.json"
      echo "${prefix}_LOG_LEVEL=${SCELLE_LOG_LEVEL:-INFO}"
      if uses "$name" s3; then
        echo "${prefix}_S3_ENDPOINT_URL=http://127.0.0.1:${LOCAL_S3_PORTS[0]}"
        echo "${prefix}_S3_ACCESS_KEY=$S3_ACCESS_KEY"
        echo "${prefix}_S3_SECRET_KEY=$S3_SECRET_KEY"
        echo "${prefix}_S3_REGION=$S3_REGION"
        # The gateway streams downloads straight from S3 once the vault has said yes (render_gateway).
        echo "${prefix}_DOWNLOAD_OFFLOAD_LOCATION=/_scelle/s3/"
      fi
      if uses "$name" smtp; then
        echo "${prefix}_SMTP_HOST=127.0.0.1"
        echo "${prefix}_SMTP_PORT=$SMTP_PORT"
      fi
      if uses "$name" receipt-key; then
        echo "${prefix}_RECEIPT_KEY_FILE=$KEYS_DIR/$name-receipt.jwk.json"
      fi
      if uses "$name" signing-key; then
        echo "${prefix}_SIGNING_KEY_FILE=$KEYS_DIR/principal-signing.jwk.json"
      fi
      if uses "$name" backends; then
        local other
        for other in "${SERVICES[@]}"; do
          if [[ $other != "$name" ]] && uses "$other" api; then
            echo "${prefix}_${other^^}_URL=http://127.0.0.1:${SERVICE_PORT[$other]}"
          fi
        done
      fi
      if uses "$name" pki; then
        echo "${prefix}_TRUSTED_ISSUERS_DIR=$PKI_DIR/cas"
        echo "${prefix}_SOFTWARE_CA_CERT_FILE=$PKI_DIR/cas/scelle/root/cert.pem"
        echo "${prefix}_SOFTWARE_CA_KEY_FILE=$PKI_DIR/cas/scelle/root/key.pem"
        echo "${prefix}_PUBLIC_URL=https://scelle.localhost:$GATEWAY_PORT"
        echo "${prefix}_GATEWAY_SECRET_FILE=$GATEWAY_SECRET_FILE"
      fi
    done
  } >"$ENV_FILE"
}

write_procfile() {
  local name bin command timeout
  {
    printf -v command '%q ' "${WEED_COMMAND[@]}"
    echo "s3: exec ${command% }"
    printf 'smtp: exec %q -n -l 127.0.0.1:%s -c aiosmtpd.handlers.Mailbox %q\n' \
      "$VENV/bin/aiosmtpd" "$SMTP_PORT" "$MAIL_DIR"
    printf "gateway: exec %q -c %q -p %q -g 'daemon off;'\n" "$NGINX" "$GATEWAY_DIR/nginx.conf" "$GATEWAY_DIR"
    printf 'gateway-crl: exec %q deploy/gateway/crlwatch.py --pki %q --nginx-pid-file %q\n' \
      "$VENV/bin/python" "$PKI_DIR" "$GATEWAY_PID_FILE"
    for name in "${SERVICES[@]}"; do
      bin=$(printf '%q' "$VENV/bin")
      if uses "$name" api; then
        timeout=30
        if uses "$name" long-requests; then timeout=3600; fi
        echo "$name-api: exec $bin/gunicorn --workers 2 --bind 127.0.0.1:${SERVICE_PORT[$name]} --timeout $timeout" \
          "--graceful-timeout 5 --access-logfile - --no-control-socket scelle_$name.entrypoints.wsgi:app"
      fi
      if uses "$name" relay; then echo "$name-relay: exec $bin/scelle-$name relay"; fi
      if uses "$name" consumer; then echo "$name-consumer: exec $bin/scelle-$name consume"; fi
      if uses "$name" sender; then echo "$name-sender: exec $bin/scelle-$name send-mail"; fi
    done
  } >"$PROCFILE"
}

# --- preparing and checking ------------------------------------------------------------------

ensure_dev_keys() {
  local name
  "$VENV/bin/python" deploy/local/devkeys.py "$KEYS_DIR"
  for name in "${SERVICES[@]}"; do
    if uses "$name" receipt-key; then
      "$VENV/bin/scelle-$name" keys init "$KEYS_DIR/$name-receipt.jwk.json" >/dev/null \
        || die "scelle-$name keys init failed"
    fi
  done
  if [[ ! -s $GATEWAY_SECRET_FILE ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$GATEWAY_SECRET_FILE")
  fi
}

# The dev PKI: made on the first run, completed and kept sound afterwards (idempotent: CRLs
# within 2 days of their nextUpdate are re-issued, nothing else changes).
ensure_dev_pki() {
  if ! "$VENV/bin/python" deploy/pki/devpki.py init --out "$PKI_DIR" >"$LOG_DIR/devpki.log" 2>&1; then
    cat "$LOG_DIR/devpki.log" >&2
    die "deploy/pki/devpki.py init failed"
  fi
}

# The gateway's nginx.conf, rendered from deploy/gateway for the services that run, then
# checked with nginx -t.
render_gateway() {
  local -a only=()
  local name
  for name in "${SERVICES[@]}"; do
    if uses "$name" api; then only+=(--only "$name"); fi
  done
  "$VENV/bin/python" deploy/gateway/render.py --out "$GATEWAY_DIR" --pki "$PKI_DIR" \
    --listen "127.0.0.1:$GATEWAY_PORT" --services-file deploy/local/services.txt "${only[@]}" \
    --max-body-size "$GATEWAY_MAX_BODY" --log-dir "$LOG_DIR" --pid-file "$GATEWAY_PID_FILE" \
    --gateway-secret-file "$GATEWAY_SECRET_FILE" --object-store "127.0.0.1:${LOCAL_S3_PORTS[0]}" --check >/dev/null \
    || die "the gateway's configuration could not be rendered (see above)"
}

# Demo data: `scelle-<name> seed-demo --manifest var/pki/manifest.json` for the services that
# have some (accounts for the demo certificates...). Run after migrations; idempotent.
seed_demo_data() {
  local name
  for name in "${SERVICES[@]}"; do
    uses "$name" seed || continue
    if ! "$VENV/bin/scelle-$name" seed-demo --help >/dev/null 2>&1; then
      warn "scelle-$name has no seed-demo command yet: no demo data for $name"
      continue
    fi
    say "loading $name's demo data"
    # shellcheck source=/dev/null # written by write_env_file
    if ! (set -a && . "$ENV_FILE" && "$VENV/bin/scelle-$name" seed-demo --manifest "$PKI_DIR/manifest.json") \
      >"$LOG_DIR/seed-$name.log" 2>&1; then
      tail -n 30 "$LOG_DIR/seed-$name.log" >&2
      die "scelle-$name seed-demo failed (whole output: $LOG_DIR/seed-$name.log)"
    fi
  done
}

# Every port the stack listens on, with what it is for.
stack_ports() {
  local port name
  for port in "${LOCAL_S3_PORTS[@]}"; do echo "$port S3 server (SeaweedFS)"; done
  echo "$SMTP_PORT SMTP capture"
  echo "$GATEWAY_PORT gateway (nginx)"
  for name in "${SERVICES[@]}"; do
    if uses "$name" api; then echo "${SERVICE_PORT[$name]} $name API"; fi
  done
}

# A port already taken would make one process fail and honcho stop them all: say which, up front.
check_ports_free() {
  local port what busy=""
  while read -r port what; do
    if port_open 127.0.0.1 "$port"; then busy+="  127.0.0.1:$port ($what)"$'\n'; fi
  done < <(stack_ports)
  [[ -z $busy ]] || die "these ports are already in use by something else:"$'\n'"$busy""stop what uses them (or change the port in deploy/local/) and rerun."
}

migrate_databases() {
  local name
  for name in "${SERVICES[@]}"; do
    uses "$name" migrate || continue
    ensure_database "scelle_$name"
    say "migrating scelle_$name"
    # shellcheck source=/dev/null # written by write_env_file
    if ! (set -a && . "$ENV_FILE" && "$VENV/bin/scelle-$name" migrate) >"$LOG_DIR/migrate-$name.log" 2>&1; then
      tail -n 30 "$LOG_DIR/migrate-$name.log" >&2
      die "scelle-$name migrate failed (whole output: $LOG_DIR/migrate-$name.log)"
    fi
  done
}

# What must answer before the platform counts as up: S3 and SMTP accept connections,
# every API's /readyz says 200 (its database and the broker are reachable).
ready_targets() {
  local name
  echo "tcp://127.0.0.1:${LOCAL_S3_PORTS[0]}"
  echo "tcp://127.0.0.1:$SMTP_PORT"
  echo "tcp://127.0.0.1:$GATEWAY_PORT"
  for name in "${SERVICES[@]}"; do
    if uses "$name" api; then echo "http://127.0.0.1:${SERVICE_PORT[$name]}/readyz"; fi
  done
}

# --- the supervisor --------------------------------------------------------------------------

# Processes carrying this checkout's stack marker (one grep over every process's environment),
# and the gateway's.
stack_pids() {
  grep -lzxF "SCELLE_STACK=$LOCAL_DIR" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 || true
  gateway_pids
}

# nginx writes its process title over its environment, so the marker cannot find it. honcho
# starts each process in a session of its own, so the gateway's processes are those of the
# session its master leads, whose pid is in the pid file (which outlives a master killed with
# SIGKILL, whose workers would otherwise go on serving). Only processes titled "nginx:" count.
gateway_pids() {
  local sid pid
  [[ -f $GATEWAY_PID_FILE ]] || return 0
  sid=$(<"$GATEWAY_PID_FILE")
  [[ $sid =~ ^[0-9]+$ ]] || return 0
  for pid in $(ps -o pid= -s "$sid" 2>/dev/null); do
    if [[ $(head -c 6 "/proc/$pid/cmdline" 2>/dev/null) == "nginx:" ]]; then echo "$pid"; fi
  done
}

# The running supervisor's pid; fails if there is none. The marker check guards against a
# stale pid file whose pid now belongs to another process.
supervisor_pid() {
  local pid
  [[ -f $PID_FILE ]] && pid=$(<"$PID_FILE") || return 1
  grep -qzxF "SCELLE_STACK=$LOCAL_DIR" "/proc/$pid/environ" 2>/dev/null || return 1
  echo "$pid"
}

# Start honcho detached in its own session: closing the terminal or Ctrl-C in it reaches none of
# the platform's processes. The previous run's log is kept as stack.log.1.
start_supervisor() {
  if [[ -f $STACK_LOG ]]; then mv -f "$STACK_LOG" "$STACK_LOG.1"; fi
  (
    export SCELLE_STACK="$LOCAL_DIR" PYTHONUNBUFFERED=1
    # This background subshell is no process-group leader, so setsid execs in place and
    # $! below is honcho's own pid.
    exec setsid "$VENV/bin/honcho" start --no-colour -d "$ROOT" -f "$PROCFILE" -e "$ENV_FILE" \
      </dev/null >"$STACK_LOG" 2>&1
  ) &
  echo "$!" >"$PID_FILE"
}

pids_gone() {
  local pid
  for pid in "$@"; do
    [[ -d /proc/$pid ]] && return 1
  done
  return 0
}

# Stop the supervised processes and make sure none is left.
stop_stack() {
  local pid left
  if pid=$(supervisor_pid); then
    say "stopping the local platform (honcho pid $pid)"
    # honcho passes SIGTERM on to each process's group and SIGKILLs what remains after 5 s.
    kill -TERM -- "-$pid" 2>/dev/null || true
    retry_for 20 pids_gone "$pid" || warn "honcho did not stop within 20 s"
  fi
  left=$(stack_pids)
  if [[ -n $left ]]; then
    # shellcheck disable=SC2086 # one pid per word
    say "terminating what is left:" $left
    # shellcheck disable=SC2086
    kill -TERM $left 2>/dev/null || true
    # shellcheck disable=SC2086
    retry_for 10 pids_gone $left || kill -KILL $left 2>/dev/null || true
    sleep 0.5
  fi
  left=$(stack_pids)
  [[ -z $left ]] || die "processes of the local platform survive SIGKILL: ${left//$'\n'/ }"
  rm -f "$PID_FILE" "$GATEWAY_PID_FILE"
}

# Why `up` failed: when a process died (and honcho stopped the rest), the end of that process's
# output; otherwise the end of the log.
explain_stack_failure() {
  local first name
  first=$(grep -m1 -E '^[0-9:]{8} system +\| .* stopped \(rc=' "$STACK_LOG" || true)
  if [[ -z $first ]]; then
    tail -n 40 "$STACK_LOG" >&2
    return
  fi
  name=$(sed -E 's/.*\| ([^ ]+) stopped .*/\1/' <<<"$first")
  grep -F " $name " "$STACK_LOG" | tail -n 30 >&2
}

# "pid command line" for each supervised process, for `status`.
stack_processes() {
  local pid
  for pid in $(stack_pids); do
    printf '%s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
  done
}

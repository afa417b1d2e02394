# shellcheck shell=bash
# What the machine needs before anything of Scellé runs: Python and the shared virtualenv,
# PostgreSQL with the `scelle` role and one database per service, RabbitMQ.
# Sourced by ./scelle, which sets VENV and RUN_DIR, `set -euo pipefail` and nullglob, and runs
# from the repository root (paths here are relative to it).
#
# On a fresh Debian machine the missing pieces are installed with apt-get (root only);
# where that is impossible we say exactly what is missing and stop.

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=scelle
PG_PASSWORD=scelle
RABBITMQ_PORT=5672
BROKER_URL="amqp://guest:guest@127.0.0.1:${RABBITMQ_PORT}/%2F"

# The stamp records what the virtualenv was last installed from (see install_packages).
INSTALL_STAMP="$VENV/.scelle-install.sha256"

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'scelle: warning: %s\n' "$*" >&2; }
die() { printf 'scelle: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on HOST PORT (bash's /dev/tcp: no curl or nc needed).
port_open() {
  # shellcheck disable=SC2016 # $1 and $2 expand in the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Poll a command until it succeeds, for at most SECONDS.
retry_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# apt-get install PACKAGES..., or stop and name WHAT is missing when this machine cannot install.
APT_UPDATED=""
apt_install() {
  local what=$1; shift
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    die "missing: $what. Install it (Debian: apt-get install $*) or run ./scelle as root on Debian so it can."
  fi
  say "installing $what (apt-get install $*)"
  if [[ -z $APT_UPDATED ]]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need_root() {
  [[ $(id -u) == 0 ]] || die "$1 needs root; do it yourself or rerun ./scelle as root."
}

# --- Python and the virtualenv -------------------------------------------------------------

PYTHON=${SCELLE_PYTHON:-python3}

python_ok() {
  command -v "$PYTHON" >/dev/null && "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

ensure_python() {
  if ! python_ok; then
    apt_install "Python >= 3.11" python3 python3-venv
    # Debian 12's python3 is 3.11; prefer it over an older one earlier on PATH.
    PYTHON=/usr/bin/python3
    python_ok || die "missing: Python >= 3.11 ($PYTHON is $("$PYTHON" -V 2>&1))"
  fi
  if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    apt_install "the Python venv module" python3-venv
  fi
}

# pip install everything the repository needs, unless the inputs are unchanged since the last run:
# a hash of constraints.txt, requirements-dev.txt and every pyproject.toml is kept in the venv.
install_packages() {
  local -a services=(services/*/pyproject.toml)
  local digest
  digest=$(sha256sum constraints.txt requirements-dev.txt libs/common/pyproject.toml "${services[@]}" \
    | sha256sum | cut -d' ' -f1)
  if [[ -f $INSTALL_STAMP && $(<"$INSTALL_STAMP") == "$digest" ]]; then
    return 0
  fi
  local -a editables=(-e "libs/common[test]")
  local project
  for project in "${services[@]}"; do
    editables+=(-e "${project%/pyproject.toml}")
  done
  say "installing Python packages into .venv (scelle-common and ${#services[@]} services, pinned by constraints.txt)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -r requirements-dev.txt "${editables[@]}"
  printf '%s\n' "$digest" >"$INSTALL_STAMP"
}

bootstrap_venv() {
  if [[ ! -x $VENV/bin/python ]]; then
    ensure_python
    say "creating the virtualenv in .venv"
    "$PYTHON" -m venv "$VENV"
  fi
  install_packages
}

# --- PostgreSQL ------------------------------------------------------------------------------

pg_version() {
  find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1
}

start_postgres() {
  command -v pg_ctlcluster >/dev/null || apt_install "PostgreSQL server" postgresql postgresql-contrib
  # apt's post-install may already have started the cluster.
  port_open "$PG_HOST" "$PG_PORT" && return 0
  need_root "starting PostgreSQL"
  local version
  version=$(pg_version)
  [[ -n $version ]] || die "missing: PostgreSQL server binaries under /usr/lib/postgresql"
  [[ -d /etc/postgresql/$version/main ]] || pg_createcluster "$version" main >/dev/null
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  retry_for 30 port_open "$PG_HOST" "$PG_PORT" || die "PostgreSQL $version started but does not listen on $PG_HOST:$PG_PORT"
}

stop_postgres() {
  local version
  version=$(pg_version)
  say "stopping PostgreSQL $version (./scelle up started it)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main stop
}

# psql as the application role, over TCP like the services.
scelle_psql() {
  PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 psql -w -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
    -v ON_ERROR_STOP=1 -Atq "$@"
}

# The `scelle` role (LOGIN CREATEDB, password scelle) owns every service database and the test databases.
ensure_postgres_role() {
  [[ $(scelle_psql -c 'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user' 2>/dev/null) == t ]] && return 0
  local sql="DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN CREATE ROLE $PG_USER; END IF;
    END \$\$;
    ALTER ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';"
  say "creating the PostgreSQL role $PG_USER"
  # Superuser access: over TCP where the server trusts loopback, else through the local socket as postgres.
  if PGCONNECT_TIMEOUT=5 psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
    psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<<"$sql"
  elif [[ $(id -u) == 0 ]]; then
    su postgres -c 'cd / && psql -v ON_ERROR_STOP=1 -q -d postgres' <<<"$sql"
  else
    die "cannot create the PostgreSQL role $PG_USER: no superuser access. As a superuser run: $sql"
  fi
}

# Make PostgreSQL reachable on 127.0.0.1:5432 with the scelle role.
# With `record`, a server we had to start is noted so `./scelle down` stops it again.
ensure_postgres() {
  if ! port_open "$PG_HOST" "$PG_PORT"; then
    start_postgres
    if [[ ${1:-} == record ]]; then
      touch "$RUN_DIR/postgresql.started"
    fi
  fi
  command -v psql >/dev/null || apt_install "the PostgreSQL client (psql)" postgresql-client
  ensure_postgres_role
}

ensure_database() {
  local name=$1
  if [[ $(scelle_psql -c "SELECT 1 FROM pg_database WHERE datname = '$name'") != 1 ]]; then
    say "creating database $name"
    scelle_psql -c "CREATE DATABASE $name OWNER $PG_USER"
  fi
}

# --- RabbitMQ --------------------------------------------------------------------------------

start_rabbitmq() {
  command -v rabbitmq-server >/dev/null || apt_install "RabbitMQ" --no-install-recommends rabbitmq-server
  port_open 127.0.0.1 "$RABBITMQ_PORT" && return 0
  need_root "starting RabbitMQ"
  say "starting RabbitMQ"
  rabbitmq-server -detached
  # `await_startup` fails while the node is not up at all, so first wait until it answers a ping.
  retry_for 60 rabbitmq-diagnostics -q ping || die "RabbitMQ did not start (see /var/log/rabbitmq/)"
  rabbitmqctl -q await_startup
  retry_for 30 port_open 127.0.0.1 "$RABBITMQ_PORT" || die "RabbitMQ runs but does not listen on $RABBITMQ_PORT"
}

stop_rabbitmq() {
  say "stopping RabbitMQ (./scelle up started it)"
  rabbitmqctl -q stop
  # `rabbitmqctl stop` leaves the Erlang port mapper running; it was started with the node.
  epmd -kill >/dev/null 2>&1 || true
}

# Make RabbitMQ reachable on 127.0.0.1:5672 (guest/guest works from loopback). `record` as for PostgreSQL.
ensure_rabbitmq() {
  port_open 127.0.0.1 "$RABBITMQ_PORT" && return 0
  start_rabbitmq
  if [[ ${1:-} == record ]]; then
    touch "$RUN_DIR/rabbitmq.started"
  fi
}

# --- nginx (the gateway) ---------------------------------------------------------------------

# The headers-more module lets the gateway strip every client-sent X-Scelle-*/X-Client-* header
# (deploy/gateway/README.md); Debian packages it for its own nginx.
NGINX_HEADERS_MORE=/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so

# Sets NGINX to the nginx binary, installing nginx and the module when missing.
ensure_nginx() {
  NGINX=$(command -v nginx || true)
  if [[ -z $NGINX ]]; then
    apt_install "nginx (the gateway)" --no-install-recommends nginx
    NGINX=$(command -v nginx) || die "nginx was installed but is not on PATH"
  fi
  if [[ ! -f $NGINX_HEADERS_MORE ]] && ! "$NGINX" -V 2>&1 | grep -q headers-more; then
    apt_install "nginx's headers-more module" --no-install-recommends libnginx-mod-http-headers-more-filter
  fi
}

# Headless Chromium drives the browser tests (tests/browser): Debian's chromium and chromedriver
# (never a downloaded browser), and NSS's certutil/pk12util to give it a client certificate.
ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pk12util >/dev/null; then
    apt_install "Chromium, chromedriver and the NSS tools (the browser tests)" --no-install-recommends \
      chromium chromium-driver libnss3-tools
  fi
  ensure_axe
}

# axe-core, the accessibility engine tests/browser/test_accessibility.py injects into Chromium:
# the npm registry's tarball of a pinned release, checked against its published integrity, unpacked
# in var/axe-core (only axe.min.js and its licence are kept).
AXE_CORE_VERSION=4.14.1
AXE_CORE_INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
ensure_axe() {
  local dir=var/axe-core tarball
  [[ -f $dir/axe.min.js && $(cat "$dir/VERSION" 2>/dev/null) == "$AXE_CORE_VERSION" ]] && return 0
  command -v npm >/dev/null || apt_install "npm (fetches axe-core for the accessibility tests)" --no-install-recommends npm
  say "fetching axe-core $AXE_CORE_VERSION (npm pack)"
  rm -rf "$dir" && mkdir -p "$dir/download"
  npm pack "axe-core@$AXE_CORE_VERSION" --pack-destination "$dir/download" --silent >/dev/null
  tarball="$dir/download/axe-core-$AXE_CORE_VERSION.tgz"
  [[ "sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)" == "$AXE_CORE_INTEGRITY" ]] ||
    die "axe-core $AXE_CORE_VERSION: the downloaded tarball does not match its pinned integrity"
  tar -xzf "$tarball" -C "$dir" --strip-components=1 package/axe.min.js package/LICENSE
  rm -rf "$dir/download"
  echo "$AXE_CORE_VERSION" >"$dir/VERSION"
}

# ApacheBench drives the gateway benchmark (it presents client certificates, wrk cannot).
ensure_ab() {
  command -v ab >/dev/null || apt_install "ApacheBench (ab, the gateway benchmark's load tool)" --no-install-recommends apache2-utils
}

# Stop PostgreSQL and RabbitMQ only if `./scelle up` had to start them.
stop_started_infrastructure() {
  if [[ -f $RUN_DIR/postgresql.started ]]; then
    stop_postgres
    rm -f "$RUN_DIR/postgresql.started"
  fi
  if [[ -f $RUN_DIR/rabbitmq.started ]]; then
    stop_rabbitmq
    rm -f "$RUN_DIR/rabbitmq.started"
  fi
}

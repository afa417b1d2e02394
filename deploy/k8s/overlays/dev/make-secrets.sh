#!/usr/bin/env bash
# Create the Secrets and ConfigMaps a dev cluster needs (overlays/dev), with random passwords
# and the dev PKI/keys of this checkout (run ./scelle up once first: var/pki, var/keys).
# Idempotent: existing objects are replaced. Nothing secret is ever written into the repository.
#   deploy/k8s/overlays/dev/make-secrets.sh [NAMESPACE]
set -euo pipefail
ns=${1:-scelle}
root=$(cd "$(dirname "$0")/../../../.." && pwd)
pki=${SCELLE_PKI_DIR:-$root/var/pki}
keys=${SCELLE_KEYS_DIR:-$root/var/keys}
# The services with a database (or a broker): those of deploy/local/services.txt using `migrate`.
services=()
while read -r name _ uses; do
  [[ -z $name || $name == \#* ]] && continue
  if [[ " $uses " == *" migrate "* ]]; then services+=("$name"); fi
done <"$root/deploy/local/services.txt"

apply() { kubectl -n "$ns" create "$@" --dry-run=client -o yaml | kubectl apply -f -; }
random() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
pg=$(random)
mq=$(random)
s3_access=scelle-dev
s3_secret=$(random)
apply secret generic dev-postgres --from-literal=password="$pg"
apply secret generic dev-rabbitmq --from-literal=password="$mq"
for name in "${services[@]}"; do
  apply secret generic "$name-database" --from-literal=url="postgresql+psycopg://scelle:$pg@postgres:5432/scelle_$name"
  apply secret generic "$name-broker" --from-literal=url="amqp://scelle:$mq@rabbitmq:5672/%2F"
done
apply secret generic documents-s3 --from-literal=access-key="$s3_access" --from-literal=secret-key="$s3_secret"
config=$(mktemp)
trap 'rm -f "$config"' EXIT
printf '{"identities": [{"name": "scelle", "credentials": [{"accessKey": "%s", "secretKey": "%s"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}\n' \
  "$s3_access" "$s3_secret" >"$config"
apply secret generic dev-s3-config --from-file=s3.json="$config"

# Keys and PKI (the dev ones; production uses its own, deploy/README.md "Secrets").
apply configmap scelle-jwks --from-file=jwks.json="$keys/jwks.json"
apply secret generic identity-signing-key --from-file=principal-signing.jwk.json="$keys/principal-signing.jwk.json"
apply secret generic documents-receipt-key --from-file=receipt.jwk.json="$keys/documents-receipt.jwk.json"
apply secret generic identity-software-ca --from-file=cert.pem="$pki/cas/scelle/root/cert.pem" \
  --from-file=key.pem="$pki/cas/scelle/root/key.pem"
apply secret generic scelle-gateway-secret --from-file=gateway-secret="$keys/gateway-secret"
apply secret generic gateway-tls --from-file=server.pem="$pki/server.pem" --from-file=server.key.pem="$pki/server.key.pem" \
  --from-file=trusted-clients.pem="$pki/trusted-clients.pem" --from-file=crls.pem="$pki/crls.pem"
# identity reads cas/<family>/**/*.pem: one Secret per family, mounted as that family's folder
# (a Secret is flat: sub-folders become part of the key). CA private keys are left out.
for family in justice avocats experts scelle; do
  args=()
  while IFS= read -r file; do
    args+=(--from-file="${file//\//-}=$pki/cas/$family/$file")
  done < <(cd "$pki/cas/$family" && find . -type f -name '*.pem' ! -name 'key.pem' | sed 's|^\./||' | sort)
  apply secret generic "trusted-issuers-$family" "${args[@]}"
done
echo "secrets ready in namespace $ns"

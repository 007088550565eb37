#!/bin/sh
# One-shot job (temporalio/admin-tools image): waits until the Temporal
# frontend is healthy, registers Perfloop's namespace unless it exists, and
# returns only once the namespace answers queries, so the api and worker that
# wait for this job never meet "namespace not found".
set -eu

address=${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS, e.g. temporal:7233}
namespace=${TEMPORAL_NAMESPACE:?set TEMPORAL_NAMESPACE}
retention=${TEMPORAL_RETENTION:-720h}

retry() { # retry WHAT COMMAND... — up to two minutes
  what=$1
  shift
  tries=0
  until "$@" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      echo "temporal-namespace: $what: gave up after 2 minutes" >&2
      "$@" # once more, with its error on show
      exit 1
    fi
    sleep 2
  done
}

retry "cluster health at $address" temporal operator cluster health --address "$address"

if temporal operator namespace describe --namespace "$namespace" --address "$address" >/dev/null 2>&1; then
  echo "temporal-namespace: $namespace exists"
else
  temporal operator namespace create --namespace "$namespace" --retention "$retention" --address "$address"
  echo "temporal-namespace: $namespace created (retention $retention)"
fi

# The frontend serves a namespace from a cache refreshed every few seconds.
retry "namespace $namespace ready" temporal workflow count --namespace "$namespace" --address "$address"
echo "temporal-namespace: $namespace ready"

#!/usr/bin/env bash
# Checks the Helm chart without a cluster, quickly enough for every test run:
#   1. helm lint --strict, with the default values and each of sizes/*.yaml and o2o/ci/*.yaml;
#   2. helm template with each of them, every rendered object validated against the Kubernetes
#      and KEDA schemas (kubernetes-models, @kubernetes-models/keda) and the platform's rules
#      (libs/deploy: probes, resources, PodDisruptionBudgets, topology spread, scalers, groups,
#      partitions), and each container's environment loaded by its service's own configuration
#      loader in production mode (Secret values replaced by stand-ins);
#   3. that it refuses what it must: values scaling a consumer beyond the partitions fail to
#      render, a rendered object broken on purpose fails validation, and an issuer without TLS
#      is refused by the services' configuration.
# Helm is built from the Go module proxy on first use (deploy/local/helm.sh, cached in
# .local-servers/cache like the other servers).
#
#   bash deploy/kubernetes/validate.sh        (npm run validate:chart)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

CHART=deploy/kubernetes/o2o
# Helm built by `go install` carries no Kubernetes version of its own (it assumes v1.20); name
# the oldest one the chart supports (Chart.yaml kubeVersion; matchLabelKeys needs 1.27+).
KUBE_VERSION="${KUBE_VERSION:-1.31.0}"
HELM="$(bash deploy/local/helm.sh path)"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# The validator, and the services whose configuration loaders check the environment.
npx tsc -b tsconfig.build.json
validate() { node libs/deploy/dist/cli/validate-manifests.js "$@"; }
check_env() { node libs/deploy/dist/cli/check-chart-env.js "$@"; }

variants=("defaults:")
for f in deploy/kubernetes/sizes/*.yaml "$CHART"/ci/*.yaml; do variants+=("$(basename "$f" .yaml):$f"); done

for variant in "${variants[@]}"; do
  name="${variant%%:*}" file="${variant#*:}"
  args=()
  [[ -n "$file" ]] && args=(-f "$file")
  "$HELM" lint --strict --quiet --kube-version "$KUBE_VERSION" "$CHART" "${args[@]}" >"$OUT/lint-$name.txt" 2>&1 || {
    cat "$OUT/lint-$name.txt" >&2
    echo "validate: helm lint failed ($name)" >&2
    exit 1
  }
  "$HELM" template o2o "$CHART" --kube-version "$KUBE_VERSION" --namespace o2o "${args[@]}" >"$OUT/$name.yaml"
  validate --label "$name" "$OUT/$name.yaml"
  check_env "$OUT/$name.yaml"
done

# Refusals. A consumer allowed more replicas than its topics have partitions does not render.
if "$HELM" template o2o "$CHART" --kube-version "$KUBE_VERSION" --set services.identity-resolution.autoscaling.maxReplicas=13 >/dev/null 2>"$OUT/refused.txt"; then
  echo "validate: the chart rendered 13 identity-resolution replicas on 12 partitions" >&2
  exit 1
fi
grep -q 'maxReplicas (13) exceeds kafka.topicPartitions (12)' "$OUT/refused.txt" || {
  cat "$OUT/refused.txt" >&2
  echo "validate: the chart refused 13 replicas on 12 partitions for another reason" >&2
  exit 1
}
echo "refused as it must: 13 identity-resolution replicas on 12 partitions"

# A lag threshold written as a number (KEDA's schema wants a string) must fail validation.
sed '0,/lagThreshold: "460"/s//lagThreshold: 460/' "$OUT/defaults.yaml" >"$OUT/broken.yaml"
cmp -s "$OUT/defaults.yaml" "$OUT/broken.yaml" && { echo "validate: could not break the render (no lagThreshold \"460\")" >&2; exit 1; }
if validate --label broken "$OUT/broken.yaml" 2>"$OUT/broken.txt"; then
  echo "validate: a ScaledObject with a numeric lagThreshold passed validation" >&2
  exit 1
fi
grep -q 'ScaledObject/o2o-identity-resolution: schema: /spec/triggers/0/metadata/lagThreshold must be string' "$OUT/broken.txt" || {
  cat "$OUT/broken.txt" >&2
  echo "validate: the broken ScaledObject was refused for another reason" >&2
  exit 1
}
echo "refused as it must: a ScaledObject whose lagThreshold is a number"
# An issuer reached without TLS renders (Kubernetes cannot tell) but no service accepts it.
"$HELM" template o2o "$CHART" --kube-version "$KUBE_VERSION" --set config.authIssuer=http://login.example.com >"$OUT/http-issuer.yaml"
if check_env "$OUT/http-issuer.yaml" 2>"$OUT/http-issuer.txt" >/dev/null; then
  echo "validate: the services accepted an issuer without TLS in production" >&2
  exit 1
fi
[[ "$(grep -c 'AUTH_ISSUER: use https in production' "$OUT/http-issuer.txt")" == 6 ]] || {
  cat "$OUT/http-issuer.txt" >&2
  echo "validate: not all six services refused the issuer without TLS, or refused it for another reason" >&2
  exit 1
}
echo "refused as it must: an issuer without TLS, by all six services"
echo "chart valid: ${#variants[@]} value sets linted, rendered, validated and loaded by the services"

#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, only where it is missing:
# Prometheus and promtool, the Pushgateway, Jupyter's client and nbconvert for /usr/bin/python3,
# its venv module (a venv's jupyter is where kernelspecs are looked for in one test), curl, Chromium (the landing page is looked at once by a real browser), and npm with the Grafana
# foundation SDK for the dashboard's type check and the Kubernetes models that check the manifests
# of agent/kubernetes offline. Maven fetches the Java artifacts (kernels included) itself.
set -euo pipefail

packages=(prometheus prometheus-pushgateway python3-jupyter-client python3-nbconvert python3-nbclient
          python3-ipykernel python3-venv jupyter-core curl chromium)
# npm (with Node.js) for the dashboard's type check, unless some Node.js is there already
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The Debian package starts its own Prometheus (and Pushgateway) service; the tests start their own on
# free loopback ports and need no system instance.
command -v prometheus >/dev/null && command -v promtool >/dev/null
/usr/bin/python3 -c 'import jupyter_client, nbconvert, nbclient, ensurepip'
# The Grafana foundation SDK's dashboard types and TypeScript, pinned by src/test/grafana's lock file,
# for the dashboard's type check (DashboardSchemaTest); installed once, then the tests run offline.
grafana_check="$(cd "$(dirname "$0")/../grafana" && pwd)"
if [ ! -x "$grafana_check/node_modules/.bin/tsc" ] || [ ! -d "$grafana_check/node_modules/@grafana/grafana-foundation-sdk" ]; then
  (cd "$grafana_check" && npm ci --no-audit --no-fund)
fi
# The Kubernetes API models, TypeScript and a YAML parser, pinned by src/test/kubernetes's lock file,
# for the manifests' check (KubernetesManifestsIT); installed once per lock file (the copy of the
# lock file kept beside the packages says which), then the tests run offline.
k8s_check="$(cd "$(dirname "$0")/../kubernetes" && pwd)"
if ! cmp -s "$k8s_check/package-lock.json" "$k8s_check/node_modules/.installed-from-lock.json" 2>/dev/null; then
  (cd "$k8s_check" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-from-lock.json)
fi

#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, only where it is missing:
# Prometheus and promtool, the Pushgateway, Jupyter's client and nbconvert for /usr/bin/python3,
# curl, Chromium (the landing page is looked at once by a real browser), and the npm packages that
# check the Kubernetes manifests offline (src/test/kubernetes, from its lock file). Maven fetches
# the Java artifacts (kernels included) itself.
set -euo pipefail

packages=(prometheus prometheus-pushgateway python3-jupyter-client python3-nbconvert python3-nbclient
          python3-ipykernel jupyter-core curl chromium)
missing=()
# Node.js and npm may come from elsewhere than Debian (with npm bundled): only when absent
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
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
/usr/bin/python3 -c 'import jupyter_client, nbconvert, nbclient'
k8s="$(cd "$(dirname "$0")/../kubernetes" && pwd)"
# installed once per lock file: the copy of the lock file kept beside the packages says which
if ! cmp -s "$k8s/package-lock.json" "$k8s/node_modules/.installed-from-lock.json" 2>/dev/null; then
  (cd "$k8s" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-from-lock.json)
fi

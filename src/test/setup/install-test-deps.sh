#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, only where it is missing:
# Prometheus and promtool, the Pushgateway, Jupyter's client and nbconvert for /usr/bin/python3,
# curl, and Chromium (the landing page is looked at once by a real browser). Maven fetches the
# Java artifacts (kernels included) itself.
set -euo pipefail

packages=(prometheus prometheus-pushgateway python3-jupyter-client python3-nbconvert python3-nbclient
          python3-ipykernel jupyter-core curl chromium)
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
/usr/bin/python3 -c 'import jupyter_client, nbconvert, nbclient'

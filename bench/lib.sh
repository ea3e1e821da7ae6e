# Shared by the benchmark scripts; sourced, not run.

# need_package CHECK PACKAGE SCRIPT: when the shell command CHECK fails, installs Debian's PACKAGE
# (as root), or stops with a message naming SCRIPT.
need_package() {
  local check="$1" package="$2" script="$3"
  if ! sh -c "$check" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      apt-get install -y -q "$package" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "$package" >/dev/null; }
    else
      echo "$script needs Debian's $package (apt-get install $package)" >&2
      exit 1
    fi
  fi
}

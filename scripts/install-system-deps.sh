#!/usr/bin/env bash
# System packages the tests need, from Debian's archive: unixODBC (pyodbc imports libodbc.so.2)
# and Chromium (the browser tests drive Debian's build; Playwright's own download cannot work here).
set -euo pipefail
needed=()
ldconfig -p 2>/dev/null | grep -q 'libodbc.so.2' || needed+=(unixodbc)
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v sqlite3 >/dev/null 2>&1 || needed+=(sqlite3)
[ ${#needed[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${needed[*]}. Install them with: sudo apt-get install ${needed[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null

#!/usr/bin/env bash
# Builds and installs the Citus extension (the national hub's distributed engine) from the source kept
# in ../shared/vendor/citus (CI cannot download it), into the PostgreSQL 15 of this machine.
# Debian's server and its headers are installed together so their versions match; against 15.20's
# headers the vendored patch is applied (see the vendor folder's README).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vendor=""
for v in "${CITUS_VENDOR:-}" "$root/../shared/vendor/citus" /work/shared/vendor/citus; do
  if [ -n "$v" ] && [ -f "$v/citus-13.2.2.tar.gz" ]; then vendor="$v"; break; fi
done
[ -n "$vendor" ] || { echo "citus source not found: set CITUS_VENDOR to the folder with citus-13.2.2.tar.gz" >&2; exit 1; }
pkgs=(postgresql-15 postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev gcc make patch)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# The headers must be the server's own version: install (or upgrade) both together.
if [ ${#missing[@]} -gt 0 ] || [ "$(dpkg-query -W -f='${Version}' postgresql-15)" != "$(dpkg-query -W -f='${Version}' postgresql-server-dev-15 2>/dev/null)" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
libdir="$(pg_config --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)"
if [ -f "$libdir/citus.so" ] && [ -f "$libdir/.citus-13.2.2-$(dpkg-query -W -f='${Version}' postgresql-15)" ]; then
  echo "citus 13.2.2 already built for this server"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$vendor/citus-13.2.2.tar.gz" -C "$work"
# The archive is `git archive` of the tag: its files are at the top level.
cd "$work"
if grep -q "have_createdb_privilege" "$(pg_config --includedir-server)/commands/dbcommands.h" 2>/dev/null; then
  patch -p1 -s < "$vendor/pg15.20-have_createdb_privilege.patch"
fi
# --without-libcurl: no anonymous usage statistics are sent (and libcurl is not needed).
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config ./configure -q --without-libcurl >/dev/null
make -s with_llvm=no -j"$(nproc)" >/dev/null
make -s with_llvm=no install >/dev/null
touch "$libdir/.citus-13.2.2-$(dpkg-query -W -f='${Version}' postgresql-15)"
echo "citus 13.2.2 installed into $libdir"

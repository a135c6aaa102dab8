#!/usr/bin/env bash
# Runs the README's test command (`npm test`) as on a machine that lacks nginx, HAProxy, Apache,
# Caddy, gunicorn, uvicorn, tcpdump, tshark/editcap and prometheus: every test needing one of them
# must be skipped with the reason (packages/cli/test/support/binaries.ts), none may fail.
#
# Usage (as root): bash scripts/ci/hidden-programs.sh REPO_DIR [run-tests filters...]
# (it runs itself under `unshare -m` unless already started so).
# With filters it runs `node scripts/run-tests.mjs FILTERS` instead of `npm test`.
#
# How: in a private mount namespace (the mounts vanish with it; the machine is untouched), an empty
# tmpfs over /usr/sbin (/sbin links to it here) and /dev/null bound over each remaining copy on
# PATH. The tests count a program only as a regular executable file, so a masked one is missing.
set -u
repo="${1:?usage: bash scripts/ci/hidden-programs.sh REPO_DIR [filters...]}"
shift
# Never mount in the caller's namespace: that would hide the programs from everyone on the machine.
# Not yet in a namespace of our own (the same one as our parent's): start one and run again there.
self_ns=$(readlink /proc/self/ns/mnt) && parent_ns=$(readlink "/proc/$PPID/ns/mnt") || {
  echo "hidden-programs: cannot read the mount namespaces (needs root)" >&2
  exit 2
}
if [ "$self_ns" = "$parent_ns" ]; then
  [ -z "${KAP_HIDDEN_PROGRAMS_NS:-}" ] || { echo "hidden-programs: unshare -m did not give a new namespace" >&2; exit 2; }
  KAP_HIDDEN_PROGRAMS_NS=1 exec unshare -m bash "$0" "$repo" "$@"
fi
cd "$repo" || exit 2
mount --make-rprivate / || exit 2
mount -t tmpfs tmpfs /usr/sbin || exit 2
programs="nginx haproxy apache2 httpd caddy gunicorn uvicorn tcpdump tshark editcap prometheus"
for b in $programs; do
  IFS=: read -ra dirs <<<"$PATH"
  for d in "${dirs[@]}"; do
    [ -f "$d/$b" ] && mount --bind /dev/null "$d/$b"
  done
done
left=0
for b in $programs; do
  if [ -f "$(command -v "$b" 2>/dev/null)" ]; then echo "$b: still present"; left=1; else echo "$b: hidden"; fi
done
[ "$left" = 0 ] || exit 2
if [ "$#" -gt 0 ]; then
  node scripts/run-tests.mjs "$@"
else
  npm test
fi

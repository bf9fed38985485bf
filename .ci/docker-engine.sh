#!/usr/bin/env bash
# docker-engine.sh start|stop -- a private, throw-away Docker engine for the probe tests.
#
# State lives in $DK (default: $TMPDIR/openclaw-audit-dockerd). `start` prints
# DOCKER_HOST=unix://$DK/docker.sock (and NETNS=<name> when it made one).
#
# dockerd runs inside its own network namespace (only lo), so the default bridge and
# published ports work without touching the host network: a port published on 0.0.0.0 is
# bound inside the namespace only. The unix socket stays reachable from the host.
# If namespaces are unavailable it falls back to the host namespace with --bridge=none
# (then containers cannot publish ports) and prints NETNS=.
# Needs root and the Debian packages docker.io and busybox-static (installed when missing).
set -euo pipefail
DK=${DK:-${TMPDIR:-/tmp}/openclaw-audit-dockerd}
SOCK=unix://$DK/docker.sock
IMAGE=${IMAGE:-openclaw-audit-test/busybox:latest}

d() { docker -H "$SOCK" "$@"; }

case "${1:-}" in
start)
  if ! command -v dockerd >/dev/null || [ ! -x /bin/busybox ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      docker.io busybox-static >/dev/null
  fi
  mkdir -p "$DK"
  NS="scantest-dockerd-$$"
  RUN=()
  BRIDGE=(--bridge=none)
  if ip netns add "$NS" 2>/dev/null; then
    ip -n "$NS" link set lo up
    echo "$NS" >"$DK/netns"
    # nsenter, not `ip netns exec`: the latter remounts /sys and dockerd then misses cgroups.
    RUN=(nsenter "--net=/run/netns/$NS")
    BRIDGE=()
  else
    NS=""
  fi
  # --ip-forward=false: otherwise dockerd flips net.ipv4.ip_forward on.
  "${RUN[@]}" dockerd --data-root "$DK/data" --exec-root "$DK/exec" --pidfile "$DK/dockerd.pid" \
    -H "$SOCK" --storage-driver=vfs --iptables=false --ip6tables=false --ip-forward=false \
    "${BRIDGE[@]}" --shutdown-timeout=2 >"$DK/dockerd.log" 2>&1 &
  echo $! >"$DK/bg.pid"
  for _ in $(seq 1 150); do d version >/dev/null 2>&1 && break; sleep 0.1; done
  d version >/dev/null || { tail -30 "$DK/dockerd.log" >&2; exit 1; }
  # A tiny local image from Debian's static busybox: no registry needed.
  R=$(mktemp -d)
  mkdir -p "$R/bin"
  cp /bin/busybox "$R/bin/"
  for a in sh sleep true; do ln -s busybox "$R/bin/$a"; done
  tar -C "$R" -c . | d import - "$IMAGE" >/dev/null
  rm -rf "$R"
  echo "DOCKER_HOST=$SOCK"
  echo "NETNS=$NS"
  echo "IMAGE=$IMAGE"
  ;;
stop)
  if [ -f "$DK/bg.pid" ]; then
    P=$(cat "$DK/bg.pid")
    # Remove containers first: a PID-1 sleep ignores SIGTERM and would stall the shutdown.
    ids=$(d ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && d rm -f $ids >/dev/null 2>&1 || true
    kill -CONT "$P" 2>/dev/null || true
    kill -TERM "$P" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$P" 2>/dev/null; then kill -KILL "$P" || true; fi
  fi
  if [ -f "$DK/netns" ]; then ip netns del "$(cat "$DK/netns")" 2>/dev/null || true; fi
  rm -rf "$DK"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac

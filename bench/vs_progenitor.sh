#!/usr/bin/env bash
# Every comparison with progenitor 0.15.1, one after the other (README "Compared with
# progenitor"): generation time and memory and compile CPU per operation
# (bench/progenitor.sh), decode throughput and loopback round trips
# (bench/progenitor_runtime.sh), a consumer's clean build and binary size
# (bench/consumer.sh). Each script interleaves its own runs; their environment variables
# pass through (OPS, RUNS, ITEMS, CALLS, ROUNDS, PROGENITOR_ROOT).
#
# Usage: bench/vs_progenitor.sh   (about 40 minutes on 2 cores with the defaults)
set -euo pipefail
cd "$(dirname "$0")"
echo "## Generation and compile cost"
./progenitor.sh
echo
echo "## Decoding and round trips"
./progenitor_runtime.sh 2>/dev/null | grep '^|\|^machine'
echo
echo "## A consumer's first build"
./consumer.sh 2>/dev/null | grep '^|\|^machine'

#!/usr/bin/env bash
# Scale benchmark of the generator (the README's "Scale" table).
#
# For each size in $OPS it writes a synthetic spec (`codegen --example synth_spec`: each
# operation a POST with an 8-field JSON body answering an enveloped list of 15-field items
# with a 5-field nested list), generates it with the release `codegen` binary and reports
# wall time, CPU time (user + sys), peak memory (max RSS, from /usr/bin/time) and lines.
# For each size in $COMPILE_OPS it then measures the debug rebuild of the generated module
# in a scratch crate that depends on the runtime (spec-runtime) alone (median of $RUNS rebuilds after
# touching the module, minus the same for an empty module), per operation.
#
# Usage: bench/scale.sh            (OPS="100 500 2000" COMPILE_OPS="100 500" RUNS=3)
#        CARGO_INCREMENTAL=0 bench/scale.sh   rebuilds compile the module from scratch; by
#        default (cargo's debug default, incremental) a rebuild of the touched, unchanged
#        module reuses rustc's incremental cache, which is cheaper than compiling new code.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
OPS=${OPS:-"100 500 2000"}
COMPILE_OPS=${COMPILE_OPS:-"100 500"}
RUNS=${RUNS:-3}
work=$root/target/bench-scale
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { echo "bench/scale.sh needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

cargo build --release -q -p codegen --bin codegen --example synth_spec
codegen=$root/target/release/codegen
synth=$root/target/release/examples/synth_spec

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| operations | spec | wall | CPU (user+sys) | peak memory | lines | lines per operation |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $OPS; do
  "$synth" "$n" > "$work/synth-$n.yaml"
  mkdir -p "$work/out-$n"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time-$n" \
    "$codegen" generate "$work/synth-$n.yaml" --out "$work/out-$n" 2>/dev/null
  read -r wall user sys rss < "$work/time-$n"
  lines=$(wc -l < "$work/out-$n/synth.rs")
  size=$(du -k "$work/synth-$n.yaml" | cut -f1)
  awk -v n="$n" -v size="$size" -v wall="$wall" -v user="$user" -v sys="$sys" -v rss="$rss" -v lines="$lines" \
    'BEGIN { printf "| %d | %.1f MB | %.2f s | %.2f s | %.0f MB | %d | %.0f |\n", n, size/1024, wall, user+sys, rss/1024, lines, lines/n }'
done

# The scratch crate: the runtime as its only dependency, the workspace's lock file and
# target directory (so dependencies are built once and shared).
crate=$work/crate
mkdir -p "$crate/src"
cat > "$crate/Cargo.toml" <<TOML
[package]
name = "scale-scratch"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
spec-runtime = { path = "$root/runtime" }

[workspace]
TOML
cp "$root/Cargo.lock" "$crate/Cargo.lock"
echo 'pub mod synth { include!("synth.rs"); }' > "$crate/src/lib.rs"
export CARGO_TARGET_DIR=$root/target

# Median debug rebuild of the crate with its current src/synth.rs: "wall cpu" in seconds
# (CPU = user + sys of cargo and rustc; on a shared machine wall time also counts waiting).
rebuild() {
  (cd "$crate" && cargo build -q --offline)  # warm: everything else is built
  for _ in $(seq "$RUNS"); do
    touch "$crate/src/synth.rs"
    (cd "$crate" && /usr/bin/time -f "%e %U %S" -o "$work/rebuild" cargo build -q --offline)
    awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/rebuild"
  done | sort -n -k2 | awk '{ w[NR] = $1; c[NR] = $2 } END { m = int((NR + 1) / 2); print w[m], c[m] }'
}

: > "$crate/src/synth.rs"
read -r base_wall base_cpu < <(rebuild)
echo
echo "debug rebuilds with CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-default (incremental)}"
echo "debug rebuild of an empty module: ${base_wall} s wall, ${base_cpu} s CPU"
echo
echo "| operations | debug rebuild, wall | per operation, wall | debug rebuild, CPU | per operation, CPU |"
echo "|---:|---:|---:|---:|---:|"
for n in $COMPILE_OPS; do
  [ -f "$work/out-$n/synth.rs" ] || { echo "run with $n in OPS first" >&2; exit 1; }
  cp "$work/out-$n/synth.rs" "$crate/src/synth.rs"
  read -r wall cpu < <(rebuild)
  awk -v n="$n" -v w="$wall" -v c="$cpu" -v bw="$base_wall" -v bc="$base_cpu" \
    'BEGIN { printf "| %d | %.1f s | %.1f ms | %.1f s | %.1f ms |\n", n, w, (w-bw)*1000/n, c, (c-bc)*1000/n }'
done

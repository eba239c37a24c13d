#!/usr/bin/env bash
# Side-by-side with progenitor on the same synthetic API (README "Compared with progenitor").
#
# For each size in $OPS: `codegen --example synth_spec N` writes our spec and, with
# `--openapi`, the same API as an OpenAPI document; both generators run $RUNS times,
# interleaved (ours, progenitor, ours, ...), and the medians of wall time and peak memory are
# reported with their ratio. Then each output is compiled in a scratch crate, debug and
# release, from scratch (CARGO_INCREMENTAL=0, dependencies prebuilt, median of $RUNS builds
# after touching the source, interleaved, minus an empty crate with the same dependencies):
# CPU (user + sys) per operation and the ratio. Decode throughput and the loopback round
# trip of our client are in `cargo bench -p generated-client --bench runtime` / `--bench
# loopback`; progenitor's side of those, and the consumer's clean build and binary size, are
# not measured here yet.
#
# cargo-progenitor is installed into a scratch directory, never a dependency of the project:
#   cargo install --locked --root "$PROGENITOR_ROOT" cargo-progenitor --version 0.15.1
#
# Usage: bench/progenitor.sh                  (OPS="100 500" RUNS=3
#                                              PROGENITOR_ROOT=/work/scratch/progenitor)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
OPS=${OPS:-"100 500"}
RUNS=${RUNS:-3}
PROGENITOR_ROOT=${PROGENITOR_ROOT:-/work/scratch/progenitor}
progenitor=$PROGENITOR_ROOT/bin/cargo-progenitor
work=$root/target/bench-progenitor
mkdir -p "$work"
export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=0
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -x "$progenitor" ] || {
  echo "installing cargo-progenitor 0.15.1 into $PROGENITOR_ROOT (5-10 min)" >&2
  cargo install --locked --root "$PROGENITOR_ROOT" cargo-progenitor --version 0.15.1
}

cargo build --release -q -p codegen --bin codegen --example synth_spec
codegen=$root/target/release/codegen
synth=$root/target/release/examples/synth_spec
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## Generation (median of $RUNS, interleaved)"
echo
echo "| operations | ours wall | progenitor wall | ratio | ours peak memory | progenitor peak memory | ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $OPS; do
  "$synth" "$n" > "$work/synth-$n.yaml"
  "$synth" "$n" --openapi > "$work/synth-$n.json"
  : > "$work/gen-ours-$n"; : > "$work/gen-prog-$n"
  for _ in $(seq "$RUNS"); do
    rm -rf "$work/ours-$n" "$work/prog-$n"; mkdir -p "$work/ours-$n"
    /usr/bin/time -f "%e %M" -a -o "$work/gen-ours-$n" \
      "$codegen" generate "$work/synth-$n.yaml" --out "$work/ours-$n" >/dev/null 2>&1
    /usr/bin/time -f "%e %M" -a -o "$work/gen-prog-$n" \
      "$progenitor" progenitor -i "$work/synth-$n.json" -o "$work/prog-$n" -n "synth-prog" -v 0.1.0 \
      --license-name MIT >/dev/null 2>&1
  done
  ow=$(cut -d' ' -f1 "$work/gen-ours-$n" | median); om=$(cut -d' ' -f2 "$work/gen-ours-$n" | median)
  pw=$(cut -d' ' -f1 "$work/gen-prog-$n" | median); pm=$(cut -d' ' -f2 "$work/gen-prog-$n" | median)
  awk -v n="$n" -v ow="$ow" -v pw="$pw" -v om="$om" -v pm="$pm" 'BEGIN {
    printf "| %d | %.2f s | %.2f s | %.2f× | %.0f MB | %.0f MB | %.2f× |\n", n, ow, pw, ow/pw, om/1024, pm/1024, om/pm }'
done

# Scratch crates: ours depends on spec-runtime alone, as a crate with its own spec does (the
# workspace's lock file); the progenitor crate is the one cargo-progenitor writes (its own
# dependencies). Each gets an "empty" twin with the same dependencies, whose build is
# subtracted.
ours=$work/crate-ours
mkdir -p "$ours/src"
cat > "$ours/Cargo.toml" <<TOML
[package]
name = "synth-ours"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
spec-runtime = { path = "$root/runtime" }

[workspace]
TOML
cp "$root/Cargo.lock" "$ours/Cargo.lock"
echo 'pub mod synth { include!("synth.rs"); }' > "$ours/src/lib.rs"

# CPU seconds of one build of $1 (a crate directory) in profile $2 after touching $3.
build_cpu() {
  local dir=$1 profile=$2 file=$3 flag=""
  [ "$profile" = release ] && flag=--release
  touch "$file"
  (cd "$dir" && /usr/bin/time -f "%U %S" -o "$work/build" cargo build -q $flag --target-dir "$work/target-$(basename "$dir")")
  awk '{ printf "%.2f\n", $1 + $2 }' "$work/build"
}

echo
echo "## Compile CPU per operation (from scratch, median of $RUNS, interleaved)"
echo
echo "| operations | profile | ours | progenitor | ratio |"
echo "|---:|---|---:|---:|---:|"
for n in $OPS; do
  prog=$work/prog-$n
  # Its own workspace: it lives under this repository's target directory.
  grep -q '^\[workspace\]' "$prog/Cargo.toml" || printf '\n[workspace]\n' >> "$prog/Cargo.toml"
  for profile in dev release; do
    flag=""; [ "$profile" = release ] && flag=--release
    # Empty modules first (dependencies built, and the baseline for both).
    : > "$ours/src/synth.rs"
    cp "$prog/src/lib.rs" "$work/prog-lib-$n.rs"
    : > "$prog/src/lib.rs"
    (cd "$ours" && cargo build -q $flag --target-dir "$work/target-crate-ours")
    (cd "$prog" && cargo build -q $flag --target-dir "$work/target-prog-$n")
    : > "$work/empty-ours"; : > "$work/empty-prog"
    for _ in $(seq "$RUNS"); do
      build_cpu "$ours" "$profile" "$ours/src/synth.rs" >> "$work/empty-ours"
      build_cpu "$prog" "$profile" "$prog/src/lib.rs" >> "$work/empty-prog"
    done
    cp "$work/ours-$n/synth.rs" "$ours/src/synth.rs"
    cp "$work/prog-lib-$n.rs" "$prog/src/lib.rs"
    : > "$work/full-ours"; : > "$work/full-prog"
    for _ in $(seq "$RUNS"); do
      build_cpu "$ours" "$profile" "$ours/src/synth.rs" >> "$work/full-ours"
      build_cpu "$prog" "$profile" "$prog/src/lib.rs" >> "$work/full-prog"
    done
    eo=$(median < "$work/empty-ours"); ep=$(median < "$work/empty-prog")
    fo=$(median < "$work/full-ours"); fp=$(median < "$work/full-prog")
    awk -v n="$n" -v p="$profile" -v eo="$eo" -v ep="$ep" -v fo="$fo" -v fp="$fp" 'BEGIN {
      o = (fo - eo) * 1000 / n; q = (fp - ep) * 1000 / n
      printf "| %d | %s | %.1f ms | %.1f ms | %.2f× |\n", n, p, o, q, o / q }'
  done
done

#!/usr/bin/env bash
# Build time of a crate with #[differentiate] against the same crate without it
# (issue 21, compile time): the iterator-chain and loop workloads of
# benches/chains.rs and the GMM objective of benches/gradients/gmm.rs, as a user's
# library crate depending on ad-grad by path. Each variant is built once to warm
# the dependencies, then rebuilt `runs` times after touching its source; the
# median rebuild time of each, in the dev and the release profile, and their
# ratio are printed.
#
#   bash benches/compile_time/run.sh [runs]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-5}"
work="$root/target/compile-time"
rm -rf "$work"
mkdir -p "$work"

# The functions, as the benches write them: from the first `#[differentiate]` to
# the benches' own helpers.
functions() {
    sed -n '/^#\[differentiate/,/^\/\/\/ A workload.s name/p' "$root/benches/chains.rs" | sed '$d'
    sed -n '/^fn ln_gamma_half_integer/,/^\/\/\/ A GMM instance in ADBench/p' \
        "$root/benches/gradients/gmm.rs" | sed '$d'
}

make_crate() {
    local name="$1" strip="$2"
    mkdir -p "$work/$name/src"
    cat > "$work/$name/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
ad-grad = { path = "$root" }

[workspace]
TOML
    {
        echo '#![allow(dead_code, clippy::all)]'
        if [ "$strip" = yes ]; then
            functions | sed -E 's/^#\[differentiate[^]]*\]$//'
        else
            echo 'use ad::differentiate;'
            functions
        fi
    } > "$work/$name/src/lib.rs"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

make_crate with_ad no
make_crate without_ad yes
# Both compile, and the attribute is the only difference.
grep -c '#\[differentiate' "$work/with_ad/src/lib.rs" | sed 's/^/#[differentiate] functions: /'
for profile in dev release; do
    flag=""
    [ "$profile" = release ] && flag="--release"
    declare -A times
    for name in with_ad without_ad; do
        (cd "$work/$name" && CARGO_TARGET_DIR="$work/target-$name" cargo build -q $flag)
        samples=""
        for _ in $(seq "$runs"); do
            touch "$work/$name/src/lib.rs"
            start=$(date +%s.%N)
            (cd "$work/$name" && CARGO_TARGET_DIR="$work/target-$name" cargo build -q $flag)
            end=$(date +%s.%N)
            samples="$samples $(echo "$end - $start" | bc -l)"
        done
        times[$name]=$(echo $samples | tr ' ' '\n' | median)
    done
    printf '%s: with #[differentiate] %.2f s, without %.2f s, ratio %.2f\n' "$profile" \
        "${times[with_ad]}" "${times[without_ad]}" \
        "$(echo "${times[with_ad]} / ${times[without_ad]}" | bc -l)"
done

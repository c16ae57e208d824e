#!/usr/bin/env bash
# Instructions per cycle for each case of benches/cycle.rs, under callgrind:
# deterministic, so the ratios hold on a busy machine. Each case runs N1 and
# N2 times; the difference divided by N2-N1 cancels the setup (the runtime,
# the binary's start-up). The Tokio multi-thread cases are left out: their
# worker threads make the count depend on scheduling.
#
# usage: benches/callgrind.sh [N1 N2]     (from the repository root)
#   CYCLE_GROUPS="one/completed eight/panicked" measures only those groups
set -euo pipefail
n1=${1:-1000}
n2=${2:-3000}
cargo bench -p async-with-benches --bench cycle --no-run >/dev/null 2>&1
bin=$(cargo bench -p async-with-benches --bench cycle --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*cycle-[^"]*"' | head -1 | cut -d'"' -f4)

instructions() {
    ASYNC_WITH_COUNT="$1:$2" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-24s %-14s %10s %12s %12s\n' group variant instr/cycle vs_hand vs_raw
groups=${CYCLE_GROUPS:-one/completed one/failed one/panicked three/completed three/failed three/panicked eight/completed eight/failed eight/panicked}
for group in $groups; do
    declare -A per=()
    variants="async_with raw_floor hand_correct scopeguard"
    [[ $group == one/completed || $group == three/completed ]] && variants+=" hand_futures"
    [[ $group == one/completed ]] && variants+=" hand_guard_only"
    for variant in $variants; do
        case="cycle/$group/$variant"
        a=$(instructions "$case" "$n1")
        b=$(instructions "$case" "$n2")
        per[$variant]=$(( (b - a) / (n2 - n1) ))
    done
    for variant in $variants; do
        printf '%-24s %-14s %10d %12s %12s\n' "$group" "$variant" "${per[$variant]}" \
            "$(awk -v x="${per[$variant]}" -v y="${per[hand_correct]}" 'BEGIN{printf "%.3f", x/y}')" \
            "$(awk -v x="${per[$variant]}" -v y="${per[raw_floor]}" 'BEGIN{printf "%.3f", x/y}')"
    done
    unset per
done

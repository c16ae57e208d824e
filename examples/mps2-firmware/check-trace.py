#!/usr/bin/env python3
"""Checks the firmware's LED from outside: reads QEMU's mps2_fpgaio_write
trace (run with `-msg timestamp=on -d trace:mps2_fpgaio_write -D FILE`) and
checks, per scenario the firmware marks in the MISC register:

  0x10  the light comes on, the first snapshot is at least the 100 ms
        settle later, all three snapshots happen with the light on, then
        the light goes off;
  0x20  the light comes on, snapshots run with it on, the 300 ms timer
        cancels the block: the light goes off, no snapshot after that;
  0x30  the light comes on, the 50 ms timer cancels the 1 s settle: the
        light goes off before any snapshot.

The timestamps are the host's; QEMU's virtual clock (the SysTick) follows
it, so a settle measured here may only be longer than asked, never shorter
(a 2 ms allowance covers the trace's own timestamping).

Usage: check-trace.py TRACE_FILE
"""

import re
import sys

LINE = re.compile(
    r"@(\d+\.\d+):mps2_fpgaio_write .*offset 0x([0-9a-f]+) data 0x([0-9a-f]+)"
)
LED0, MISC = 0x0, 0x4C
SETTLE_S = 0.100
ALLOWANCE_S = 0.002


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def events(path):
    out = []
    with open(path) as trace:
        for line in trace:
            m = LINE.search(line)
            if m:
                out.append((float(m[1]), int(m[2], 16), int(m[3], 16)))
    if not out:
        fail(f"no mps2_fpgaio_write events in {path}: did QEMU run with the trace on?")
    return out


def scenarios(evs):
    """Splits the events at the scenario marks (0x10, 0x20, 0x30, 0xff)."""
    found, current = {}, None
    for t, offset, data in evs:
        if offset == MISC and data in (0x10, 0x20, 0x30, 0xFF):
            current = data
            found[current] = []
        elif current is not None:
            found[current].append((t, offset, data))
    return found


def led_writes(evs):
    return [(t, data & 1) for t, offset, data in evs if offset == LED0]


def snapshots(evs):
    return [(t, data) for t, offset, data in evs if offset == MISC]


def check_lit_block(name, evs, want_snapshots):
    leds = led_writes(evs)
    if [level for _, level in leds] != [1, 0]:
        fail(f"{name}: LED writes {[l for _, l in leds]}, want on then off [1, 0]")
    (on, _), (off, _) = leds
    shots = snapshots(evs)
    if not want_snapshots(len(shots)):
        fail(f"{name}: {len(shots)} snapshots")
    for t, mark in shots:
        if not on < t < off:
            fail(f"{name}: snapshot {mark:#x} at {t:.6f} is outside the light ({on:.6f}..{off:.6f})")
    if shots and shots[0][0] - on < SETTLE_S - ALLOWANCE_S:
        fail(f"{name}: first snapshot {1000 * (shots[0][0] - on):.1f} ms after the light came on, before the 100 ms settle")
    print(
        f"ok  {name}: on at +0 ms, {len(shots)} snapshots"
        + (f" from +{1000 * (shots[0][0] - on):.1f} ms" if shots else "")
        + f", off at +{1000 * (off - on):.1f} ms"
    )
    return on, off, shots


def main():
    if len(sys.argv) != 2:
        fail("usage: check-trace.py TRACE_FILE")
    found = scenarios(events(sys.argv[1]))
    for mark in (0x10, 0x20, 0x30, 0xFF):
        if mark not in found:
            fail(f"scenario mark {mark:#x} missing: the firmware did not get that far")

    _, _, shots = check_lit_block("completed block", found[0x10], lambda n: n == 3)
    if [m for _, m in shots] != [0x11, 0x12, 0x13]:
        fail(f"completed block: snapshots {[hex(m) for _, m in shots]}, want 0x11..0x13")

    on, off, _ = check_lit_block("timer cancels the body", found[0x20], lambda n: n >= 1)
    if off - on < 0.300 - ALLOWANCE_S:
        fail(f"timer cancels the body: light off {1000 * (off - on):.1f} ms after on, before the 300 ms timer")

    check_lit_block("timer cancels the settle", found[0x30], lambda n: n == 0)

    if led_writes(found[0xFF]):
        fail("the LED was written after the last block")
    print("ok  the light is off at the end")


if __name__ == "__main__":
    main()

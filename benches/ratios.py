#!/usr/bin/env python3
"""Prints each criterion group's medians as ratios against a baseline of the
same group (same run): `benches/ratios.py [BASELINE...]` after `cargo bench`.
Default baselines: hand_correct and raw_floor for cycle groups,
sysfs_gpio_Pin for the LED writes (shown as writes/s ratios)."""
import glob
import json
import os
import sys

root = os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
for group in sorted(glob.glob(os.path.join(root, "*"))):
    name = os.path.basename(group)
    if name == "report":
        continue
    medians = {}
    for est in glob.glob(os.path.join(group, "*", "new", "estimates.json")):
        variant = est.split(os.sep)[-3]
        with open(est) as f:
            medians[variant] = json.load(f)["median"]["point_estimate"]
    bases = sys.argv[1:] or (["sysfs_gpio_Pin"] if name.startswith("led") else ["hand_correct", "raw_floor"])
    bases = [b for b in bases if b in medians]
    print(f"{name}")
    for variant, ns in sorted(medians.items(), key=lambda kv: kv[1]):
        cols = "".join(f"  vs {b}: {ns / medians[b]:7.3f}" for b in bases)
        if name.startswith("led"):
            cols = "".join(f"  writes/s vs {b}: {medians[b] / ns:7.2f}x" for b in bases)
        print(f"  {variant:<28} {ns:12.1f} ns{cols}")

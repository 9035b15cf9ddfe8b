#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise okvm-bench raw results ("SIDE ROW VALUE" lines).

Prints, per row, the median and min-max of each side and the ratio of
okvm to upstream as a time ratio (lower is better for okvm; for the rows
measured as a rate the rate ratio is inverted so that < 1 still means okvm
is faster), and with --doc replaces the table between the markers in
Documentation/bench.md.
"""
import argparse
import datetime
import os
import statistics
import sys

# row, label, unit, higher_is_better, target ratio (None: none)
ROWS = [
    ("cpuid", "exit: CPUID (in kernel)", "ns", False, 0.9),
    ("pio", "exit: OUT to a port (KVM_EXIT_IO)", "ns", False, 0.9),
    ("mmio", "exit: MMIO write, unbacked GPA (KVM_EXIT_MMIO)", "ns", False, 0.9),
    ("self_ipi", "exit: self-IPI (in-kernel LAPIC)", "ns", False, 0.9),
    ("ipi", "exit: IPI to another vCPU, halted", "ns", False, 0.9),
    ("timer", "exit: LAPIC timer interrupt (1 us one-shot)", "ns", False, 0.9),
    ("ioeventfd", "exit: ioeventfd write (PIO)", "ns", False, 0.9),
    ("irqfd", "exit: irqfd injection (MSI, halted vCPU)", "ns", False, 0.9),
    ("fault_in", "fault-in 1 GiB, NPT", "ms", False, 1.0),
    ("fault_in_shadow", "fault-in 1 GiB, shadow (npt=0)", "ms", False, 1.0),
    ("slot_churn", "memslot create + delete (2 MiB)", "us", False, 1.0),
    ("dirty_log", "dirty-log harvest, 1 GiB, 10 % dirty", "ms", False, 1.0),
    ("boot_npt_1", "Linux boot to init, NPT, 1 vCPU", "s", False, 1.0),
    ("boot_npt_4", "Linux boot to init, NPT, 4 vCPUs", "s", False, 1.0),
    ("boot_shadow_1", "Linux boot to init, shadow, 1 vCPU", "s", False, 1.0),
    ("boot_shadow_4", "Linux boot to init, shadow, 4 vCPUs", "s", False, 1.0),
    ("disk_npt_1", "virtio-blk read in the guest (NPT, 1 vCPU)", "MB/s", True, 1.0),
    ("disk_npt_4", "virtio-blk read in the guest (NPT, 4 vCPUs)", "MB/s", True, 1.0),
    ("disk_shadow_1", "virtio-blk read in the guest (shadow, 1 vCPU)", "MB/s", True, 1.0),
    ("disk_shadow_4", "virtio-blk read in the guest (shadow, 4 vCPUs)", "MB/s", True, 1.0),
    ("module_text", "module text (size), kvm + kvm-amd", "KiB", False, 0.25),
    ("floor", "world-switch floor (in-module loop)", "ns", False, 1.0),
]

BEGIN = "<!-- bench-table-begin -->"
END = "<!-- bench-table-end -->"


def load(path):
    data = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) != 3 or w[0] not in ("ours", "upstream"):
                continue
            try:
                data.setdefault(w[1], {}).setdefault(w[0], []).append(float(w[2]))
            except ValueError:
                pass
    return data


def fmt(v):
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def cell(vals):
    if not vals:
        return "n/a"
    med = statistics.median(vals)
    if len(vals) == 1:
        return "%s (n=1)" % fmt(med)
    return "%s (%s-%s, n=%d)" % (fmt(med), fmt(min(vals)), fmt(max(vals)), len(vals))


def ratio(row, higher, sides):
    ours, up = sides.get("ours"), sides.get("upstream")
    if not ours or not up:
        return None
    o, u = statistics.median(ours), statistics.median(up)
    if o <= 0 or u <= 0:
        return None
    return u / o if higher else o / u


def table(data):
    head = ["row", "unit", "okvm median (min-max)", "upstream median (min-max)",
            "ratio", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row, label, unit, higher, target in ROWS:
        sides = data.get(row, {})
        r = ratio(row, higher, sides)
        met = "n/a" if r is None or target is None else ("yes" if r <= target else "NO")
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, unit, cell(sides.get("ours")), cell(sides.get("upstream")),
            "n/a" if r is None else "%.2f" % r,
            "-" if target is None else "<= %.2f" % target, met))
    return lines


def write_doc(path, lines, commit):
    with open(path) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit("summarize: no table markers in %s" % path)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        load1 = os.getloadavg()[0]
    except OSError:
        load1 = -1
    block = [BEGIN, "",
             "Run of %s, commit `%s`, host load average %.1f at the end." %
             (now, commit, load1), ""] + lines + ["", END]
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w") as f:
        f.write(head + "\n".join(block) + tail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--doc")
    ap.add_argument("--commit", default="?")
    a = ap.parse_args()
    lines = table(load(a.raw))
    print("\n".join(lines))
    if a.doc:
        write_doc(a.doc, lines, a.commit)


if __name__ == "__main__":
    main()

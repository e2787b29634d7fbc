#!/usr/bin/env python3
"""Time whole commands fairly on a noisy machine.

    timing.py RUNS NAME -- CMD... [-- NAME -- CMD...]...

Runs every command RUNS times, alternating between them (round 1 runs each
once, then round 2, ...) so that a slow spell of the machine hits all of
them alike. Prints one line per command:

    NAME  median_wall_s  min_wall_s  median_cpu_s

CPU is user + system time of the command and its children (getrusage), to
the microsecond. Wall time is time.perf_counter() around the run, so it
includes the fork and exec that any shell would also pay.

Before each run, untimed, os.sync() writes out what earlier runs wrote, so
that no command pays for the writeback of another's output. Without it the
command run right after `sox -D` (which leaves 3.6 MB to write) was the
slowest of three copies of one binary: 0.0314 s against 0.0253 s, medians
of 41 rounds; with it, 0.0285, 0.0278 and 0.0279 s.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def parse(argv):
    runs = int(argv[0])
    cmds, i = [], 1
    while i < len(argv):
        name = argv[i]
        if argv[i + 1] != "--":
            raise SystemExit("usage: timing.py RUNS NAME -- CMD... [-- NAME -- CMD...]")
        j = i + 2
        cmd = []
        while j < len(argv) and argv[j] != "--":
            cmd.append(argv[j])
            j += 1
        cmds.append((name, cmd))
        i = j + 1
    return runs, cmds


def main():
    runs, cmds = parse(sys.argv[1:])
    walls = {name: [] for name, _ in cmds}
    cpus = {name: [] for name, _ in cmds}
    for _ in range(runs):
        for name, cmd in cmds:
            os.sync()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            walls[name].append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    for name, _ in cmds:
        print(
            f"{name} {statistics.median(walls[name]):.4f} {min(walls[name]):.4f} "
            f"{statistics.median(cpus[name]):.4f}"
        )


if __name__ == "__main__":
    main()

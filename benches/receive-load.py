#!/usr/bin/env python3
"""Load, crash and flood a push receiver; Python standard library only.

    python3 benches/receive-load.py --jsonl /tmp/pushes.jsonl -- \\
        target/release/voxprep receive --listen 127.0.0.1:{port} \\
        --format json --out /tmp/pushes.jsonl

    python3 benches/receive-load.py --sqlite /tmp/ledger.db --table pushes -- \\
        target/release/voxprep receive --listen 127.0.0.1:{port} --ledger /tmp/ledger.db

The receiver's command line follows `--`; `{port}` in it is replaced by a
free port. What it stored is counted from the JSON Lines file (`--jsonl`,
one object per status with a `key`) or from an SQLite table (`--sqlite`,
`--table`, `--key-column`). The output is deleted before each phase.

Phases (each can be left out):
1. load: `--pushes` status pushes (one status each, a unique key) from
   `--clients` threads, one connection per push; every push must get 200;
   then SIGTERM. Stored: 0 lost, 0 doubled. Throughput and the receiver's
   peak memory (VmHWM) are printed.
2. kill: `--kill-trials` times, the clients push until the receiver is
   killed with SIGKILL at a random moment; then the receiver is started
   again on the same output (it must repair what a kill left) and stopped.
   Every push that got a 2xx must be stored, and none twice.
3. flood: `--idle` idle connections from 127.0.0.2 (Linux loopback) with
   `--allow 127.0.0.1` added to the command; `--flood-pushes` pushes from
   127.0.0.1 must each get 200 within 1 s. Then `--idle-allowed` idle
   connections from 127.0.0.1: how long until a push (retried every 100 ms
   on 503) gets 200.

Exit status 0 when every check held, 1 otherwise.
"""

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

PHONE = "13800138000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """The receiver's process, started from the command template."""

    def __init__(self, template, extra=()):
        self.port = free_port()
        cmd = [a.replace("{port}", str(self.port)) for a in template] + list(extra)
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the receiver exited: {self.proc.returncode}: {cmd}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the receiver did not start listening")

    def peak_kib(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def push(port, key, source=None, timeout=10):
    """One status push; the HTTP status (0 when the connection failed)."""
    body = f"args={key},{PHONE},0;".encode()
    request = (
        b"POST /qxt/status HTTP/1.1\r\nHost: partner\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    try:
        with socket.socket() as s:
            s.settimeout(timeout)
            if source:
                s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(request)
            answer = b""
            while b"\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0
    except (OSError, ValueError, IndexError):
        return 0


def stored_keys(args):
    """Key -> times stored; and the number of unreadable lines."""
    counts, bad = {}, 0
    if args.sqlite:
        if not os.path.exists(args.sqlite):
            return counts, bad
        db = sqlite3.connect(args.sqlite)
        try:
            total = db.execute(f'SELECT count(*) FROM "{args.table}"').fetchone()[0]
            rows = db.execute(f'SELECT "{args.key_column}" FROM "{args.table}"')
            for (key,) in rows:
                counts[key] = counts.get(key, 0) + 1
            assert total == sum(counts.values())
        finally:
            db.close()
        return counts, bad
    if not os.path.exists(args.jsonl):
        return counts, bad
    with open(args.jsonl, "rb") as f:
        for line in f:
            try:
                key = json.loads(line)["key"]
            except (ValueError, KeyError):
                bad += 1
                continue
            counts[key] = counts.get(key, 0) + 1
    return counts, bad


def clear(args):
    paths = [args.sqlite, args.sqlite + "-wal", args.sqlite + "-shm"] if args.sqlite else [args.jsonl]
    for p in paths:
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def load(args, ok):
    clear(args)
    rx = Receiver(args.command)
    per = args.pushes // args.clients
    statuses = {}
    lock = threading.Lock()

    def client(c):
        mine = {}
        for i in range(per):
            key = f"L{c}x{i}"
            mine[key] = push(rx.port, key)
        with lock:
            statuses.update(mine)

    started = time.time()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.time() - started
    peak = rx.peak_kib()
    code = rx.stop()
    counts, bad = stored_keys(args)
    acked = [k for k, s in statuses.items() if s == 200]
    lost = sum(1 for k in acked if k not in counts)
    doubled = sum(1 for n in counts.values() if n > 1)
    print(
        f"load: {len(statuses)} pushes from {args.clients} clients in {took:.2f} s "
        f"= {len(acked) / took:.0f} pushes/s; 200: {len(acked)}; stored: "
        f"{sum(counts.values())}; lost {lost}, doubled {doubled}, unreadable {bad}; "
        f"peak RSS {peak} KiB; exit {code}"
    )
    ok &= len(acked) == len(statuses) and lost == 0 and doubled == 0 and bad == 0
    return ok


def kill_trials(args, ok):
    clear(args)
    all_acked = set()
    for trial in range(args.kill_trials):
        rx = Receiver(args.command)
        stop = threading.Event()
        acked, lock = [], threading.Lock()

        def client(c):
            i = 0
            while not stop.is_set():
                key = f"K{trial}c{c}x{i}"
                i += 1
                if 200 <= push(rx.port, key, timeout=5) < 300:
                    with lock:
                        acked.append(key)

        threads = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.2, 1.5))
        rx.kill()
        stop.set()
        for t in threads:
            t.join()
        all_acked.update(acked)
        counts, bad = stored_keys(args)
        missing = [k for k in acked if k not in counts]
        print(
            f"kill {trial + 1}: {len(acked)} answered 2xx before SIGKILL; "
            f"missing {len(missing)}; unreadable lines {bad} (a line cut by the kill is "
            f"repaired at the next start)"
        )
        ok &= not missing
    # One more start repairs what the last kill left; then count everything.
    rx = Receiver(args.command)
    rx.stop()
    counts, bad = stored_keys(args)
    missing = [k for k in all_acked if k not in counts]
    doubled = sum(1 for n in counts.values() if n > 1)
    print(
        f"kill: {len(all_acked)} acknowledged over {args.kill_trials} trials; after a "
        f"restart: missing {len(missing)}, doubled {doubled}, unreadable {bad}"
    )
    return ok and not missing and doubled == 0 and bad == 0


def flood(args, ok):
    clear(args)
    rx = Receiver(args.command, ["--allow", "127.0.0.1"])
    if args.idle and args.flood_pushes:
        ok &= flood_disallowed(args, rx)
    if args.idle_allowed:
        flood_allowed(args, rx)
    rx.stop()
    return ok


def flood_disallowed(args, rx):
    idle = []
    try:
        for _ in range(args.idle):
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.settimeout(5)
            try:
                s.connect(("127.0.0.1", rx.port))
            except OSError:
                pass
            idle.append(s)
        times, bad = [], 0
        for i in range(args.flood_pushes):
            started = time.time()
            status = push(rx.port, f"F{i}", timeout=5)
            took = time.time() - started
            times.append(took)
            bad += status != 200 or took >= 1.0
        times.sort()
        print(
            f"flood: {len(idle)} idle connections from 127.0.0.2; {args.flood_pushes} "
            f"pushes from 127.0.0.1: p50 {times[len(times) // 2] * 1000:.1f} ms, max "
            f"{times[-1] * 1000:.1f} ms, not 200 within 1 s: {bad}; peak RSS "
            f"{rx.peak_kib()} KiB"
        )
        return bad == 0
    finally:
        for s in idle:
            s.close()


def flood_allowed(args, rx):
    idle = []
    try:
        for _ in range(args.idle_allowed):
            idle.append(socket.create_connection(("127.0.0.1", rx.port), timeout=5))
        started, busy = time.time(), 0
        while time.time() - started < 120:
            if push(rx.port, f"A{busy}", timeout=30) == 200:
                break
            busy += 1
            time.sleep(0.1)
        print(
            f"flood: {len(idle)} idle connections from 127.0.0.1 (allowed): a push "
            f"retried every 100 ms got 200 after {time.time() - started:.2f} s ({busy} "
            f"answers 503 or failed first; the header timeout closes idle connections)"
        )
    finally:
        for s in idle:
            s.close()


def main():
    # `| head` ends the report quietly.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--jsonl", help="the JSON Lines output to count")
    p.add_argument("--sqlite", help="an SQLite database to count instead")
    p.add_argument("--table", default="pushes", help="its table (%(default)s)")
    p.add_argument("--key-column", default="key", help="the table's key column (%(default)s)")
    p.add_argument("--pushes", type=int, default=10_000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--kill-trials", type=int, default=5)
    p.add_argument("--idle", type=int, default=1000)
    p.add_argument("--flood-pushes", type=int, default=50)
    p.add_argument("--idle-allowed", type=int, default=100)
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- the receiver's command line")
    args = p.parse_args()
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command or (args.jsonl is None) == (args.sqlite is None):
        p.error("give --jsonl FILE or --sqlite DB, then -- and the receiver's command")
    ok = True
    if args.pushes:
        ok = load(args, ok)
    if args.kill_trials:
        ok = kill_trials(args, ok)
    if args.idle or args.idle_allowed:
        ok = flood(args, ok)
    print("all checks held" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

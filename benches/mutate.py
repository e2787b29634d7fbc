#!/usr/bin/env python3
"""The mutation run of benches/mutate.sh: mutate the fixtures N times, run
voxprep check and convert on the mutants under a memory limit and a
timeout, count what went wrong.

Usage: mutate.py N BIN OUT [SEED]

WAV fixtures get bit flips, byte runs, truncations, the RIFF or a chunk size
set to 0 / huge / 0xFFFFFFFF / off by one, a duplicated chunk, two chunks
swapped, or two of these; every other input bit flips, byte runs and
truncations. The mutants keep their fixture's extension (the extension
picks check's rules and convert's reader) and are written in folders of
BATCH files under OUT/inputs/. For each folder: `check --format json` and
`convert --format json` to WAV and to VOX on the whole folder; for every
SINGLE_EVERY-th file also `check --format json FILE` and `convert` to
FILE.wav and FILE.vox, one process each. Each run is limited by
`prlimit --as=536870912` (512 MiB of address space) and `timeout`
(BATCH_TIMEOUT s a folder, SINGLE_TIMEOUT s a file, then KILL 5 s later).

Counted: panics (exit 101, or "panicked" on stderr), hangs (the timeout
hit), aborts (killed by a signal: an allocation over the limit aborts),
invalid JSON (stdout not one JSON document). A failing run's inputs are
copied to OUT/failures/ with a .txt of its command, status and stderr.
"""
import json
import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import time

BATCH = 100
SINGLE_EVERY = 10
BATCH_TIMEOUT = 300
SINGLE_TIMEOUT = 60
LIMIT = ["prlimit", "--as=536870912"]
SKIP_EXT = {".py", ".sh", ".c", ".md", ".txt", ".json", ".csv", ".pcm"}
MAX_SOURCE = 256 * 1024


def sources():
    out = []
    for root, _, names in os.walk("fixtures"):
        for n in sorted(names):
            p = os.path.join(root, n)
            ext = os.path.splitext(n)[1].lower()
            if ext and ext not in SKIP_EXT and os.path.getsize(p) <= MAX_SOURCE:
                out.append(p)
    return sorted(out)


def chunks(b):
    """(offset, id, size) of the chunks after a RIFF/WAVE header."""
    out = []
    pos = 12
    while pos + 8 <= len(b) and len(out) < 64:
        cid = b[pos:pos + 4]
        (size,) = struct.unpack_from("<I", b, pos + 4)
        out.append((pos, cid, size))
        pos += 8 + size + (size & 1)
    return out


def bitflip(r, b):
    b = bytearray(b)
    for _ in range(r.randint(1, 16)):
        if b:
            i = r.randrange(len(b))
            b[i] ^= 1 << r.randrange(8)
    return bytes(b), "bitflip"


def byterun(r, b):
    b = bytearray(b)
    if not b:
        return bytes(b), "byterun"
    i = r.randrange(len(b))
    n = r.randint(1, 256)
    v = r.choice([0, 0xFF, 0x7F, 0x80, r.randrange(256)])
    b[i:i + n] = bytes([v]) * min(n, len(b) - i)
    return bytes(b), "byterun"


def truncate(r, b):
    cut = r.choice([r.randrange(len(b) + 1), r.randrange(min(len(b), 64) + 1)])
    return b[:cut], "truncate"


def size_value(r, old, file_len):
    return r.choice([0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, file_len * 2 + 12345,
                     (old + 1) & 0xFFFFFFFF, max(old - 1, 0), r.randrange(1 << 32)])


def riff_size(r, b):
    if len(b) < 8:
        return bitflip(r, b)
    b = bytearray(b)
    (old,) = struct.unpack_from("<I", b, 4)
    struct.pack_into("<I", b, 4, size_value(r, old, len(b)))
    return bytes(b), "riff-size"


def chunk_size(r, b):
    cs = chunks(b)
    if not cs:
        return riff_size(r, b)
    pos, cid, size = r.choice(cs)
    b = bytearray(b)
    struct.pack_into("<I", b, pos + 4, size_value(r, size, len(b)))
    name = "".join(c for c in cid.decode("latin-1") if c.isalnum())
    return bytes(b), "chunk-size-" + (name or "x")


def whole_chunks(b):
    return [(p, s) for p, _, s in chunks(b) if p + 8 + s + (s & 1) <= len(b)]


def dup_chunk(r, b):
    cs = whole_chunks(b)
    if not cs:
        return truncate(r, b)
    pos, size = r.choice(cs)
    end = pos + 8 + size + (size & 1)
    at = r.choice([pos, end, len(b)])
    out = b[:at] + b[pos:end] + b[at:]
    if r.random() < 0.5:
        out = out[:4] + struct.pack("<I", len(out) - 8) + out[8:]
    return out, "dup-chunk"


def swap_chunks(r, b):
    cs = whole_chunks(b)
    if len(cs) < 2:
        return dup_chunk(r, b)
    i, j = sorted(r.sample(range(len(cs)), 2))
    parts = []
    for p, s in cs:
        parts.append(b[p:p + 8 + s + (s & 1)])
    parts[i], parts[j] = parts[j], parts[i]
    end = cs[-1][0] + 8 + cs[-1][1] + (cs[-1][1] & 1)
    return b[:12] + b"".join(parts) + b[end:], "swap-chunks"


WAV_OPS = [bitflip, byterun, truncate, riff_size, chunk_size, chunk_size, dup_chunk, swap_chunks]
OTHER_OPS = [bitflip, bitflip, byterun, truncate]


def mutate(r, b):
    is_wav = b[:4] == b"RIFF" and b[8:12] == b"WAVE"
    ops = WAV_OPS if is_wav else OTHER_OPS
    names = []
    for _ in range(r.choice([1, 1, 1, 2])):
        b, name = r.choice(ops)(r, b)
        names.append(name)
    return b, "+".join(names)


class Tally:
    def __init__(self, out):
        self.out = out
        self.runs = 0
        self.counts = {"panic": 0, "hang": 0, "abort": 0, "invalid-json": 0}
        self.peak_kib = 0
        self.peak_run = ""
        os.makedirs(os.path.join(out, "failures"), exist_ok=True)

    def run(self, args, timeout, inputs):
        self.runs += 1
        cmd = LIMIT + ["timeout", "-k", "5", str(timeout)] + args
        start = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, env=ENV)
        took = time.monotonic() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if peak > self.peak_kib:
            self.peak_kib, self.peak_run = peak, " ".join(args)
        kinds = []
        rc = p.returncode
        if rc == 101 or b"panicked" in p.stderr:
            kinds.append("panic")
        if rc == 124 or (rc == 137 and took >= timeout):
            kinds.append("hang")
        elif rc < 0 or rc >= 128:
            kinds.append("abort")
        if "--format" in args and not kinds:
            try:
                json.loads(p.stdout)
            except ValueError:
                kinds.append("invalid-json")
        for k in kinds:
            self.counts[k] += 1
            self.keep(k, cmd, p, inputs)
        return kinds

    def keep(self, kind, cmd, p, inputs):
        d = os.path.join(self.out, "failures")
        n = sum(self.counts.values())
        for src in inputs:
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(d, f"{n:04d}-{kind}-{os.path.basename(src)}"),
                                dirs_exist_ok=True)
            else:
                shutil.copy(src, os.path.join(d, f"{n:04d}-{kind}-{os.path.basename(src)}"))
        with open(os.path.join(d, f"{n:04d}-{kind}.txt"), "w") as f:
            f.write(" ".join(cmd) + f"\nexit {p.returncode}\n")
            f.write(p.stderr.decode("utf-8", "replace")[-20000:])


ENV = dict(os.environ, RAYON_NUM_THREADS="1", NO_COLOR="1")


def main():
    n = int(sys.argv[1])
    binary = os.path.abspath(sys.argv[2])
    out = sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20261206
    r = random.Random(seed)
    src = sources()
    data = {p: open(p, "rb").read() for p in src}
    inputs = os.path.join(out, "inputs")
    shutil.rmtree(inputs, ignore_errors=True)
    shutil.rmtree(os.path.join(out, "failures"), ignore_errors=True)
    tally = Tally(out)
    made = 0
    ops = {}
    started = time.monotonic()
    for batch in range((n + BATCH - 1) // BATCH):
        folder = os.path.join(inputs, f"batch-{batch:04d}")
        os.makedirs(folder)
        singles = []
        for i in range(batch * BATCH, min(n, (batch + 1) * BATCH)):
            s = r.choice(src)
            b, op = mutate(r, data[s])
            first = op.split("+")[0]
            first = "chunk-size" if first.startswith("chunk-size") else first
            ops[first] = ops.get(first, 0) + 1
            stem, ext = os.path.splitext(os.path.basename(s))
            path = os.path.join(folder, f"m{i:06d}-{op}-{stem}{ext}")
            with open(path, "wb") as f:
                f.write(b)
            made += 1
            if i % SINGLE_EVERY == 0:
                singles.append(path)
        conv = os.path.join(out, "converted")
        tally.run([binary, "check", "--format", "json", folder], BATCH_TIMEOUT, [folder])
        for to in ["wav", "vox"]:
            shutil.rmtree(conv, ignore_errors=True)
            tally.run([binary, "convert", "--format", "json", "--to", to, "--prefer-lossless",
                       "-o", conv + "/", folder], BATCH_TIMEOUT, [folder])
        for path in singles:
            tally.run([binary, "check", "--format", "json", path], SINGLE_TIMEOUT, [path])
            for to in ["wav", "vox"]:
                shutil.rmtree(conv, ignore_errors=True)
                os.makedirs(conv)
                tally.run([binary, "convert", "--format", "json", "-o",
                           os.path.join(conv, "out." + to), path], SINGLE_TIMEOUT, [path])
        shutil.rmtree(folder)
        print(f"batch {batch}: {made} files, {tally.runs} runs, {tally.counts}, "
              f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(f"sources: {len(src)} fixtures; seed {seed}")
    print(f"mutations (first operation): {dict(sorted(ops.items()))}")
    print(f"files: {made}  runs: {tally.runs}  time: {time.monotonic() - started:.0f} s")
    print(f"peak RSS of one run: {tally.peak_kib / 1024:.1f} MiB ({tally.peak_run})")
    for k, v in tally.counts.items():
        print(f"{k}: {v}")
    sys.exit(1 if any(tally.counts.values()) else 0)


if __name__ == "__main__":
    main()

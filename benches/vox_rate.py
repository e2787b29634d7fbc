"""Figures of the `vox-rate-suspect` detector from `voxprep check --format json`
runs written by benches/vox-rate.sh (one JSON per folder, named
SET-MIX.json; a file's label is its name's prefix, `8k-` or `6k-`).

    python3 benches/vox_rate.py JSON_DIR

Prints, per source set and folder: files, files with a verdict (enough
voiced speech), hits (6 kHz files flagged) and false alarms (8 kHz files
flagged). Then two studies on the figures of the all-8k and all-6k runs:
- batch size: random batches of n-1 8 kHz prompts and one 6 kHz prompt of
  the same set, scored as spec::vox_rate_scores scores them (the same
  formula, re-done here), and batches of n 8 kHz prompts for false alarms;
- absolute pitch: what a one-file rule "median F0 >= T Hz" would catch.
"""

import glob
import json
import math
import os
import random
import statistics
import sys

SCORE = 0.144
MIN_VOICED = 50
MIN_BATCH = 5
CODE = "vox-rate-suspect"


def load(path):
    with open(path) as f:
        doc = json.load(f)
    rows = []
    for r in doc["files"]:
        name = os.path.basename(r["path"])
        label = name.split("-", 1)[0]
        flagged = any(p["code"] == CODE for p in r["problems"])
        v = r.get("voice") or {}
        rows.append((label, flagged, v))
    return rows


def counts(v):
    if (v.get("voiced_frames") or 0) >= MIN_VOICED and v.get("f0_hz") and v.get("brightness_hz"):
        return (v["f0_hz"], v["brightness_hz"])
    return None


def scores(batch):
    """spec::vox_rate_scores: ln(F0 / the batch's median F0); None below
    MIN_BATCH counted files."""
    counted = [counts(v) for v in batch]
    ok = [c for c in counted if c]
    if len(ok) < MIN_BATCH:
        return [None] * len(batch)
    mf = statistics.median(c[0] for c in ok)
    mc = statistics.median(c[1] for c in ok)
    return [
        None if c is None else math.log(c[0] / mf)
        for c in counted
    ]


def pct(a, b):
    return f"{a}/{b} ({100 * a / b:.1f}%)" if b else "0/0"


def main(d):
    runs = {}
    for path in sorted(glob.glob(os.path.join(d, "*.json"))):
        name = os.path.basename(path)[:-5]
        mix = next(m for m in ("all-8k", "all-6k", "mix10", "one6k") if name.endswith("-" + m))
        runs[(name[: -len(mix) - 1], mix)] = load(path)

    print("== voxprep check on each folder (one run = one batch)")
    print(f"{'set':24} {'folder':7} {'files':>5} {'judged':>6}  {'hits (6k flagged)':>20}  {'of judged 6k':>18}  {'false alarms (8k flagged)':>24}")
    totals = {}
    for (s, mix), rows in sorted(runs.items()):
        six = [r for r in rows if r[0] == "6k"]
        eight = [r for r in rows if r[0] == "8k"]
        judged = sum(1 for r in rows if counts(r[2]))
        hits = sum(1 for r in six if r[1])
        fas = sum(1 for r in eight if r[1])
        six_judged = sum(1 for r in six if counts(r[2]))
        print(f"{s:24} {mix:7} {len(rows):5} {judged:6}  {pct(hits, len(six)):>20}  {pct(hits, six_judged):>18}  {pct(fas, len(eight)):>24}")
        fam = "espeak" if s.startswith("espeak") else s
        t = totals.setdefault((fam, mix), [0, 0, 0, 0, 0])
        t[4] += six_judged
        t[0] += hits
        t[1] += len(six)
        t[2] += fas
        t[3] += len(eight)
    print()
    print("== totals by family")
    for (fam, mix), t in sorted(totals.items()):
        print(f"{fam:10} {mix:7} hits {pct(t[0], t[1]):>18} (of judged {pct(t[0], t[4]):>18})  false alarms {pct(t[2], t[3]):>18}")

    # Batch-size study.
    rng = random.Random(16)
    print()
    print("== batch size: n-1 prompts at 8 kHz + 1 at 6 kHz, 2000 random batches per set and n")
    print("   (hit: the 6 kHz prompt flagged; false alarm: an 8 kHz prompt flagged;")
    print(f"   here every batch is judged, MIN_BATCH set aside; score >= {SCORE})")
    sets = sorted({s for (s, _) in runs})
    fams = sorted({("espeak" if s.startswith("espeak") else s) for s in sets})
    global MIN_BATCH
    saved = MIN_BATCH
    MIN_BATCH = 1
    for fam in fams:
        members = [s for s in sets if (s.startswith("espeak") if fam == "espeak" else s == fam)]
        for n in (2, 3, 4, 5, 6, 8, 10, 20):
            hit = tried = fa = eights = 0
            for s in members:
                e8 = [r[2] for r in runs.get((s, "all-8k"), []) if counts(r[2])]
                e6 = [r[2] for r in runs.get((s, "all-6k"), []) if counts(r[2])]
                if len(e8) < n - 1 or not e6:
                    continue
                for _ in range(2000 // len(members)):
                    batch = rng.sample(e8, n - 1) + [rng.choice(e6)]
                    sc = scores(batch)
                    tried += 1
                    hit += sc[-1] >= SCORE
                    fa += sum(x >= SCORE for x in sc[:-1])
                    eights += n - 1
            fa8 = fas8 = 0
            for s in members:
                e8 = [r[2] for r in runs.get((s, "all-8k"), []) if counts(r[2])]
                if len(e8) < n:
                    continue
                for _ in range(2000 // len(members)):
                    sc = scores(rng.sample(e8, n))
                    fa8 += sum(x >= SCORE for x in sc)
                    fas8 += n
            print(f"{fam:10} n={n:2}: hits {pct(hit, tried):>20}  false alarms {pct(fa, eights):>20}"
                  f"  (all-8k batches: {pct(fa8, fas8)})")
    MIN_BATCH = saved

    # Absolute pitch: one file alone.
    print()
    print("== one file alone: median F0 >= T Hz (files with enough voiced speech)")
    for fam in fams:
        f8, f6 = [], []
        for (s, mix), rows in runs.items():
            if ("espeak" if s.startswith("espeak") else s) != fam or mix not in ("all-8k", "all-6k"):
                continue
            for label, _, v in rows:
                c = counts(v)
                if c:
                    (f8 if mix == "all-8k" else f6).append(c[0])
        if not f8 or not f6:
            continue
        q = lambda v, p: sorted(v)[int(p * (len(v) - 1))]
        print(f"{fam:10} F0 at 8 kHz: median {statistics.median(f8):.0f} Hz (5-95%: {q(f8, .05):.0f}-{q(f8, .95):.0f});"
              f" as 6 kHz played at 8: median {statistics.median(f6):.0f} Hz ({q(f6, .05):.0f}-{q(f6, .95):.0f})")
        for t in (200, 250, 300):
            print(f"{'':10} T={t}: hits {pct(sum(x >= t for x in f6), len(f6)):>18}"
                  f"  false alarms {pct(sum(x >= t for x in f8), len(f8)):>18}")


def voices(path):
    """Several voices in one folder: flags per voice (all at 8 kHz)."""
    if not os.path.exists(path):
        return
    print()
    print("== several voices in one folder (all 8 kHz): files flagged per voice")
    flagged, files = {}, {}
    with open(path) as f:
        doc = json.load(f)
    for r in doc["files"]:
        voice = os.path.basename(r["path"]).split("-", 1)[1].rsplit("-", 1)[0]
        files[voice] = files.get(voice, 0) + 1
        hit = any(p["code"] == CODE for p in r["problems"])
        flagged[voice] = flagged.get(voice, 0) + hit
        f0 = (r.get("voice") or {}).get("f0_hz")
        if f0:
            files.setdefault(voice + " f0", []).append(f0)
    for voice in sorted(k for k in files if not k.endswith(" f0")):
        f0s = files.get(voice + " f0", [])
        med = statistics.median(f0s) if f0s else float("nan")
        print(f"{voice:24} median F0 {med:5.0f} Hz  flagged {pct(flagged[voice], files[voice])}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "json")
    if len(sys.argv) > 2:
        voices(sys.argv[2])

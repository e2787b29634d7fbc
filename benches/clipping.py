#!/usr/bin/env python3
"""Calibration of the `clipping` warning: detection rate against the share of
samples clipped, and false alarms on clean professional prompts.

    python3 benches/clipping.py [WORKDIR]     (default benches/out/clipping)

Speech sources:
  - espeak-ng: 5 voices x 8 sentences, made at 22050 Hz and resampled by sox
    to 16000, 44100 and 48000 Hz (four source rates);
  - Debian's asterisk-core-sounds-en-g722 (real speech, 16 kHz), the first 40
    prompts, decoded with ffmpeg.
Each source is clipped by sox `gain N` (N = 0, 3, 6, 10, 15, 20, 25, 30 dB;
sox clips at the gain) and resampled to 8000 Hz three ways: dithered (sox's
default), `-D` (no dither), and dithered then turned down 6 dB (`gain N
gain -6`: no rails left, only the pile-up). The share of clipped samples is
counted on the source ("share clipped at source"). The 8000 Hz dithered
files also go through `voxprep convert --loudness -18`; the table shows
whether that conversion warns "input is clipped" and whether the check of
its output still warns `clipping`.

False alarms: Debian's asterisk-core-sounds-en-wav (8 kHz professional
prompts) as shipped, normalised to -0.1 dBFS, through a mu-law round trip,
and through `voxprep convert --loudness -18`.

Needs sox, ffmpeg, espeak-ng, apt-get (download only), dpkg-deb, and a
release build (cargo build --release); VOXPREP_BIN=path runs another build.
Prints the tables; the figures are in docs/detectors-clipping.md.
"""
import array
import concurrent.futures
import glob
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VP = os.environ.get("VOXPREP_BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target"), "release", "voxprep")
GAINS = [0, 3, 6, 10, 15, 20, 25, 30]
VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-us+f3"]
SENTENCES = [
    "Thank you for calling. Please hold while we connect your call.",
    "Your account balance is one hundred and twenty three dollars.",
    "Press one for sales, two for support, or stay on the line.",
    "All of our agents are busy. Your call is important to us.",
    "Please enter your eight digit customer number followed by the hash key.",
    "Our offices are open Monday to Friday from nine to five.",
    "The number you have dialled is not in service. Please check and try again.",
    "Goodbye, and thank you for choosing our service today.",
]
RATES = [16000, 22050, 44100, 48000]
BANDS = ["0", "<0.1%", "0.1-1%", "1-5%", ">=5%"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def pmap(f, items):
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        return list(ex.map(f, items))


def samples(path):
    a = array.array("h")
    a.frombytes(run(["sox", path, "-t", "s16", "-"]).stdout)
    return a


def check(paths):
    """Problem codes and signal figures of each file, by path."""
    out = {}
    for i in range(0, len(paths), 400):
        r = subprocess.run([VP, "check", "--format", "json"] + paths[i:i + 400],
                           capture_output=True, text=True)
        for f in json.loads(r.stdout)["files"]:
            out[f["path"]] = f
    return out


def clipped(report):
    return any(p["code"] == "clipping" for p in report["problems"])


def band(share):
    if share == 0.0:
        return "0"
    for limit, name in [(0.001, "<0.1%"), (0.01, "0.1-1%"), (0.05, "1-5%")]:
        if share < limit:
            return name
    return ">=5%"


def sources(work):
    os.makedirs(f"{work}/src", exist_ok=True)
    jobs = []
    for v in VOICES:
        for k, text in enumerate(SENTENCES):
            base = f"{work}/src/espeak-{v}-{k}"
            jobs.append((base, v, text))

    def make(job):
        base, v, text = job
        if not os.path.exists(f"{base}-22050.wav"):
            run(["espeak-ng", "-v", v, "-w", f"{base}-22050.wav", text])
        for r in RATES:
            if r != 22050 and not os.path.exists(f"{base}-{r}.wav"):
                run(["sox", f"{base}-22050.wav", "-r", str(r), f"{base}-{r}.wav"])
        return [f"{base}-{r}.wav" for r in RATES]

    out = [p for ps in pmap(make, jobs) for p in ps]
    g722 = sorted(glob.glob(f"{work}/g722/**/*.g722", recursive=True))[:40]

    def decode(p):
        dst = f"{work}/src/g722-{os.path.basename(p)[:-5]}-16000.wav"
        if not os.path.exists(dst):
            run(["ffmpeg", "-nostdin", "-v", "error", "-i", p, dst])
        return dst

    return out + pmap(decode, g722)


def debian(work, pkg, kind):
    if not os.path.isdir(f"{work}/{kind}"):
        debs = glob.glob(f"{work}/{pkg}_*.deb")
        if not debs:
            run(["apt-get", "download", pkg], cwd=work)
            debs = glob.glob(f"{work}/{pkg}_*.deb")
        run(["dpkg-deb", "-x", debs[0], f"{work}/{kind}"])


def main():
    work = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else f"{REPO}/benches/out/clipping")
    os.makedirs(work, exist_ok=True)
    debian(work, "asterisk-core-sounds-en-g722", "g722")
    debian(work, "asterisk-core-sounds-en-wav", "wav")
    srcs = sources(work)
    print(f"{len(srcs)} speech sources ({len(srcs) - 40} espeak-ng, 40 G.722 prompts)")

    # Clip, resample, and count the share clipped at the source.
    os.makedirs(f"{work}/clip", exist_ok=True)

    def variants(src):
        x = samples(src)
        name = os.path.basename(src)[:-4]
        rows = []
        for g in GAINS:
            limit = 32767 / 10 ** (g / 20)
            share = sum(1 for v in x if abs(v) >= limit) / len(x) if g else 0.0
            for how, opts, tail in [("dither", [], []), ("-D", ["-D"], []),
                                    ("down6", [], ["gain", "-6"])]:
                dst = f"{work}/clip/{name}-g{g}-{how}.wav"
                if not os.path.exists(dst):
                    run(["sox"] + opts + [src, "-r", "8000", "-b", "16", dst, "gain", str(g)] + tail)
                rows.append((dst, src.rsplit("-", 1)[1][:-4], g, how, share))
        return rows

    rows = [r for rs in pmap(variants, srcs) for r in rs]
    reports = check([r[0] for r in rows])

    # convert --loudness -18 of the dithered files.
    os.makedirs(f"{work}/loud", exist_ok=True)

    def loud(row):
        dst = f"{work}/loud/{os.path.basename(row[0])}"
        r = subprocess.run([VP, "convert", "--format", "json", "--force", "--loudness", "-18",
                            row[0], "-o", dst], capture_output=True, text=True)
        warns = json.loads(r.stdout)["files"][0].get("warnings", [])
        return dst, any(w.startswith("input is clipped") for w in warns)

    dithered = [r for r in rows if r[3] == "dither"]
    converted = dict(zip([r[0] for r in dithered], pmap(loud, dithered)))
    loud_reports = check([d for d, _ in converted.values()])

    def table(title, items):
        """items: (share, detected) pairs."""
        counts = {b: [0, 0] for b in BANDS}
        for share, hit in items:
            c = counts[band(share)]
            c[0] += hit
            c[1] += 1
        cells = [f"{h}/{n} ({100 * h / n:.0f}%)" if n else "-" for h, n in counts.values()]
        print(f"| {title} | " + " | ".join(cells) + " |")

    print("\nDetection by share of samples clipped at the source (detected/files):")
    print("| files at 8000 Hz | " + " | ".join(BANDS) + " |")
    print("|---|" + "---|" * len(BANDS))
    for how in ["dither", "-D", "down6"]:
        for rate in ["16000", "22050", "44100", "48000"]:
            table(f"{rate} Hz, {how}",
                  [(s, clipped(reports[d])) for d, r, g, h, s in rows if h == how and r == rate])
        table(f"all rates, {how}",
              [(s, clipped(reports[d])) for d, r, g, h, s in rows if h == how])
    table("convert --loudness -18: warns input is clipped",
          [(s, converted[d][1]) for d, r, g, h, s in dithered])
    table("convert --loudness -18: output's check warns",
          [(s, clipped(loud_reports[converted[d][0]])) for d, r, g, h, s in dithered])

    def by_rule(items):
        runs = sum(1 for f in items if f["signal"]["clipped_runs"] > 0)
        rails = sum(1 for f in items if f["signal"]["clipped_runs"] == 0
                    and f["signal"]["rail_samples"] >= 3)
        pile = sum(1 for f in items if f["signal"]["clipped_runs"] == 0
                   and f["signal"]["rail_samples"] < 3 and clipped(f))
        return f"runs {runs}, rails {rails}, pile-up only {pile}"

    hits = [reports[d] for d, r, g, h, s in rows if s > 0 and clipped(reports[d])]
    print(f"\nclipped files detected, by the first rule that fired: {by_rule(hits)}")
    clean = [reports[d] for d, r, g, h, s in rows if g == 0]
    print(f"unclipped speech (gain 0): {sum(map(clipped, clean))} false alarms of {len(clean)}; "
          f"highest pile-up score {max(f['signal']['peak_pileup'] or 0 for f in clean):.2f}")

    # False alarms on the Asterisk prompts.
    prompts = sorted(glob.glob(f"{work}/wav/**/*.wav", recursive=True))
    os.makedirs(f"{work}/fa", exist_ok=True)

    def variants_fa(p):
        b = f"{work}/fa/{os.path.basename(os.path.dirname(p))}-{os.path.basename(p)[:-4]}"
        out = []
        for suffix, cmd in [("norm", ["sox", p, "-b", "16", f"{b}-norm.wav", "gain", "-n", "-0.1"]),
                            ("mulaw", None)]:
            dst = f"{b}-{suffix}.wav"
            if not os.path.exists(dst):
                if cmd:
                    run(cmd)
                else:
                    run(["sox", p, "-e", "mu-law", "-t", "wav", f"{b}-mulaw-tmp.wav"])
                    run(["sox", f"{b}-mulaw-tmp.wav", "-e", "signed-integer", "-b", "16", dst])
                    os.remove(f"{b}-mulaw-tmp.wav")
            out.append(dst)
        dst = f"{b}-loud.wav"
        if not os.path.exists(dst):
            subprocess.run([VP, "convert", "--loudness", "-18", p, "-o", dst],
                           capture_output=True)
        out.append(dst)
        return out

    fa = pmap(variants_fa, prompts)
    print(f"\nFalse alarms on {len(prompts)} Asterisk prompts:")
    for i, name in [(None, "as shipped"), (0, "normalised to -0.1 dBFS"),
                    (1, "mu-law round trip"), (2, "convert --loudness -18")]:
        paths = prompts if i is None else [v[i] for v in fa]
        rep = check([p for p in paths if os.path.exists(p)])
        alarms = [p for p, f in rep.items() if clipped(f)]
        top = max((f["signal"] or {}).get("peak_pileup") or 0 for f in rep.values())
        print(f"  {name}: {len(alarms)} of {len(rep)} (highest pile-up score {top:.2f})"
              + "".join(f"\n    {a}" for a in alarms[:5]))


if __name__ == "__main__":
    main()

//! A small driver for the VOX codec, used by `benches/vox.sh`:
//!
//! ```text
//! vox_tool encode <in.wav> <out.vox> [greedy|search[:K]|universal[:K]]
//! vox_tool decode <in.vox> <out.raw> [exact|shift-add|asterisk]   (raw s16le)
//! vox_tool snr <in.wav> <encoder>...   (SNR table over the three decoder flavours)
//! vox_tool speed <in.wav> <encoder>... (in-process encode/decode throughput)
//! vox_tool default-kind                (the default encoder's name)
//! ```
//!
//! The WAV must be 16-bit mono PCM; it is read with a minimal chunk walk so
//! that the whole-process time measures the codec, not a WAV library.

use std::time::Instant;
use voxprep::vox::{self, DecoderFlavor, EncoderKind};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = run(&args) {
        eprintln!("vox_tool: {e}");
        std::process::exit(2);
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let arg = |i: usize| {
        args.get(i)
            .map(String::as_str)
            .ok_or("missing argument".to_string())
    };
    match arg(0)? {
        "encode" => {
            let samples = read_wav(arg(1)?)?;
            let kind = kind(args.get(3).map(String::as_str).unwrap_or("universal"))?;
            let bytes = vox::encode(&samples, kind);
            std::fs::write(arg(2)?, bytes).map_err(|e| e.to_string())
        }
        "decode" => {
            let bytes = std::fs::read(arg(1)?).map_err(|e| e.to_string())?;
            let flavor: DecoderFlavor = args
                .get(3)
                .map(|s| s.parse().map_err(|e: voxprep::Error| e.to_string()))
                .transpose()?
                .unwrap_or_default();
            let pcm = vox::decode(&bytes, flavor);
            let raw: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
            std::fs::write(arg(2)?, raw).map_err(|e| e.to_string())
        }
        "snr" => {
            let x = read_wav(arg(1)?)?;
            println!("| encoder | exact | shift-add | asterisk | encode time |");
            println!("|---|---|---|---|---|");
            for name in &args[2..] {
                let t = Instant::now();
                let bytes = vox::encode(&x, kind(name)?);
                let dt = t.elapsed().as_secs_f64();
                let snrs: Vec<String> = DecoderFlavor::ALL
                    .iter()
                    .map(|&f| format!("{:.2}", snr(&x, &vox::decode(&bytes, f))))
                    .collect();
                println!("| {name} | {} | {:.3} s |", snrs.join(" | "), dt);
            }
            Ok(())
        }
        "speed" => {
            let x = read_wav(arg(1)?)?;
            let secs = x.len() as f64 / 8000.0;
            for name in &args[2..] {
                let t = Instant::now();
                let bytes = vox::encode(&x, kind(name)?);
                let dt = t.elapsed().as_secs_f64();
                println!(
                    "encode {name:>14}: {:8.1} Msamples/s, {:9.0}x real time",
                    x.len() as f64 / dt / 1e6,
                    secs / dt
                );
                if name == &args[2] {
                    for f in DecoderFlavor::ALL {
                        let t = Instant::now();
                        let y = vox::decode(&bytes, f);
                        let dt = t.elapsed().as_secs_f64();
                        println!(
                            "decode {:>14}: {:8.1} Msamples/s, {:9.0}x real time",
                            f.name(),
                            y.len() as f64 / dt / 1e6,
                            secs / dt
                        );
                    }
                }
            }
            Ok(())
        }
        "default-kind" => {
            println!("{}", EncoderKind::default());
            Ok(())
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

fn kind(s: &str) -> Result<EncoderKind, String> {
    s.parse().map_err(|e: voxprep::Error| e.to_string())
}

fn snr(x: &[i16], y: &[i16]) -> f64 {
    let (mut sig, mut err) = (0f64, 0f64);
    for (&a, &b) in x.iter().zip(y) {
        sig += (a as f64).powi(2);
        err += (a as f64 - b as f64).powi(2);
    }
    10.0 * (sig / err.max(1e-9)).log10()
}

/// The samples of a 16-bit mono PCM WAV (minimal RIFF walk).
fn read_wav(path: &str) -> Result<Vec<i16>, String> {
    let b = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        return Err(format!("{path}: not a RIFF/WAVE file"));
    }
    let mut pos = 12;
    let mut format_ok = false;
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32::from_le_bytes([b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]]) as usize;
        let body = &b[pos + 8..(pos + 8).saturating_add(len).min(b.len())];
        if id == b"fmt " && body.len() >= 16 {
            let channels = u16::from_le_bytes([body[2], body[3]]);
            let bits = u16::from_le_bytes([body[14], body[15]]);
            format_ok = channels == 1 && bits == 16;
        } else if id == b"data" {
            if !format_ok {
                return Err(format!("{path}: not 16-bit mono"));
            }
            return Ok(body
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect());
        }
        pos = pos.saturating_add(8 + len + (len & 1));
    }
    Err(format!("{path}: no data chunk"))
}

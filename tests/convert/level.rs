//! Level and silence: peak normalisation, loudness (as ffmpeg measures
//! it) and where it stops, gain and its overs, trimming silence.

use super::*;
use crate::common::ffmpeg_lufs;
use voxprep::convert::TrimSilence;
use voxprep::{Setting, Usage};

#[test]
fn normalize_sets_the_peak() {
    let (_dir, out, _) = converted_afresh(
        &conv("tone-s16-44100Hz-stereo.wav"),
        &with_level(Level::NormalizePeak(-3.0)),
    );
    let db = peak_dbfs(&wav_samples(&out).1);
    assert!((db + 3.0).abs() < 0.05, "peak {db}");
}

#[test]
fn loudness_reaches_the_target_as_ffmpeg_measures_it() {
    let dir = tempfile::tempdir().unwrap();
    for (input, target) in [
        (fixture("vox/speech-espeak-8000Hz.wav"), -30.0),
        (conv("tone-44100Hz-stereo.mp3"), -24.0),
        (conv("tone-s16-44100Hz-stereo.wav"), -19.0),
    ] {
        let out = dir.path().join(format!("l{target}.wav"));
        let c = converted(&input, &out, &with_level(Level::NormalizeLoudness(target)));
        let l = c.loudness.expect("measured");
        assert_eq!(l.target_lufs, target);
        assert!(!l.peak_limited, "{c:#?}");
        let after = l.after_lufs.unwrap();
        assert!((after - target).abs() < 0.05, "{input:?}: {after}");
        let gain = c.gain_db.unwrap();
        let before = l.before_lufs;
        assert!((before + gain - target).abs() < 1e-6, "{c:#?}");
        if let Some(theirs) = ffmpeg_lufs(&out) {
            assert!(
                (theirs - target).abs() <= 0.15,
                "{input:?}: ffmpeg says {theirs}"
            );
        }
        if let Some(theirs) = ffmpeg_lufs(&input) {
            // The input as ffmpeg measures it: at its own rate (the tones
            // sit below 4 kHz, so resampling to 8 kHz keeps them) and
            // summing the channels' powers. The stereo fixtures carry
            // 440 Hz on the left and 1 kHz on the right: their mean,
            // (L + R) / 2, has a quarter of that power, 6.02 LU less.
            let stereo = if c.source.channels == 2 { 6.02 } else { 0.0 };
            assert!(
                (theirs - stereo - before).abs() <= 0.15,
                "{input:?}: ffmpeg {theirs}, ours {before}"
            );
        }
    }
}

#[test]
fn loudness_stops_at_the_peak_ceiling_and_skips_silence() {
    let (dir, out, c) = converted_afresh(
        &conv("tone-s16-44100Hz-stereo.wav"),
        &with_level(Level::NormalizeLoudness(-3.0)),
    );
    assert!(c.loudness.unwrap().peak_limited, "{c:#?}");
    let warnings = c.warnings.join("\n");
    assert!(
        warnings.contains("not -3.0") && warnings.contains("-1.0 dBFS"),
        "{warnings}"
    );
    let db = peak_dbfs(&wav_samples(&out).1);
    assert!(db <= -0.99 && db > -1.1, "peak {db}");

    let silent = silent_wav(dir.path());
    let loud = with_level(Level::NormalizeLoudness(-16.0));
    let c = converted(&silent, &dir.path().join("s.wav"), &loud);
    assert!(c.loudness.is_none(), "{c:#?}");
    assert_warns(&c, "cannot be measured");
    let too_quiet = with_level(Level::NormalizeLoudness(-70.0));
    let e = refused(
        &silent,
        &dir.path().join("x.wav"),
        &too_quiet,
        "out of range",
    );
    assert!(
        matches!(
            e.usage(),
            Some(Usage::Setting {
                setting: Setting::Loudness,
                ..
            })
        ),
        "{e:?}"
    );
}

#[test]
fn gain_overs_are_limited_and_reported() {
    let (_dir, out, c) = converted_afresh(
        &conv("loud-44100Hz-mono.wav"),
        &with_level(Level::GainDb(6.0)),
    );
    assert!(c.clipped_samples > 0, "{c:#?}");
    assert_warns(&c, "clipped and limited");
    let (_, s) = wav_samples(&out);
    assert!(s.contains(&32767) && s.contains(&-32768));
    // Never wrapped: a sine has no jumps from one rail to the other.
    assert!(
        s.windows(2)
            .all(|w| (i32::from(w[0]) - i32::from(w[1])).abs() < 40000)
    );
}

#[test]
fn trim_silence_reports_what_it_saved() {
    // Without the high-pass, whose ring-out after the tone's abrupt end
    // (a few ms above -45 dBFS) would be kept as sound.
    let trim = ConvertOptions {
        trim: Some(TrimSilence::default()),
        ..keep_dc(ConvertOptions::default())
    };
    let (_dir, out, c) = converted_afresh(&conv("padded-silence-8000Hz-mono.wav"), &trim);
    let saved = c.trimmed.expect("trimmed");
    assert_eq!(format!("{:.2}", saved.seconds), "0.90", "{saved:?}");
    // 0.4 s + 0.5 s tone + 0.7 s; keep the tone plus 0.1 s either side (the tone starts at 0).
    let n = wav_samples(&out).1.len();
    assert!((5599..=5600).contains(&n), "{n}");
    assert_eq!(c.frames, n as u64);
}

/// The case: speech with a 2.1% DC offset, turned up to -23 LUFS. By default the
/// high-pass takes the offset out before the loudness gain, so the gain
/// cannot multiply it and the result passes; `--keep-dc` leaves it in.
#[test]
fn dc_is_removed_before_the_gain_unless_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (_, speech) = wav_samples(&fixture("vox/speech-espeak-8000Hz.wav"));
    let offset = (0.021 * 32768.0) as i32;
    let input = dir.path().join("speech-with-dc.wav");
    write_wav(
        &input,
        speech
            .iter()
            .map(|&s| (i32::from(s) / 2 + offset).clamp(-32768, 32767) as i16),
    );
    let mean_percent = |p: &Path| {
        let (_, s) = wav_samples(p);
        s.iter().map(|&v| f64::from(v)).sum::<f64>() / s.len() as f64 / 32768.0 * 100.0
    };
    assert!((mean_percent(&input) - 2.1).abs() < 0.1);
    let has_dc_warning = |c: &Conversion| {
        c.check
            .problems
            .iter()
            .any(|p| p.code == voxprep::spec::Code::DcOffset)
    };
    let loud = with_level(Level::NormalizeLoudness(-23.0));

    let out = dir.path().join("default.wav");
    let c = converted(&input, &out, &loud);
    let mean = mean_percent(&out);
    assert!(mean.abs() < 0.05, "mean {mean}% after the high-pass");
    assert!(!has_dc_warning(&c), "{:#?}", c.check.problems);
    // The gain was worked out on the signal without its offset.
    let l = c.loudness.as_ref().expect("measured");
    assert!(!l.peak_limited, "{l:?}");
    let after = l.after_lufs.unwrap();
    assert!((after + 23.0).abs() < 0.1, "{after}");

    let kept = dir.path().join("kept.wav");
    let c = converted(&input, &kept, &keep_dc(loud));
    let mean = mean_percent(&kept);
    assert!(
        mean > 2.1,
        "the gain multiplies a kept offset: mean {mean}%"
    );
    assert!(has_dc_warning(&c), "{:#?}", c.check.problems);
}

/// Issue 17: `convert --loudness -18` on a clipped prompt says that the
/// input is clipped (turning it down does not undo clipping), and so does
/// a gain or peak normalising; leaving the level alone leaves the warning
/// to the output's check.
#[test]
fn a_level_change_on_a_clipped_input_says_it_is_clipped() {
    let input = fixture("check/clipped-gain25-resampled-8000hz.wav");
    for level in [
        Level::NormalizeLoudness(-18.0),
        Level::NormalizePeak(-1.0),
        Level::GainDb(-6.0),
    ] {
        let (_dir, _out, c) = converted_afresh(&input, &with_level(level));
        let said: Vec<&String> = c
            .warnings
            .iter()
            .filter(|w| {
                w.starts_with("input is clipped: 1513 samples at the rails in runs of 1 or 2")
            })
            .collect();
        assert_eq!(said.len(), 1, "{level:?}: {:#?}", c.warnings);
        assert!(said[0].ends_with("changing the level does not undo clipping"));
    }
    let (_dir, _out, c) = converted_afresh(&input, &ConvertOptions::default());
    assert!(
        c.warnings
            .iter()
            .all(|w| !w.starts_with("input is clipped")),
        "{:#?}",
        c.warnings
    );
    assert!(c.check.problems.iter().any(|p| p.code == "clipping"));
    // A clean prompt turned down: no such warning.
    let (_dir, _out, c) = converted_afresh(
        &fixture("vox/speech-espeak-8000Hz.wav"),
        &with_level(Level::GainDb(-6.0)),
    );
    assert!(c.warnings.is_empty(), "{:#?}", c.warnings);
}

/// Digital silence stays digital silence through downmix, resampling, the
/// high-pass and a gain: dither is spent only where rounding is needed.
#[test]
fn digital_silence_gets_no_dither() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("silent-44100Hz-stereo.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&input, spec).unwrap();
    for _ in 0..44100 * 2 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    for (name, level) in [
        ("plain.wav", Level::Unchanged),
        ("gain.wav", Level::GainDb(6.0)),
    ] {
        let out = dir.path().join(name);
        converted(&input, &out, &with_level(level));
        let (_, samples) = wav_samples(&out);
        assert_eq!(samples.len(), 8000, "{name}");
        assert!(samples.iter().all(|&s| s == 0), "{name}: dithered silence");
    }
}

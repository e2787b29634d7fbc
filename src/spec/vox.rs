//! The VOX rules: a `.vox` must be headerless Dialogic ADPCM, and should
//! play alike on every decoder family.

use super::{Code, Problem, with_article};
use crate::sniff::{format_label, sniff};
use crate::vox::VoxAnalysis;

/// `vox-at-rails` is reported when more than this share of the samples lies
/// in rail runs of at least [`crate::vox::RAIL_RUN`] samples.
pub const RAILS_SHARE_LIMIT: f64 = 0.02;

/// `vox-at-rails` is also reported when more than this share of the exact
/// decoder's steps overshoot a rail by more than `s/8`, what sox and
/// libsndfile call an "ADPCM state error". No ADPCM encoder writes such a
/// step (sox's, libsndfile's and ours all stay within the grace, even on
/// full-scale squares and clipped speech), while mu-law, A-law and 8-bit PCM
/// bytes read as ADPCM overshoot on 20-60% of their samples.
pub const OVERSHOOT_SHARE_LIMIT: f64 = 0.01;

/// `decoder-disagreement` is reported when the exact and shift-add decodings
/// differ by more than this share of full scale at some sample (0.1 = 10%,
/// about 1 dB of headroom lost on the shift-add side, and clipping on loud
/// prompts)...
pub const DRIFT_LIMIT: f64 = 0.10;

/// ...or when the shift-add decoding, measured against the exact one, has an
/// SNR below this many dB: the mismatch then carries more than a tenth of the
/// signal's energy, twice the codec's own noise (about 19 dB on speech).
/// The drift is a random walk that needs time to build up, so a short prompt
/// from a greedy encoder passes where a long one fails (docs/vox-encoder.md
/// has the figures).
pub const DISAGREEMENT_SNR_LIMIT_DB: f64 = 10.0;

/// Problems of a headerless VOX file from its length and first bytes (pass
/// up to [`crate::sniff::SNIFF_LEN`] bytes): empty, or really a container.
pub fn vox_problems(file_len: u64, head: &[u8]) -> Vec<Problem> {
    if file_len == 0 {
        return vec![super::file::empty_file()];
    }
    match sniff(head) {
        Some(id) if id != "empty" => vec![Problem::new(
            Code::VoxIsContainer,
            format!(
                "this .vox file is really {}, not headerless Dialogic ADPCM",
                with_article(format_label(id))
            ),
        )],
        _ => Vec::new(),
    }
}

/// `vox-rate` for a `.vox` recorded at `rate` Hz, not the provider's 8000.
pub fn vox_rate(rate: u32) -> Problem {
    Problem::new(
        Code::VoxRate,
        format!(
            "recorded at {rate} Hz; the provider plays VOX at {} Hz, so it would play {:.0}% \
             too {}",
            super::VOX_RATE,
            (f64::from(super::VOX_RATE) / f64::from(rate) - 1.0).abs() * 100.0,
            if rate < super::VOX_RATE {
                "fast and high"
            } else {
                "slow and low"
            }
        ),
    )
}

/// The problems of a decoded VOX stream, all warnings:
/// - `vox-at-rails` when more than [`RAILS_SHARE_LIMIT`] of the samples sit
///   at the rails in long runs, or more than [`OVERSHOOT_SHARE_LIMIT`] of the
///   steps overshoot a rail;
/// - `decoder-disagreement` when the exact and shift-add decodings differ by
///   more than [`DRIFT_LIMIT`] of full scale, or their SNR is below
///   [`DISAGREEMENT_SNR_LIMIT_DB`]. Not reported together with
///   `vox-at-rails` (a non-ADPCM file disagrees with itself anyway).
pub fn vox_stream_problems(a: &VoxAnalysis) -> Vec<Problem> {
    let mut out = Vec::new();
    if a.rails_share > RAILS_SHARE_LIMIT || a.overshoot_share > OVERSHOOT_SHARE_LIMIT {
        out.push(Problem::new(
            Code::VoxAtRails,
            format!(
                "decoded as Dialogic ADPCM, {:.1}% of the steps push the predictor past \
                 full scale (\"ADPCM state errors\") and {:.1}% of the samples sit at \
                 full scale in long stretches (longest {} samples): probably not \
                 Dialogic ADPCM (mu-law, A-law or 8-bit PCM?) or written at another rate",
                a.overshoot_share * 100.0,
                a.rails_share * 100.0,
                a.longest_rail_run
            ),
        ));
        return out;
    }
    let snr_low = a
        .shift_add_snr_db
        .is_some_and(|s| s < DISAGREEMENT_SNR_LIMIT_DB);
    if a.drift_max > DRIFT_LIMIT || snr_low {
        let snr = match a.shift_add_snr_db {
            Some(s) if s.is_finite() => format!("{s:.1} dB"),
            Some(_) => "identical".to_string(),
            None => "n/a (silence)".to_string(),
        };
        out.push(Problem::new(
            Code::DecoderDisagreement,
            format!(
                "plays differently on Dialogic/FreeSWITCH-style decoders: DC drift up to \
                 {:.1}% of full scale (mean {:+.1}%), SNR between the decoders {snr}",
                a.drift_max * 100.0,
                a.drift_mean * 100.0
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vox::{EncoderKind, analyse_stream, encode};

    #[test]
    fn empty_and_silent_streams_have_no_problems() {
        assert!(vox_stream_problems(&analyse_stream(&[])).is_empty());
        let silent = encode(&vec![0i16; 8000], EncoderKind::Greedy);
        let a = analyse_stream(&silent);
        assert!(vox_stream_problems(&a).is_empty(), "{a:?}");
    }

    #[test]
    fn random_walk_into_the_rails_is_flagged() {
        // Code 7 forever: the predictor runs to the positive rail and stays.
        let p = vox_stream_problems(&analyse_stream(&[0x77; 4000]));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, Code::VoxAtRails);
    }

    #[test]
    fn universal_stream_agrees_across_decoders() {
        let x: Vec<i16> = (0..16000)
            .map(|i| {
                let t = f64::from(i) / 8000.0;
                let env = (t * 3.0 * std::f64::consts::PI).sin().abs();
                let v = (std::f64::consts::TAU * (200.0 + 300.0 * t) * t).sin() * 0.6
                    + (std::f64::consts::TAU * 1300.0 * t).sin() * 0.3;
                (v * env * 20000.0) as i16
            })
            .collect();
        let a = analyse_stream(&encode(&x, EncoderKind::Universal { paths: 4 }));
        assert!(vox_stream_problems(&a).is_empty(), "{a:?}");
    }
}

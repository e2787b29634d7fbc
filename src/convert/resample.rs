//! A streaming mono resampler over rubato's FFT resampler.
//!
//! `Fft` with `FixedSync::Both` and a chunk of at least 1024 frames keeps the
//! telephony band flat (3.4 kHz within 0.2 dB going 44.1 kHz to 8 kHz) and
//! stops aliases by more than 80 dB; small chunks or `FixedSync::Input` shrink
//! the filter and cut 3.4 kHz by 10 dB (docs/conversion.md).
//!
//! Input arrives in any sizes through [`Resampler::process`]; the start-up
//! delay is dropped and [`Resampler::finish`] flushes the tail so that the
//! whole output is exactly `ceil(frames_in x to / from)` frames long.

use crate::error::{Error, Result};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler as _};

/// Frames per rubato chunk. With `FixedSync::Both` the FFT block (and so the
/// filter) is at least this long.
pub(super) const CHUNK_FRAMES: usize = 2048;

/// Mono streaming resampler from one fixed rate to another.
pub(super) struct Resampler {
    inner: Fft<f32>,
    from: u32,
    to: u32,
    pending: Vec<f32>,
    outbuf: Vec<f32>,
    skip: usize,
    frames_in: u64,
    frames_out: u64,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish()
    }
}

fn rs_err(e: impl std::fmt::Display) -> Error {
    Error::Unsupported(format!("resample: {e}"))
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for rates rubato rejects (zero, or a ratio it
    /// cannot build a filter for).
    pub(super) fn try_new(from: u32, to: u32) -> Result<Resampler> {
        if from == 0 || to == 0 || from > 1_000_000 {
            return Err(rs_err(format!("cannot resample {from} Hz to {to} Hz")));
        }
        let inner = Fft::<f32>::new(from as usize, to as usize, CHUNK_FRAMES, 1, FixedSync::Both)
            .map_err(rs_err)?;
        let skip = inner.output_delay();
        let outbuf = vec![0.0; inner.output_frames_max()];
        Ok(Resampler {
            inner,
            from,
            to,
            pending: Vec::new(),
            outbuf,
            skip,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Frames the whole output will have for `frames_in` input frames.
    pub(super) fn expected_len(&self, frames_in: u64) -> u64 {
        output_len(frames_in, self.from, self.to)
    }

    /// Feed input; append whatever output is ready to `out`.
    ///
    /// # Errors
    /// Only if rubato rejects a buffer (a bug, reported rather than panicking).
    pub(super) fn process(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<()> {
        self.frames_in += input.len() as u64;
        self.pending.extend_from_slice(input);
        let mut start = 0;
        loop {
            let need = self.inner.input_frames_next();
            if self.pending.len() - start < need {
                break;
            }
            self.run_chunk(Some(start), None, out)?;
            start += need;
        }
        self.pending.drain(..start);
        Ok(())
    }

    /// Flush the tail; afterwards the total output is exactly
    /// `expected_len(frames_in)` frames.
    ///
    /// # Errors
    /// As [`Resampler::process`].
    pub(super) fn finish(mut self, out: &mut Vec<f32>) -> Result<()> {
        let expected = self.expected_len(self.frames_in);
        let mut guard = 0;
        while self.frames_out < expected {
            let n = self.pending.len();
            self.run_chunk(Some(0), Some(n), out)?;
            self.pending.clear();
            guard += 1;
            if guard > 1000 {
                return Err(rs_err("flush did not converge"));
            }
        }
        let extra = self.frames_out - expected;
        out.truncate(out.len() - extra as usize);
        Ok(())
    }

    fn run_chunk(
        &mut self,
        start: Option<usize>,
        partial: Option<usize>,
        out: &mut Vec<f32>,
    ) -> Result<()> {
        let need = self.inner.input_frames_next();
        let start = start.unwrap_or(0);
        let mut idx = Indexing::new().input_offset(start);
        let zeros;
        let input: &[f32] = match partial {
            Some(n) => {
                idx = Indexing::new().partial_len(n);
                zeros = {
                    let mut z = self.pending[..n].to_vec();
                    z.resize(need, 0.0);
                    z
                };
                &zeros
            }
            None => &self.pending,
        };
        let frames = input.len();
        let inp = InterleavedSlice::new(input, 1, frames).map_err(rs_err)?;
        let out_len = self.outbuf.len();
        let mut o = InterleavedSlice::new_mut(&mut self.outbuf, 1, out_len).map_err(rs_err)?;
        let (_, n_out) = self
            .inner
            .process_into_buffer(&inp, &mut o, Some(&idx))
            .map_err(rs_err)?;
        let produced = &self.outbuf[..n_out];
        let drop = self.skip.min(n_out);
        self.skip -= drop;
        out.extend_from_slice(&produced[drop..]);
        self.frames_out += (n_out - drop) as u64;
        Ok(())
    }
}

/// `ceil(frames x to / from)`: the output length of a resampled stream.
pub(super) fn output_len(frames: u64, from: u32, to: u32) -> u64 {
    if from == 0 {
        return 0;
    }
    let n = u128::from(frames) * u128::from(to);
    u64::try_from(n.div_ceil(u128::from(from))).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loudness::tests::tone;

    fn resample_in_pieces(x: &[f32], from: u32, to: u32, piece: usize) -> Vec<f32> {
        let mut r = Resampler::try_new(from, to).unwrap();
        let mut out = Vec::new();
        for c in x.chunks(piece) {
            r.process(c, &mut out).unwrap();
        }
        r.finish(&mut out).unwrap();
        out
    }

    /// RMS level in dB of the middle part (skip edges).
    fn rms_db(x: &[f32]) -> f64 {
        let m = &x[x.len() / 4..x.len() * 3 / 4];
        let p: f64 = m.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / m.len() as f64;
        10.0 * p.log10()
    }

    #[test]
    fn telephony_band_edge_keeps_its_level() {
        // 3.4 kHz at 44.1 kHz, -6 dBFS: RMS of a sine is amp^2/2.
        let x = tone(3400.0, 44100, 1.0, 0.5);
        let y = resample_in_pieces(&x, 44100, 8000, 1000);
        let diff = rms_db(&y) - rms_db(&x);
        eprintln!("3.4 kHz 44.1k -> 8k: {diff:+.4} dB");
        assert!(diff.abs() < 0.2, "3.4 kHz changed by {diff:.3} dB");
    }

    #[test]
    fn above_nyquist_is_attenuated_80_db() {
        let x = tone(5000.0, 44100, 1.0, 0.5);
        let y = resample_in_pieces(&x, 44100, 8000, 777);
        let diff = rms_db(&y) - rms_db(&x);
        eprintln!("5 kHz 44.1k -> 8k: {diff:+.1} dB");
        assert!(diff < -80.0, "5 kHz only attenuated by {diff:.1} dB");
    }

    #[test]
    fn band_edges_at_both_output_rates() {
        // (from, to, freq, lowest allowed change in dB, highest)
        for &(from, to, f, lo, hi) in &[
            (44100u32, 8000u32, 300.0, -0.05, 0.05),
            (44100, 8000, 3600.0, -0.2, 0.05),
            (44100, 8000, 4200.0, -400.0, -80.0),
            (48000, 11025, 5000.0, -0.2, 0.05),
            (48000, 11025, 6000.0, -400.0, -80.0),
        ] {
            let x = tone(f, from, 1.0, 0.5);
            let y = resample_in_pieces(&x, from, to, 4096);
            let d = rms_db(&y) - rms_db(&x);
            eprintln!("{f} Hz {from} -> {to}: {d:+.3} dB");
            assert!((lo..=hi).contains(&d), "{f} Hz {from}->{to}: {d:.3} dB");
        }
    }

    #[test]
    fn length_is_exact_whatever_the_pieces() {
        for &(from, to, n) in &[
            (44100u32, 8000u32, 44100usize),
            (44100, 8000, 7),
            (48000, 8000, 12_345),
            (96000, 11025, 30_001),
            (8000, 11025, 8000),
            (22050, 8000, 1),
        ] {
            let x = tone(440.0, from, n as f64 / f64::from(from), 0.3);
            for piece in [1usize, 333, 4096] {
                let y = resample_in_pieces(&x, from, to, piece);
                assert_eq!(
                    y.len() as u64,
                    output_len(n as u64, from, to),
                    "{from}->{to} n={n} piece={piece}"
                );
            }
        }
    }

    #[test]
    fn timing_is_preserved() {
        // An impulse in the middle of 1 s at 48 kHz lands in the middle at 8 kHz.
        let mut x = vec![0.0f32; 48000];
        x[24000] = 1.0;
        let y = resample_in_pieces(&x, 48000, 8000, 1024);
        let peak = y
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map(|(i, _)| i)
            .unwrap();
        assert!((3999..=4001).contains(&peak), "impulse at {peak}");
    }

    #[test]
    fn pieces_do_not_change_the_result() {
        let x = tone(1000.0, 44100, 0.3, 0.5);
        let a = resample_in_pieces(&x, 44100, 8000, 1);
        let b = resample_in_pieces(&x, 44100, 8000, 100_000);
        assert_eq!(a, b);
    }

    #[test]
    fn output_len_rounds_up() {
        assert_eq!(output_len(44100, 44100, 8000), 8000);
        assert_eq!(output_len(44101, 44100, 8000), 8001);
        assert_eq!(output_len(0, 44100, 8000), 0);
        assert_eq!(output_len(u64::MAX, 8000, 11025), u64::MAX);
    }
}

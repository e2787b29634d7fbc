//! Is a `.vox` stream Dialogic ADPCM at all? The figures that tell: how many
//! decoder steps overshoot a rail by more than `s/8` (what sox and
//! libsndfile call "ADPCM state errors", which no ADPCM encoder writes), and,
//! once the stream has such a step, which raw PCM reading of the same bytes
//! looks like audio (mu-law, A-law, 8-bit or 16-bit PCM named `.vox`).
//! Pure: bytes and counts in, figures out; the verdict is the spec's.

use crate::codec::g711;
use serde::Serialize;
use std::fmt;

/// A raw PCM reading of bytes that may hide under a `.vox` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawFormat {
    /// G.711 mu-law, a byte a sample.
    MuLaw,
    /// G.711 A-law, a byte a sample.
    ALaw,
    /// Unsigned 8-bit PCM (silence is 0x80).
    U8,
    /// Signed 8-bit PCM (silence is 0x00).
    S8,
    /// Signed 16-bit little-endian PCM.
    S16Le,
}

impl RawFormat {
    /// Every reading, in the order they are tried (ties go to the first).
    pub const ALL: [RawFormat; 5] = [
        RawFormat::MuLaw,
        RawFormat::ALaw,
        RawFormat::S16Le,
        RawFormat::U8,
        RawFormat::S8,
    ];

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            RawFormat::MuLaw => "raw G.711 mu-law",
            RawFormat::ALaw => "raw G.711 A-law",
            RawFormat::U8 => "raw unsigned 8-bit PCM",
            RawFormat::S8 => "raw signed 8-bit PCM",
            RawFormat::S16Le => "raw signed 16-bit little-endian PCM",
        }
    }

    /// The file extension that names this format at 8000 Hz in Asterisk's
    /// prompt libraries (and to [`crate::formats::by_extension`]), if any.
    pub fn extension(self) -> Option<&'static str> {
        match self {
            RawFormat::MuLaw => Some("ulaw"),
            RawFormat::ALaw => Some("alaw"),
            RawFormat::S16Le => Some("sln"),
            RawFormat::U8 | RawFormat::S8 => None,
        }
    }

    /// Bytes of one sample.
    fn width(self) -> usize {
        match self {
            RawFormat::S16Le => 2,
            _ => 1,
        }
    }

    /// The sample `bytes` (of [`RawFormat::width`]) hold, in 16-bit units.
    #[inline]
    fn sample(self, bytes: &[u8]) -> f64 {
        f64::from(match self {
            RawFormat::MuLaw => g711::mulaw(bytes[0]),
            RawFormat::ALaw => g711::alaw(bytes[0]),
            RawFormat::U8 => (i16::from(bytes[0]) - 128) << 8,
            RawFormat::S8 => i16::from(bytes[0] as i8) << 8,
            RawFormat::S16Le => i16::from_le_bytes([bytes[0], bytes[1]]),
        })
    }
}

impl fmt::Display for RawFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Below this order-2 prediction gain (dB) no reading looks like audio.
/// Random bytes of 256 bytes or more read any way score at most 0.2 dB;
/// speech, music and tones in their own format 2.5 dB and more (quiet
/// espeak-ng speech and plucked chords are the lowest; most speech 4-15 dB),
/// measured by `benches/vox-not-adpcm.sh`.
pub const AUDIO_GAIN_DB: f64 = 1.0;

/// A reading of fewer samples than this is not judged (gain 0): 64 random
/// bytes can score 2.5 dB.
const MIN_SAMPLES: f64 = 512.0;

/// What the bytes look like read as raw PCM.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RawGuess {
    /// The reading that looks most like audio, when one reaches
    /// [`AUDIO_GAIN_DB`]; `None`: none does (random data, or noise).
    pub format: Option<RawFormat>,
    /// The best reading's order-2 linear prediction gain in dB: how much of
    /// each sample its two predecessors predict (audio is smooth, random
    /// bytes are not).
    pub gain_db: f64,
}

/// Whether a stream is Dialogic ADPCM: its state errors counted as it is
/// decoded, and from the first piece that holds one on, the raw readings of
/// its bytes (so a genuine stream, which has none, costs nothing more).
#[derive(Debug, Clone, Default)]
pub struct Screen {
    steps: u64,
    state_errors: u64,
    readings: Option<Box<[Reading; 5]>>,
}

impl Screen {
    /// A screen at the start of a stream.
    pub fn new() -> Screen {
        Screen::default()
    }

    /// The next `bytes` of the stream, whose decoding had `state_errors`.
    pub fn note(&mut self, bytes: &[u8], state_errors: u64) {
        self.steps += 2 * bytes.len() as u64;
        self.state_errors += state_errors;
        if self.readings.is_none() && self.state_errors > 0 {
            self.readings = Some(Box::new(RawFormat::ALL.map(Reading::new)));
        }
        if let Some(readings) = self.readings.as_mut() {
            for r in readings.iter_mut() {
                r.feed(bytes);
            }
        }
    }

    /// The figures so far.
    pub fn figures(&self) -> ScreenFigures {
        ScreenFigures {
            steps: self.steps,
            state_errors: self.state_errors,
            raw_guess: self.readings.as_ref().map(|r| guess(&r[..])),
        }
    }
}

/// What a [`Screen`] found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScreenFigures {
    /// Decoder steps (two a byte).
    pub steps: u64,
    /// Steps that overshot a rail by more than `s/8`.
    pub state_errors: u64,
    /// What the bytes look like read as raw PCM, from the first piece with a
    /// state error on; `None` for a stream without state errors.
    pub raw_guess: Option<RawGuess>,
}

impl ScreenFigures {
    /// The share of the steps that are state errors (0 for no steps).
    pub fn state_error_share(&self) -> f64 {
        if self.steps == 0 {
            0.0
        } else {
            self.state_errors as f64 / self.steps as f64
        }
    }
}

/// The best of the readings.
fn guess(readings: &[Reading]) -> RawGuess {
    let mut best: Option<(RawFormat, f64)> = None;
    for r in readings {
        let g = r.prediction_gain_db();
        if best.is_none_or(|(_, b)| g > b) {
            best = Some((r.format, g));
        }
    }
    let (format, gain_db) = best.unwrap_or((RawFormat::MuLaw, 0.0));
    RawGuess {
        format: (gain_db >= AUDIO_GAIN_DB).then_some(format),
        gain_db,
    }
}

/// One raw reading of a stream: the sums behind its autocorrelation at lags
/// 0, 1 and 2.
#[derive(Debug, Clone)]
struct Reading {
    format: RawFormat,
    /// A sample's first byte when a piece ended inside it.
    carry: Option<u8>,
    n: f64,
    sum: f64,
    sq: f64,
    lag1: f64,
    lag2: f64,
    prev: [f64; 2],
}

impl Reading {
    fn new(format: RawFormat) -> Reading {
        Reading {
            format,
            carry: None,
            n: 0.0,
            sum: 0.0,
            sq: 0.0,
            lag1: 0.0,
            lag2: 0.0,
            prev: [0.0; 2],
        }
    }

    fn feed(&mut self, mut bytes: &[u8]) {
        if let (Some(first), Some(&second)) = (self.carry, bytes.first()) {
            self.push(self.format.sample(&[first, second]));
            self.carry = None;
            bytes = &bytes[1..];
        }
        let width = self.format.width();
        let mut units = bytes.chunks_exact(width);
        for unit in units.by_ref() {
            self.push(self.format.sample(unit));
        }
        if let [b] = units.remainder() {
            self.carry = Some(*b);
        }
    }

    #[inline]
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        self.sum += x;
        self.sq += x * x;
        self.lag1 += x * self.prev[0];
        self.lag2 += x * self.prev[1];
        self.prev = [x, self.prev[0]];
    }

    /// The order-2 linear prediction gain in dB over the mean-removed
    /// samples (Levinson-Durbin on the normalised autocorrelation); 0 when
    /// there is nothing to predict (fewer than [`MIN_SAMPLES`], or a
    /// constant).
    fn prediction_gain_db(&self) -> f64 {
        if self.n < MIN_SAMPLES {
            return 0.0;
        }
        let mean = self.sum / self.n;
        let r0 = self.sq / self.n - mean * mean;
        if r0 <= 1e-9 * (self.sq / self.n).max(1.0) {
            return 0.0;
        }
        let r1 = self.lag1 / (self.n - 1.0) - mean * mean;
        let r2 = self.lag2 / (self.n - 2.0) - mean * mean;
        let k1 = (r1 / r0).clamp(-0.9999, 0.9999);
        let e1 = 1.0 - k1 * k1;
        let k2 = ((r2 / r0 - k1 * k1) / e1).clamp(-0.9999, 0.9999);
        let e2 = e1 * (1.0 - k2 * k2);
        -10.0 * e2.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random byte stream.
    fn random_bytes(n: usize) -> Vec<u8> {
        crate::test_fixtures::random_bytes(0x2545_F491_4F6C_DD1D, n)
    }

    fn speechlike(n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = i as f64 / 8000.0;
                let env = (t * 3.0 * std::f64::consts::PI).sin().abs();
                let v = (std::f64::consts::TAU * (200.0 + 300.0 * t) * t).sin() * 0.6
                    + (std::f64::consts::TAU * 1300.0 * t).sin() * 0.3;
                (v * env * 20000.0) as i16
            })
            .collect()
    }

    fn guessed(bytes: &[u8]) -> RawGuess {
        let mut s = Screen::new();
        s.note(bytes, 1);
        s.figures()
            .raw_guess
            .expect("a state error starts the readings")
    }

    #[test]
    fn no_state_error_no_readings() {
        let mut s = Screen::new();
        s.note(&[1, 2, 3], 0);
        let f = s.figures();
        assert_eq!((f.steps, f.state_errors, f.raw_guess), (6, 0, None));
        s.note(&[4], 2);
        let f = s.figures();
        assert_eq!((f.steps, f.state_errors), (8, 2));
        assert!((f.state_error_share() - 0.25).abs() < 1e-12);
        assert!(f.raw_guess.is_some());
    }

    #[test]
    fn each_reading_of_speech_is_found() {
        let x = speechlike(16_000);
        let s16: Vec<u8> = x.iter().flat_map(|s| s.to_le_bytes()).collect();
        let u8s: Vec<u8> = x.iter().map(|&s| ((s >> 8) + 128) as u8).collect();
        let s8s: Vec<u8> = x.iter().map(|&s| (s >> 8) as u8).collect();
        // The nearest code, as an encoder would choose it.
        let nearest = |decode: fn(u8) -> i16, s: i16| {
            (0..=255u8)
                .min_by_key(|&b| (i32::from(decode(b)) - i32::from(s)).abs())
                .unwrap()
        };
        let mu: Vec<u8> = x.iter().map(|&s| nearest(g711::mulaw, s)).collect();
        let al: Vec<u8> = x.iter().map(|&s| nearest(g711::alaw, s)).collect();
        for (bytes, want) in [
            (s16, RawFormat::S16Le),
            (u8s, RawFormat::U8),
            (s8s, RawFormat::S8),
            (mu, RawFormat::MuLaw),
            (al, RawFormat::ALaw),
        ] {
            let g = guessed(&bytes);
            assert_eq!(g.format, Some(want), "{g:?}");
        }
    }

    #[test]
    fn random_bytes_look_like_no_audio() {
        let g = guessed(&random_bytes(48_000));
        assert_eq!(g.format, None, "{g:?}");
        assert!(g.gain_db < 0.5, "{g:?}");
    }

    #[test]
    fn pieces_split_anywhere_read_the_same() {
        let bytes = random_bytes(1001);
        let mut whole = Screen::new();
        whole.note(&bytes, 1);
        let mut split = Screen::new();
        split.note(&bytes[..1], 1);
        for piece in bytes[1..].chunks(3) {
            split.note(piece, 0);
        }
        assert_eq!(whole.figures(), split.figures());
    }
}

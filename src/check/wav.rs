//! Checking a RIFF/WAVE file: the walker's facts, the WAV rules, and the
//! signal analysis of a conforming file's samples, read in bounded chunks.

use super::{CheckOptions, FileReport};
use crate::signal::SignalStats;
use crate::spec;
use crate::wav::{self, PcmSpan};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// Bytes of sample data read at a time when analysing the signal.
const CHUNK_BYTES: usize = 64 * 1024;

/// Check a WAV file; `streamed`, the analysis of its samples made as they
/// were written, is taken instead of reading them when it covers exactly
/// the frames the file holds.
pub(super) fn check(
    file: &mut File,
    report: &mut FileReport,
    opts: &CheckOptions,
    streamed: Option<SignalStats>,
) -> io::Result<()> {
    let facts = wav::inspect(file)?;
    report.container = if facts.is_wave() {
        Some(match facts.byte_order {
            wav::ByteOrder::Little => "wav".to_string(),
            wav::ByteOrder::Big => "rifx".to_string(),
        })
    } else {
        facts
            .sniffed
            .filter(|&id| id != "empty")
            .map(str::to_string)
    };
    if let Some(fmt) = &facts.fmt {
        report.sample_rate = Some(fmt.sample_rate);
        report.channels = Some(fmt.channels);
        report.bits_per_sample = Some(fmt.bits_per_sample);
        report.format_tag = Some(fmt.format_tag);
        if let Some(frames) = facts.frames() {
            report.set_length(frames, fmt.sample_rate);
        }
    }
    report.problems = spec::wav_problems(&facts);
    if report.has_errors() || !opts.analyse_signal {
        return Ok(());
    }
    if let Some(span) = facts.pcm16_mono() {
        let stats = match streamed {
            Some(stats) if stats.analysed_samples == span.frames.0 => stats,
            _ => analyse_pcm16(file, span, opts)?,
        };
        report
            .problems
            .extend(spec::signal_problems(&stats, &opts.thresholds));
        report.signal = Some(stats);
    }
    Ok(())
}

/// Decode the 16-bit little-endian mono samples of `span` in bounded chunks
/// and analyse them.
fn analyse_pcm16<R: Read + Seek>(
    r: &mut R,
    span: PcmSpan,
    opts: &CheckOptions,
) -> io::Result<SignalStats> {
    r.seek(SeekFrom::Start(span.offset))?;
    let mut reader = r.take(span.len);
    let mut analyser = opts.analyser(span.sample_rate, Some(span.frames.0));
    // Bounded, and no larger than the data: most prompts take one read.
    let size = usize::try_from(span.len)
        .unwrap_or(usize::MAX)
        .clamp(2, CHUNK_BYTES);
    let mut buf = vec![0u8; size];
    let mut carried = 0; // 0 or 1: the first byte of a sample split across reads
    loop {
        let n = match reader.read(&mut buf[carried..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let filled = carried + n;
        let (pairs, rest) = buf[..filled].as_chunks::<2>();
        analyser.feed_le_bytes(pairs);
        carried = rest.len();
        if carried == 1 {
            buf[0] = buf[filled - 1];
        }
    }
    Ok(analyser.finish())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::billing::Frames;
    use crate::signal::{self, Thresholds};
    use std::io::Cursor;

    /// A 44-byte-header 16-bit mono PCM WAV of `samples` at `rate`.
    pub(in crate::check) fn wav_bytes(rate: u32, samples: &[i16]) -> Vec<u8> {
        let data_len = (samples.len() * 2) as u32;
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(36 + data_len).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * 2).to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&data_len.to_le_bytes());
        for s in samples {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b
    }

    /// A reader that hands out at most 3 bytes a call, to split samples.
    struct Dribble(Cursor<Vec<u8>>);
    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(3);
            self.0.read(&mut buf[..n])
        }
    }
    impl Seek for Dribble {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.0.seek(pos)
        }
    }

    #[test]
    fn pcm_decoding_matches_the_samples_even_in_odd_reads() {
        let samples: Vec<i16> = (0..1000)
            .map(|i| ((i * 97) % 65536 - 32768) as i16)
            .collect();
        let bytes = wav_bytes(8000, &samples);
        let t = Thresholds::default();
        let expected = signal::analyse(&samples, 8000, &t);
        let opts = CheckOptions::default();
        let span = PcmSpan {
            offset: 44,
            len: 2000,
            frames: Frames(1000),
            sample_rate: 8000,
        };
        let got = analyse_pcm16(&mut Dribble(Cursor::new(bytes.clone())), span, &opts).unwrap();
        assert_eq!(got, expected);
        let got = analyse_pcm16(&mut Cursor::new(bytes), span, &opts).unwrap();
        assert_eq!(got, expected);
    }
}

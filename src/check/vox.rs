//! Checking a headerless `.vox` file: the VOX rules on its first bytes, a
//! duration from its size, and the analysis of its decoded stream.

use super::{CheckOptions, FileReport};
use crate::billing;
use crate::signal::{SignalAnalyser, SignalStats};
use crate::sniff::{self, SNIFF_LEN};
use crate::spec::{self, Severity, VOX_RATE};
use crate::vox::{self, VoxAnalysis};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

pub(super) fn check(
    file: &mut File,
    report: &mut FileReport,
    opts: &CheckOptions,
    streamed: Option<VoxFindings>,
) -> io::Result<()> {
    let len = file.metadata()?.len();
    let mut head = Vec::with_capacity(SNIFF_LEN);
    file.by_ref()
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    report.problems = spec::vox_problems(len, &head);
    if report.has_errors() {
        report.container = sniff::sniff(&head)
            .filter(|&id| id != "empty")
            .map(str::to_string);
        return Ok(());
    }
    report.container = Some("vox".to_string());
    let rate = opts.vox_rate;
    report.sample_rate = Some(rate);
    report.channels = Some(1);
    report.bits_per_sample = Some(4);
    report.set_length(billing::vox_frames(len), rate);
    if rate != VOX_RATE {
        report.problems.push(spec::vox_rate(rate));
    }
    if opts.analyse_signal {
        let (stats, codec) = match streamed {
            Some(done) => done,
            None => analyse(file, opts)?,
        };
        let codec_problems = spec::vox_stream_problems(&codec);
        if codec_problems.iter().any(|p| p.severity == Severity::Error) {
            // Not ADPCM: the decoded samples are no recording, so their
            // figures say nothing (and must not advertise a cure).
            report.problems.extend(codec_problems);
            return Ok(());
        }
        report
            .problems
            .extend(spec::signal_problems(&stats, &opts.thresholds));
        report.problems.extend(codec_problems);
        report.signal = Some(stats);
    }
    Ok(())
}

/// What the analysis of a VOX stream finds: the statistics of the exact
/// decoding, and the codec's own figures (without the samples).
pub(crate) type VoxFindings = (SignalStats, VoxAnalysis);

/// Signal analysis of a VOX stream, fed its bytes in chunks of any size:
/// THE place where decoded VOX samples are fed to the same analysis as WAV
/// samples.
///
/// The bytes are decoded twice by [`vox::Analyser`]: with the exact flavour
/// (what sox and libsndfile play; those samples go to the
/// [`SignalAnalyser`]) and with the shift-add flavour, whose disagreement
/// the spec judges ([`spec::vox_stream_problems`]).
pub(crate) struct VoxStream {
    signal: SignalAnalyser,
    codec: vox::Analyser,
    samples: Vec<i16>,
}

impl VoxStream {
    /// An analysis as `opts` asks for.
    pub(crate) fn new(opts: &CheckOptions) -> VoxStream {
        VoxStream {
            signal: opts.analyser(opts.vox_rate),
            codec: vox::Analyser::new(),
            samples: Vec::new(),
        }
    }

    /// The next bytes of the stream.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.samples.clear();
        self.codec.feed(bytes, &mut self.samples);
        self.signal.feed(&self.samples);
    }

    /// The stream ended: the statistics and the codec's figures.
    pub(crate) fn finish(self) -> VoxFindings {
        (self.signal.finish(), self.codec.finish(Vec::new()))
    }
}

/// [`VoxStream`] over a whole file, read from the start in bounded chunks.
fn analyse<R: Read + Seek>(r: &mut R, opts: &CheckOptions) -> io::Result<VoxFindings> {
    r.seek(SeekFrom::Start(0))?;
    let mut stream = VoxStream::new(opts);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        stream.feed(&buf[..n]);
    }
    Ok(stream.finish())
}

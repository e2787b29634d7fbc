//! Checking a headerless `.vox` file: the VOX rules on its first bytes, a
//! duration from its size, and the analysis of its decoded stream.

use super::{CheckOptions, FileReport};
use crate::billing;
use crate::signal::{SignalAnalyser, SignalStats};
use crate::sniff::{self, SNIFF_LEN};
use crate::spec::{self, Severity, VOX_RATE, Verdict};
use crate::voice::{VoiceAnalyser, VoiceFigures};
use crate::vox::{self, VoxAnalysis};
use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub(super) fn check<R: Read + Seek>(
    file: &mut R,
    len: u64,
    report: &mut FileReport,
    opts: &CheckOptions,
    streamed: Option<VoxFindings>,
) -> io::Result<()> {
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
        let (stats, codec, voice) = match streamed {
            Some(done) => done,
            None => analyse(file, len, opts)?,
        };
        let codec_problems = spec::vox_stream_problems(&codec);
        if codec_problems.iter().any(|p| p.severity == Severity::Error) {
            // Not ADPCM: the decoded samples are no recording, so their
            // figures say nothing (and must not advertise a cure), nor
            // does their voice (it would skew the batch's median).
            report.problems.extend(codec_problems);
            return Ok(());
        }
        // A silent file has no voice to judge: decoded ADPCM idling on
        // silence is periodic, and reads as a high voice.
        report.voice = voice.filter(|_| {
            stats
                .peak_dbfs
                .is_some_and(|p| p >= opts.thresholds.silence_dbfs)
        });
        report
            .problems
            .extend(spec::signal_problems(&stats, &opts.thresholds));
        report.problems.extend(codec_problems);
        report.signal = Some(stats);
    }
    Ok(())
}

/// What the analysis of a VOX stream finds: the statistics of the exact
/// decoding, the codec's own figures (without the samples), and the voice's
/// when they were asked for.
pub(crate) type VoxFindings = (SignalStats, VoxAnalysis, Option<VoiceFigures>);

/// Signal analysis of a VOX stream, fed its bytes in chunks of any size:
/// THE place where decoded VOX samples are fed to the same analysis as WAV
/// samples.
///
/// The bytes are decoded twice by [`vox::Analyser`]: with the exact flavour
/// (what sox and libsndfile play; those samples go to the
/// [`SignalAnalyser`]) and with the shift-add flavour, whose disagreement
/// the spec judges ([`spec::vox_stream_problems`]). With
/// [`VoxStream::with_voice`] the exact samples also go to a
/// [`VoiceAnalyser`], for the batch's [`judge_vox_rates`].
pub(crate) struct VoxStream {
    signal: SignalAnalyser,
    codec: vox::Analyser,
    voice: Option<VoiceAnalyser>,
    samples: Vec<i16>,
}

impl VoxStream {
    /// An analysis as `opts` asks for, without the voice (what a
    /// conversion's own output needs).
    #[cfg(feature = "convert")]
    pub(crate) fn new(opts: &CheckOptions) -> VoxStream {
        VoxStream::of_length(opts, None)
    }

    /// [`VoxStream::new`] for a stream of `bytes` bytes, when that is known
    /// (the envelope's bins then follow the sample index).
    fn of_length(opts: &CheckOptions, bytes: Option<u64>) -> VoxStream {
        let frames = bytes.map(|b| billing::vox_frames(b).0);
        VoxStream {
            signal: opts.analyser(opts.vox_rate, frames),
            codec: vox::Analyser::new(),
            voice: None,
            samples: Vec::new(),
        }
    }

    /// Also measure the voice: only of files played at the provider's rate
    /// (a file declared at another rate fails `vox-rate` anyway).
    fn with_voice(mut self, opts: &CheckOptions) -> VoxStream {
        if opts.vox_rate == VOX_RATE {
            self.voice = Some(VoiceAnalyser::new(opts.vox_rate));
        }
        self
    }

    /// The next bytes of the stream.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.samples.clear();
        self.codec.feed(bytes, &mut self.samples);
        self.signal.feed(&self.samples);
        if let Some(v) = self.voice.as_mut() {
            v.feed(&self.samples);
        }
    }

    /// The stream ended: the statistics, the codec's figures and the voice's.
    pub(crate) fn finish(self) -> VoxFindings {
        (
            self.signal.finish(),
            self.codec.finish(Vec::new()),
            self.voice.map(VoiceAnalyser::finish),
        )
    }
}

/// Judge the `.vox` files of each folder against each other (a folder's
/// prompts are taken to be by one voice; files in other folders, even
/// subfolders, are another batch): a report with voice figures whose score
/// reaches [`spec::SUSPECT_SCORE`] gets `vox-rate-suspect` (and its verdict
/// again). The reports may come in any order.
pub fn judge_vox_rates(reports: &mut [FileReport]) {
    let mut folders: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        if r.voice.is_some() {
            let folder = r.path.parent().unwrap_or(Path::new("")).to_path_buf();
            folders.entry(folder).or_default().push(i);
        }
    }
    for members in folders.values() {
        let voices: Vec<Option<VoiceFigures>> = members.iter().map(|&i| reports[i].voice).collect();
        for (&i, p) in members.iter().zip(spec::vox_rate_suspects(&voices)) {
            if let Some(p) = p {
                let r = &mut reports[i];
                r.problems.push(p);
                r.verdict = Verdict::from_problems(&r.problems);
            }
        }
    }
}

/// [`VoxStream`] over a whole file of `len` bytes, read from the start in
/// bounded chunks.
fn analyse<R: Read + Seek>(r: &mut R, len: u64, opts: &CheckOptions) -> io::Result<VoxFindings> {
    r.seek(SeekFrom::Start(0))?;
    let mut stream = VoxStream::of_length(opts, Some(len)).with_voice(opts);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(path: &str, f0: f64) -> FileReport {
        let mut r = FileReport::new(path);
        r.voice = Some(VoiceFigures {
            voiced_frames: 100,
            f0_hz: Some(f0),
            brightness_hz: Some(1000.0),
        });
        r
    }

    #[test]
    fn each_folder_is_its_own_batch() {
        // A low voice in one folder, a voice 4/3 higher in the other, and
        // one fast file among the low voice's: only that one is suspect.
        let mut reports: Vec<FileReport> = (0..5)
            .map(|i| report(&format!("high/{i}.vox"), 160.0))
            .chain((0..5).map(|i| report(&format!("low/{i}.vox"), 120.0)))
            .collect();
        reports.push(report("low/fast.vox", 160.0));
        reports.push(FileReport::new("low/x.wav"));
        judge_vox_rates(&mut reports);
        let flagged: Vec<_> = reports
            .iter()
            .filter(|r| !r.problems.is_empty())
            .map(|r| r.path.to_string_lossy().into_owned())
            .collect();
        assert_eq!(flagged, ["low/fast.vox"]);
        assert_eq!(reports[10].verdict, Verdict::Warn);
    }

    #[test]
    fn a_silent_vox_has_no_voice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("silence.vox");
        // Two seconds of -60 dBFS noise, which ADPCM idles on.
        let quiet: Vec<i16> = (0..16_000).map(|i| [0, 30, -30, 10][i % 4]).collect();
        let bytes = vox::encode(&quiet, vox::EncoderKind::Greedy);
        std::fs::write(&path, bytes).unwrap();
        let r = super::super::check_path(&path, &CheckOptions::default());
        assert!(r.signal.is_some() && r.voice.is_none(), "{r:?}");
    }
}

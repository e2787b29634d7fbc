//! The sinks the 16-bit samples go to: a WAV writer (with the check's
//! analysis of the samples as they are written), or the VOX encoder on a
//! thread of its own with the check's analysis of its bytes on a third.

use super::OutputFormat;
use crate::check::{CheckOptions, Streamed, VoxFindings, VoxStream};
use crate::error::{Error, Result};
use crate::signal::SignalAnalyser;
use crate::vox::{self, EncoderKind};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

/// Where the 16-bit samples go.
pub(crate) struct Sink {
    path: PathBuf,
    kind: SinkKind,
}

enum SinkKind {
    /// The writer is taken by `finish`; the analysis, when asked for, is
    /// fed every sample written.
    Wav(
        Option<hound::WavWriter<BufWriter<File>>>,
        Option<Box<SignalAnalyser>>,
    ),
    /// VOX. Once a whole block has come, the encoder moves to a thread of
    /// its own (and the check's analysis of the bytes to a third), so that
    /// decoding the input (the caller's thread), encoding and analysing
    /// overlap; a shorter output is encoded in `finish`, without threads.
    Vox {
        /// Samples gathered until `block` are there.
        pending: Vec<i16>,
        /// Samples handed to the encoder at once ([`vox::Encoder::block_hint`]).
        block: usize,
        /// The encoder, the file and the analysis, until the threads start.
        idle: Option<Box<Idle>>,
        threads: Option<VoxThreads>,
    },
}

/// What a VOX sink's threads take when they start.
type Idle = (vox::Encoder, BufWriter<File>, Option<VoxStream>);

/// The threads of a VOX sink.
struct VoxThreads {
    /// Blocks to the encoder; one waits at most. With the block being
    /// filled, the one being encoded and one spare, a sink holds at most
    /// four blocks (2 MB for one path on two cores; a split search's block
    /// is one segment per thread, so more on larger machines).
    blocks: Option<mpsc::SyncSender<Vec<i16>>>,
    /// An emptied block coming back, to be filled again.
    spare: mpsc::Receiver<Vec<i16>>,
    /// Joined by `finish`, or on drop (an error path), so that no thread
    /// still writes the temporary file when it is removed.
    encoder: Option<thread::JoinHandle<io::Result<()>>>,
    /// The check's analysis of the bytes written.
    analysis: Option<thread::JoinHandle<VoxFindings>>,
}

impl VoxThreads {
    fn start(path: &Path, idle: Box<Idle>) -> Result<VoxThreads> {
        let (enc, file, analyse) = *idle;
        let (blocks, to_encode) = mpsc::sync_channel(1);
        let (back, spare) = mpsc::sync_channel(1);
        let (written, analysis) = match analyse {
            Some(mut stream) => {
                let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4);
                let analysis = thread::Builder::new()
                    .name("voxprep-check".into())
                    .spawn(move || {
                        for bytes in rx {
                            stream.feed(&bytes);
                        }
                        stream.finish()
                    })
                    .map_err(|e| Error::io(path, e))?;
                (Some(tx), Some(analysis))
            }
            None => (None, None),
        };
        let encoder = thread::Builder::new()
            .name("voxprep-encode".into())
            .spawn(move || encode_blocks(enc, file, to_encode, back, written))
            .map_err(|e| Error::io(path, e))?;
        Ok(VoxThreads {
            blocks: Some(blocks),
            spare,
            encoder: Some(encoder),
            analysis,
        })
    }

    /// The encoder's error, once it stopped taking blocks.
    fn stopped(&mut self) -> io::Error {
        drop(self.blocks.take());
        match self.encoder.take().map(|e| e.join()) {
            Some(Ok(Err(e))) => e,
            _ => io::Error::other("vox encoder stopped"),
        }
    }
}

impl Drop for VoxThreads {
    fn drop(&mut self) {
        drop(self.blocks.take());
        if let Some(encoder) = self.encoder.take() {
            let _ = encoder.join();
        }
        if let Some(analysis) = self.analysis.take() {
            let _ = analysis.join();
        }
    }
}

/// What [`Sink::finish`] found in the written samples or bytes, if asked to.
pub(crate) type Analysed = Option<Streamed>;

/// The VOX encoder's thread: encode each block as it arrives and write its
/// bytes (and hand them to the analysis, if any); when the sender hangs up,
/// end the stream, flush and sync.
fn encode_blocks(
    mut enc: vox::Encoder,
    mut file: BufWriter<File>,
    blocks: mpsc::Receiver<Vec<i16>>,
    spare: mpsc::SyncSender<Vec<i16>>,
    written: Option<mpsc::SyncSender<Vec<u8>>>,
) -> io::Result<()> {
    let mut out = |bytes: Vec<u8>| -> io::Result<()> {
        file.write_all(&bytes)?;
        if let Some(w) = &written {
            // The analysis ends only with the sink; it cannot hang up first.
            let _ = w.send(bytes);
        }
        Ok(())
    };
    for mut block in blocks {
        let mut buf = Vec::with_capacity(block.len() / 2 + 1);
        enc.encode(&block, &mut buf);
        out(buf)?;
        block.clear();
        // The sink may have finished and stopped taking blocks back.
        let _ = spare.try_send(block);
    }
    let mut buf = Vec::new();
    enc.finish(&mut buf);
    out(buf)?;
    drop(written);
    file.into_inner().map_err(|e| e.into_error())?.sync_all()
}

impl Sink {
    fn err(&self, e: io::Error) -> Error {
        Error::io(&self.path, e)
    }

    fn hound_err(path: &Path, e: hound::Error) -> Error {
        match e {
            hound::Error::IoError(e) => Error::io(path, e),
            e => Error::Malformed(format!("wav writer: {e}")).with_path(path),
        }
    }

    /// A sink writing `path`. With `check`, the check's analysis is fed
    /// what is written (for VOX, every byte, on a thread of its own; for
    /// WAV, every sample); [`Sink::finish`] returns what it found.
    pub(crate) fn create(
        path: &Path,
        format: OutputFormat,
        rate: u32,
        kind: EncoderKind,
        check: Option<&CheckOptions>,
    ) -> Result<Sink> {
        // Not opened with `truncate`: the temporary file is new and empty,
        // and truncating even an empty file makes ext4 write it out when
        // it is closed (its `auto_da_alloc`), 4 ms for 15 minutes of WAV.
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| {
                if f.metadata()?.len() > 0 {
                    f.set_len(0)?;
                }
                Ok(f)
            })
            .map_err(|e| Error::io(path, e))?;
        let file = BufWriter::with_capacity(64 * 1024, file);
        let kind = match format {
            OutputFormat::Wav => {
                let spec = hound::WavSpec {
                    channels: 1,
                    sample_rate: rate,
                    bits_per_sample: 16,
                    sample_format: hound::SampleFormat::Int,
                };
                SinkKind::Wav(
                    Some(hound::WavWriter::new(file, spec).map_err(|e| Sink::hound_err(path, e))?),
                    check.map(|c| Box::new(c.analyser(rate, None))),
                )
            }
            OutputFormat::Vox => {
                let enc = vox::Encoder::new(kind);
                let block = enc.block_hint();
                SinkKind::Vox {
                    pending: Vec::new(),
                    block,
                    idle: Some(Box::new((enc, file, check.map(VoxStream::new)))),
                    threads: None,
                }
            }
        };
        Ok(Sink {
            path: path.to_path_buf(),
            kind,
        })
    }

    pub(crate) fn write(&mut self, samples: &[i16]) -> Result<()> {
        let r = match &mut self.kind {
            SinkKind::Wav(None, _) => Err(io::Error::other("wav writer already finished")),
            SinkKind::Wav(Some(w), analysis) => {
                // hound's data length is a u32 of bytes: 2^31 samples at most.
                if u64::from(w.len()) + samples.len() as u64 > u64::from(u32::MAX / 2 - 64) {
                    return Err(Error::Limit("wav writer: output larger than 4 GiB".into()));
                }
                if let Some(a) = analysis {
                    a.feed(samples);
                }
                let mut iw = w.get_i16_writer(samples.len() as u32);
                for &s in samples {
                    iw.write_sample(s);
                }
                return iw.flush().map_err(|e| Sink::hound_err(&self.path, e));
            }
            SinkKind::Vox {
                pending,
                block,
                idle,
                threads,
            } => {
                pending.extend_from_slice(samples);
                if pending.len() < *block {
                    return Ok(());
                }
                let threads = match (threads.as_mut(), idle.take()) {
                    (Some(t), _) => t,
                    (None, Some(idle)) => threads.insert(VoxThreads::start(&self.path, idle)?),
                    (None, None) => return Err(self.err(io::Error::other("vox sink finished"))),
                };
                let next = threads
                    .spare
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(*block));
                let full = std::mem::replace(pending, next);
                match threads.blocks.as_ref().map(|b| b.send(full)) {
                    Some(Ok(())) => Ok(()),
                    _ => Err(threads.stopped()),
                }
            }
        };
        r.map_err(|e| self.err(e))
    }

    pub(crate) fn finish(mut self) -> Result<Analysed> {
        let path = self.path.clone();
        let panicked = |what: &str| Error::io(&path, io::Error::other(format!("{what} panicked")));
        match &mut self.kind {
            SinkKind::Wav(w, analysis) => match w.take() {
                Some(w) => w
                    .finalize()
                    .map_err(|e| Sink::hound_err(&path, e))
                    .map(|()| analysis.take().map(|a| Streamed::Wav(a.finish()))),
                None => Ok(None),
            },
            SinkKind::Vox {
                pending,
                idle,
                threads,
                ..
            } => {
                let Some(mut t) = threads.take() else {
                    // Shorter than a block: encoded here, and the check
                    // reads the file.
                    let Some(idle) = idle.take() else {
                        return Ok(None);
                    };
                    let (mut enc, mut file, _) = *idle;
                    let mut buf = Vec::new();
                    enc.encode(pending, &mut buf);
                    enc.finish(&mut buf);
                    let written = file
                        .write_all(&buf)
                        .and_then(|()| file.into_inner().map_err(|e| e.into_error()))
                        .and_then(|f| f.sync_all());
                    return written.map(|()| None).map_err(|e| Error::io(&path, e));
                };
                // A failed send means the encoder already stopped; joining
                // it says why.
                if let Some(blocks) = t.blocks.take() {
                    let _ = blocks.send(std::mem::take(pending));
                }
                match t.encoder.take().map(|e| e.join()) {
                    Some(Ok(written)) => written.map_err(|e| Error::io(&path, e))?,
                    Some(Err(_)) => return Err(panicked("vox encoder thread")),
                    None => return Err(Error::io(&path, io::Error::other("vox encoder stopped"))),
                }
                match t.analysis.take().map(|a| a.join()) {
                    None => Ok(None),
                    Some(Ok(found)) => Ok(Some(Streamed::Vox(found))),
                    Some(Err(_)) => Err(panicked("vox check thread")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::SignalStats;
    use std::fs;

    #[test]
    fn vox_sink_bytes_do_not_depend_on_how_samples_arrive() {
        // Over two encode blocks, in pieces of odd and uneven sizes: the
        // file is what one call on the whole input writes.
        let kinds = [
            EncoderKind::Greedy,
            EncoderKind::Universal { paths: 2 },
            EncoderKind::Universal { paths: 4 },
        ];
        let block = kinds
            .iter()
            .map(|&k| vox::Encoder::new(k).block_hint())
            .max()
            .unwrap();
        let n = 2 * block + 12_345;
        let x: Vec<i16> = (0..n)
            .map(|i| {
                let t = i as f64 / 8000.0;
                ((t * 440.0 * std::f64::consts::TAU).sin() * (t * 0.7).sin() * 20000.0) as i16
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for kind in kinds {
            let path = d.join("out.vox");
            fs::write(&path, b"").unwrap(); // `TempFile` creates it in use
            let opts = crate::check::CheckOptions::default();
            let mut sink = Sink::create(&path, OutputFormat::Vox, 8000, kind, Some(&opts)).unwrap();
            write_in_odd_sizes(&mut sink, &x);
            let Some(Streamed::Vox((stats, codec, _))) = sink.finish().unwrap() else {
                panic!("asked for the analysis of the bytes");
            };
            assert_eq!(fs::read(&path).unwrap(), vox::encode(&x, kind), "{kind}");
            // The analysis of the bytes as written is the check's of the file.
            let checked = crate::check::check_path(&path, &opts);
            assert_eq!(
                format!("{:?}", checked.signal),
                format!("{:?}", Some(stats))
            );
            let codes = |p: &[crate::spec::Problem]| p.iter().map(|p| p.code).collect::<Vec<_>>();
            for p in &crate::spec::vox_stream_problems(&codec) {
                assert!(codes(&checked.problems).contains(&p.code), "{kind}: {p:?}");
            }
        }
    }

    /// Write `x` to `sink` in calls of ever-changing sizes (1 to 5000).
    fn write_in_odd_sizes(sink: &mut Sink, x: &[i16]) {
        let mut rest = x;
        let mut k = 0usize;
        while !rest.is_empty() {
            k += 1;
            let take = rest.len().min(1 + (k * 7919) % 5000);
            sink.write(&rest[..take]).unwrap();
            rest = &rest[take..];
        }
    }

    /// The WAV sink's analysis of the samples as written is what the
    /// check finds reading the file, whatever the sizes of the writes; the
    /// check takes it only when it covers the file's frames.
    #[test]
    fn wav_sink_analysis_is_the_checks_own() {
        let x: Vec<i16> = (0..50_000)
            .map(|i| {
                let t = f64::from(i) / 8000.0;
                let v = (t * 300.0 * std::f64::consts::TAU).sin() * 40_000.0 + 900.0;
                v.clamp(-32768.0, 32767.0) as i16
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        fs::write(&path, b"stale bytes a new sink must not keep").unwrap();
        let opts = crate::check::CheckOptions::default();
        let mut sink = Sink::create(
            &path,
            OutputFormat::Wav,
            8000,
            EncoderKind::Greedy,
            Some(&opts),
        )
        .unwrap();
        write_in_odd_sizes(&mut sink, &x);
        let Some(Streamed::Wav(stats)) = sink.finish().unwrap() else {
            panic!("asked for the analysis of the samples");
        };
        let read = crate::check::check_path(&path, &opts);
        assert_eq!(read.signal.as_ref(), Some(&stats));
        assert!(!read.problems.is_empty(), "clipped and off-centre: warned");
        let streamed =
            crate::check::check_path_streamed(&path, &opts, Some(Streamed::Wav(stats.clone())));
        assert_eq!(format!("{streamed:?}"), format!("{read:?}"));
        // An analysis of other samples than the file's is not taken.
        let short = SignalStats {
            analysed_samples: 10,
            ..stats
        };
        let other = crate::check::check_path_streamed(&path, &opts, Some(Streamed::Wav(short)));
        assert_eq!(format!("{other:?}"), format!("{read:?}"));
    }

    /// A write error on the encoder's thread reaches the caller with the
    /// file's name and the system's reason (`/dev/full` fails every write).
    #[test]
    fn encoder_thread_errors_reach_the_caller() {
        let path = Path::new("/dev/full");
        let kind = EncoderKind::Greedy;
        let mut sink = Sink::create(path, OutputFormat::Vox, 8000, kind, None).unwrap();
        let x = vec![1000i16; 1 << 20];
        let mut failed = None;
        for chunk in x.chunks(4096) {
            if let Err(e) = sink.write(chunk) {
                failed = Some(e);
                break;
            }
        }
        let err = match failed {
            Some(e) => e,
            None => sink.finish().expect_err("writing /dev/full fails"),
        };
        let text = err.to_string();
        assert!(text.contains("/dev/full"), "{text}");
        assert!(text.to_lowercase().contains("space"), "{text}");
    }
}

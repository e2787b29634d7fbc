//! What happened while decoding: packets, corrupt ones skipped, audio lost,
//! truncation; when that is too much to go on, and the sentences for what
//! was not.

use super::SourceFacts;
use crate::billing::{Frames, duration_ms};
use crate::error::{Error, Result};

/// What happened while decoding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Frames delivered so far (per channel).
    pub frames: u64,
    /// Packets decoded successfully.
    pub packets: u64,
    /// Corrupt packets skipped.
    pub bad_packets: u64,
    /// Frames missing inside the stream (gaps in the packet timestamps where
    /// the demuxer skipped corrupt data).
    pub lost_frames: u64,
    /// Frames the container declares beyond those decoded, the file being
    /// whole: what the decoder skipped without a timestamp gap to show it
    /// (an MP3 resynchronising after corrupt frames).
    pub short_frames: u64,
    /// The file ended before its container said it would.
    pub truncated: bool,
    /// Bytes of an Ogg file in no page whose checksum holds: pages the
    /// demuxer skipped, with the audio in them.
    pub damaged_bytes: u64,
}

impl DecodeStats {
    /// Sentences for what went wrong but did not stop decoding.
    pub fn warnings(&self, facts: &SourceFacts) -> Vec<String> {
        let mut w = Vec::new();
        let rate = facts.sample_rate.max(1);
        if self.bad_packets > 0 {
            w.push(format!(
                "{} of {} packets were corrupt and skipped",
                self.bad_packets,
                self.bad_packets + self.packets
            ));
        }
        if self.lost_frames > 0 {
            w.push(format!(
                "{} of audio lost to corrupt data and skipped",
                duration_ms(Frames(self.lost_frames), rate)
            ));
        }
        if self.damaged_bytes > 0 {
            w.push(format!(
                "{} bytes of the file are damaged (Ogg pages whose checksum fails) and were skipped: the audio in them is lost",
                self.damaged_bytes
            ));
        }
        if self.short_frames > 0 {
            w.push(format!(
                "{} of audio missing: {} decoded of the {} the header declares (unreadable data skipped)",
                duration_ms(Frames(self.short_frames), rate),
                duration_ms(Frames(self.frames), rate),
                duration_ms(Frames(self.frames + self.lost_frames + self.short_frames), rate)
            ));
        }
        if self.truncated {
            let got = duration_ms(Frames(self.frames), rate);
            match facts.declared_frames {
                Some(d) if d > self.frames => w.push(format!(
                    "audio missing: the file ends early, {got} decoded of the {} its header declares",
                    duration_ms(Frames(d), rate)
                )),
                _ => w.push(format!("audio missing: the file ends early, {got} decoded")),
            }
        }
        w
    }

    /// While decoding: fail when more than `max` of the packets were
    /// corrupt, once enough packets were seen to judge.
    pub(super) fn check_bad_share(&self, max: f64) -> Result<()> {
        if self.packets + self.bad_packets >= 100 {
            self.check_bad_share_final(max)
        } else {
            Ok(())
        }
    }

    fn check_bad_share_final(&self, max: f64) -> Result<()> {
        let total = self.packets + self.bad_packets;
        if total > 0 && self.bad_packets as f64 / total as f64 > max {
            return Err(Error::Malformed(format!(
                "decode: {} of {total} packets are corrupt (more than {:.0}% of the file lost)",
                self.bad_packets,
                max * 100.0
            )));
        }
        Ok(())
    }

    /// At the end of the stream: count as lost what the container declares
    /// beyond what was decoded (when the file did not end early); fail when
    /// nothing was decoded, too much was corrupt, or the file ended early
    /// (unless `accept_truncated`).
    pub(super) fn finish(
        &mut self,
        facts: &SourceFacts,
        max_bad_share: f64,
        accept_truncated: bool,
    ) -> Result<()> {
        let total = self.packets + self.bad_packets;
        if total > 0 && self.packets == 0 {
            return Err(Error::Malformed(format!(
                "decode: {}: all {total} packets were corrupt",
                facts.codec
            )));
        }
        if self.bad_packets > 0 {
            self.check_bad_share_final(max_bad_share)?;
        }
        // Fewer frames than the container declares, though the file did not
        // end early: the decoder skipped data it could not read (an MP3
        // resynchronising after corrupt frames). A warning, not truncation.
        if let Some(d) = facts.declared_frames
            && !self.truncated
        {
            let seen = self.frames.saturating_add(self.lost_frames);
            self.short_frames = d.saturating_sub(seen);
        }
        let seen = self.frames.saturating_add(self.lost_frames);
        if self.lost_frames as f64 > max_bad_share * seen as f64 {
            return Err(Error::Malformed(format!(
                "decode: {}: {:.0}% of the audio is corrupt (more than {:.0}% lost)",
                facts.codec,
                100.0 * self.lost_frames as f64 / seen.max(1) as f64,
                max_bad_share * 100.0
            )));
        }
        if self.frames == 0 {
            return Err(Error::Malformed(format!(
                "decode: {} in {}: no audio in the file",
                facts.codec, facts.container
            )));
        }
        if self.truncated && !accept_truncated {
            let rate = facts.sample_rate.max(1);
            return Err(Error::Truncated {
                decoded: duration_ms(Frames(self.frames), rate),
                declared: facts
                    .declared_frames
                    .filter(|&d| d > self.frames)
                    .map(|d| duration_ms(Frames(d), rate)),
            });
        }
        Ok(())
    }
}

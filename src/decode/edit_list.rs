//! The edit list of an MP4/M4A audio track (ISO/IEC 14496-12, 8.6.6 `elst`):
//! where the presentation starts in the decoded stream and how long it is.
//!
//! AAC encoders put priming samples before the audio (1024 for ffmpeg's,
//! 2112 for Apple's) and pad the last frame; the edit list says which part
//! to play. symphonia 0.6 parses `elst` but does not apply it (its issue
//! #544), so voxprep reads it itself: without it, a converted M4A starts
//! with about 23-48 ms of encoder delay and ends with padding, and its
//! length (so its billing) is off.
//!
//! Only what is needed is read, within bounds: box headers, and the small
//! payloads of `mvhd`, `mdhd`, `hdlr` and `elst`; everything else, `mdat`
//! included, is seeked over. A malformed file gives `None` (decoding then
//! goes on untrimmed), never an error.
//!
//! The same walk names the sound track's sample entry and track id
//! ([`sound_sample_entry`]): symphonia 0.6 demuxes AMR in 3GPP (`samr`,
//! `sawb`) but gives its track no codec parameters, so the router asks
//! here what the track holds.

use std::io::{Read, Seek, SeekFrom};

/// The part of a track to present, in the track's media time scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Edit {
    /// Media time at which presentation starts (the priming to skip).
    pub media_start: u64,
    /// Presentation length in the movie time scale (`None`: to the end).
    pub duration: Option<u64>,
    /// The media time scale (`mdhd`), units per second.
    pub media_timescale: u32,
    /// The movie time scale (`mvhd`), units per second.
    pub movie_timescale: u32,
}

impl Edit {
    /// Frames to skip at the start, at `rate` Hz.
    pub(super) fn skip_frames(&self, rate: u32) -> u64 {
        scale(self.media_start, rate, self.media_timescale)
    }

    /// Frames to present, at `rate` Hz (`None`: all that follow).
    pub(super) fn keep_frames(&self, rate: u32) -> Option<u64> {
        self.duration.map(|d| scale(d, rate, self.movie_timescale))
    }
}

/// `value` units of `1/from` seconds in units of `1/to` seconds, rounded to nearest.
fn scale(value: u64, to: u32, from: u32) -> u64 {
    let v = (u128::from(value) * u128::from(to) + u128::from(from) / 2) / u128::from(from.max(1));
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// Boxes visited at most: a hostile file cannot keep us walking.
const MAX_BOXES: usize = 10_000;

/// The edit of the first sound track, when the file has exactly one
/// non-empty edit for it with a normal rate. `None` for no edit list, an edit
/// that starts at 0 and runs to the end, several edits (not supported: played
/// untrimmed), or anything malformed. Leaves the reader's position anywhere.
pub(super) fn sound_track_edit<R: Read + Seek>(r: &mut R) -> Option<Edit> {
    let end = r.seek(SeekFrom::End(0)).ok()?;
    let mut budget = MAX_BOXES;
    let moov = find(r, 0, end, b"moov", &mut budget)?;
    let mvhd = find(r, moov.0, moov.1, b"mvhd", &mut budget)?;
    let movie_timescale = timescale(r, mvhd.0)?;
    let mut at = moov.0;
    while let Some(trak) = find(r, at, moov.1, b"trak", &mut budget) {
        at = trak.1;
        let Some(mdia) = find(r, trak.0, trak.1, b"mdia", &mut budget) else {
            continue;
        };
        let hdlr = find(r, mdia.0, mdia.1, b"hdlr", &mut budget)?;
        if read_at::<12>(r, hdlr.0)?[8..12] != *b"soun" {
            continue;
        }
        let mdhd = find(r, mdia.0, mdia.1, b"mdhd", &mut budget)?;
        let media_timescale = timescale(r, mdhd.0)?;
        let edts = find(r, trak.0, trak.1, b"edts", &mut budget)?;
        let elst = find(r, edts.0, edts.1, b"elst", &mut budget)?;
        let (media_start, duration) = single_edit(r, elst)?;
        if media_timescale == 0 || movie_timescale == 0 {
            return None;
        }
        let edit = Edit {
            media_start,
            duration: Some(duration).filter(|&d| d > 0),
            media_timescale,
            movie_timescale,
        };
        return (edit.media_start > 0 || edit.duration.is_some()).then_some(edit);
    }
    None
}

/// The first sound track's id (`tkhd`) and the type of its first sample
/// entry (`stsd`: `mp4a`, `samr`, `sawb`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SoundEntry {
    /// The track id, as symphonia's `Track::id` gives it.
    pub track_id: u32,
    /// The sample entry's box type.
    pub kind: [u8; 4],
}

/// The first sound track's [`SoundEntry`], `None` when there is none or
/// the file is malformed. Leaves the reader's position anywhere.
pub(super) fn sound_sample_entry<R: Read + Seek>(r: &mut R) -> Option<SoundEntry> {
    let end = r.seek(SeekFrom::End(0)).ok()?;
    let mut budget = MAX_BOXES;
    let moov = find(r, 0, end, b"moov", &mut budget)?;
    let mut at = moov.0;
    while let Some(trak) = find(r, at, moov.1, b"trak", &mut budget) {
        at = trak.1;
        let Some(mdia) = find(r, trak.0, trak.1, b"mdia", &mut budget) else {
            continue;
        };
        let hdlr = find(r, mdia.0, mdia.1, b"hdlr", &mut budget)?;
        if read_at::<12>(r, hdlr.0)?[8..12] != *b"soun" {
            continue;
        }
        let tkhd = find(r, trak.0, trak.1, b"tkhd", &mut budget)?;
        // Version and flags, two times (32 or 64 bits each), the id.
        let head = read_at::<24>(r, tkhd.0)?;
        let id = match head[0] {
            0 => &head[12..16],
            1 => &head[20..24],
            _ => return None,
        };
        let minf = find(r, mdia.0, mdia.1, b"minf", &mut budget)?;
        let stbl = find(r, minf.0, minf.1, b"stbl", &mut budget)?;
        let stsd = find(r, stbl.0, stbl.1, b"stsd", &mut budget)?;
        // Version and flags, the entry count, then the first entry's box
        // header: its size and type.
        if stsd.0.checked_add(16)? > stsd.1 {
            return None;
        }
        let head = read_at::<16>(r, stsd.0)?;
        return Some(SoundEntry {
            track_id: u32::from_be_bytes(id.try_into().ok()?),
            kind: head[12..16].try_into().ok()?,
        });
    }
    None
}

/// The payload span `[start, end)` of the first box of type `kind` among the
/// boxes in `[from, to)`.
fn find<R: Read + Seek>(
    r: &mut R,
    from: u64,
    to: u64,
    kind: &[u8; 4],
    budget: &mut usize,
) -> Option<(u64, u64)> {
    let mut at = from;
    while at.checked_add(8)? <= to {
        *budget = budget.checked_sub(1)?;
        let head = read_at::<8>(r, at)?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let (size, header) = match size32 {
            0 => (to - at, 8),
            1 => (u64::from_be_bytes(read_at::<8>(r, at + 8)?), 16),
            n => (u64::from(n), 8),
        };
        if size < header || at.checked_add(size)? > to {
            return None;
        }
        if head[4..8] == *kind {
            return Some((at + header, at + size));
        }
        at += size;
    }
    None
}

/// The time scale of an `mvhd` or `mdhd` payload starting at `at`.
fn timescale<R: Read + Seek>(r: &mut R, at: u64) -> Option<u32> {
    let head = read_at::<24>(r, at)?;
    let field = match head[0] {
        0 => &head[12..16],
        1 => &head[20..24],
        _ => return None,
    };
    Some(u32::from_be_bytes(field.try_into().ok()?))
}

/// The one non-empty edit of an `elst` payload: (media time, segment duration).
/// Empty edits (media time -1, a delay before the track) are passed over.
fn single_edit<R: Read + Seek>(r: &mut R, (start, end): (u64, u64)) -> Option<(u64, u64)> {
    let head = read_at::<8>(r, start)?;
    let version = head[0];
    let count = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
    let entry_len: u64 = if version == 1 { 20 } else { 12 };
    // More than a handful of edits is not a priming trim: leave it alone.
    if count == 0 || count > 4 || start + 8 + u64::from(count) * entry_len > end {
        return None;
    }
    let mut found = None;
    for i in 0..u64::from(count) {
        let at = start + 8 + i * entry_len;
        let (duration, media_time, rate) = if version == 1 {
            let e = read_at::<20>(r, at)?;
            (
                u64::from_be_bytes(e[0..8].try_into().ok()?),
                i64::from_be_bytes(e[8..16].try_into().ok()?),
                i32::from_be_bytes(e[16..20].try_into().ok()?),
            )
        } else {
            let e = read_at::<12>(r, at)?;
            (
                u64::from(u32::from_be_bytes(e[0..4].try_into().ok()?)),
                i64::from(i32::from_be_bytes(e[4..8].try_into().ok()?)),
                i32::from_be_bytes(e[8..12].try_into().ok()?),
            )
        };
        if media_time == -1 {
            continue;
        }
        // Rate 1.0 (16.16 fixed point) only; a second real edit is a cut.
        if media_time < 0 || rate != 0x0001_0000 || found.is_some() {
            return None;
        }
        found = Some((u64::try_from(media_time).ok()?, duration));
    }
    found
}

fn read_at<const N: usize>(r: &mut (impl Read + Seek), at: u64) -> Option<[u8; N]> {
    r.seek(SeekFrom::Start(at)).ok()?;
    let mut buf = [0u8; N];
    r.read_exact(&mut buf).ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn mp4_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(payload.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }

    fn header_v0(timescale: u32, duration: u32) -> Vec<u8> {
        let mut p = vec![0u8; 12];
        p.extend_from_slice(&timescale.to_be_bytes());
        p.extend_from_slice(&duration.to_be_bytes());
        p.resize(32, 0);
        p
    }

    fn elst_v0(entries: &[(u32, i32)]) -> Vec<u8> {
        let mut p = vec![0u8; 4];
        p.extend_from_slice(&u32::try_from(entries.len()).unwrap().to_be_bytes());
        for &(d, t) in entries {
            p.extend_from_slice(&d.to_be_bytes());
            p.extend_from_slice(&t.to_be_bytes());
            p.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        }
        p
    }

    /// A movie with a video track (no edit) before a sound track.
    fn movie(handler: &[u8; 4], edits: &[(u32, i32)]) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.resize(24, 0);
        let mdia = [
            mp4_box(b"mdhd", &header_v0(44100, 23074)),
            mp4_box(b"hdlr", &hdlr),
        ]
        .concat();
        let mut vhdlr = vec![0u8; 8];
        vhdlr.extend_from_slice(b"vide");
        let video = mp4_box(
            b"trak",
            &mp4_box(
                b"mdia",
                &[
                    mp4_box(b"mdhd", &header_v0(90000, 1)),
                    mp4_box(b"hdlr", &vhdlr),
                ]
                .concat(),
            ),
        );
        let sound = mp4_box(
            b"trak",
            &[
                mp4_box(b"tkhd", &[0u8; 84]),
                mp4_box(b"edts", &mp4_box(b"elst", &elst_v0(edits))),
                mp4_box(b"mdia", &mdia),
            ]
            .concat(),
        );
        [
            mp4_box(b"ftyp", b"M4A \0\0\0\0"),
            mp4_box(b"mdat", &[0xAA; 100]),
            mp4_box(
                b"moov",
                &[mp4_box(b"mvhd", &header_v0(1000, 500)), video, sound].concat(),
            ),
        ]
        .concat()
    }

    #[test]
    fn ffmpeg_style_priming_edit() {
        let edit = sound_track_edit(&mut Cursor::new(movie(b"soun", &[(500, 1024)]))).unwrap();
        assert_eq!(edit.skip_frames(44100), 1024);
        assert_eq!(edit.keep_frames(44100), Some(22050));
        // At the decoder's rate if it differs from the media time scale.
        assert_eq!(edit.skip_frames(22050), 512);
        // An empty edit (a delay) before the real one is passed over.
        let edit = sound_track_edit(&mut Cursor::new(movie(b"soun", &[(100, -1), (500, 2112)])));
        assert_eq!(edit.unwrap().skip_frames(44100), 2112);
    }

    #[test]
    fn nothing_to_trim_or_not_understood() {
        let none = |bytes: Vec<u8>| assert_eq!(sound_track_edit(&mut Cursor::new(bytes)), None);
        none(movie(b"soun", &[(0, 0)]));
        none(movie(b"soun", &[(250, 1024), (250, 30000)]));
        none(movie(b"vide", &[(500, 1024)]));
        none(Vec::new());
        none(b"RIFF\x04\0\0\0WAVE".to_vec());
        // Truncated anywhere: no edit, no panic.
        let full = movie(b"soun", &[(500, 1024)]);
        for cut in 0..full.len() {
            let _ = sound_track_edit(&mut Cursor::new(&full[..cut]));
        }
        // A box that claims to be larger than the file.
        let mut lying = full.clone();
        let moov = lying.windows(4).position(|w| w == b"moov").unwrap() - 4;
        lying[moov..moov + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        none(lying);
    }

    #[test]
    fn the_sample_entry_of_the_sound_track() {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"soun");
        hdlr.resize(24, 0);
        let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
        stsd.extend_from_slice(&mp4_box(b"samr", &[0; 28]));
        // Version 0: the id after two 32-bit times.
        let mut tkhd = vec![0u8; 84];
        tkhd[12..16].copy_from_slice(&7u32.to_be_bytes());
        let moov = mp4_box(
            b"moov",
            &mp4_box(
                b"trak",
                &[
                    mp4_box(b"tkhd", &tkhd),
                    mp4_box(
                        b"mdia",
                        &[
                            mp4_box(b"hdlr", &hdlr),
                            mp4_box(b"minf", &mp4_box(b"stbl", &mp4_box(b"stsd", &stsd))),
                        ]
                        .concat(),
                    ),
                ]
                .concat(),
            ),
        );
        let file = [mp4_box(b"ftyp", b"3gp4\0\0\0\0"), moov].concat();
        assert_eq!(
            sound_sample_entry(&mut Cursor::new(file.clone())),
            Some(SoundEntry {
                track_id: 7,
                kind: *b"samr"
            })
        );
        for cut in 0..file.len() {
            let _ = sound_sample_entry(&mut Cursor::new(&file[..cut]));
        }
        assert_eq!(
            sound_sample_entry(&mut Cursor::new(movie(b"soun", &[]))),
            None
        );
    }

    #[test]
    fn scaling_rounds_and_does_not_overflow() {
        assert_eq!(scale(u64::MAX, 48000, 1), u64::MAX);
        assert_eq!(scale(1, 3, 2), 2);
        assert_eq!(scale(5, 8000, 0), 40000);
    }
}

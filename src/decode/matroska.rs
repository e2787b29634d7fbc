//! The end trim of an Opus track in Matroska/WebM: the `DiscardPadding` of
//! its last block (Matroska `BlockGroup`, ID 0x75A2, in nanoseconds).
//!
//! An Opus encoder pads the last packet to a whole frame; Ogg says how much
//! to drop through the last granule position (symphonia gives it as the
//! packet's `trim_end`), Matroska through `DiscardPadding` on the last
//! block, which symphonia 0.6 parses but does not apply. Without it a WebM
//! decodes up to one packet (13.5 ms on the fixtures) longer than libopus
//! decodes it, and bills that. So voxprep reads it itself: which packet is
//! the track's last (counting blocks and their laces, as the demuxer splits
//! them) and how many frames to drop from it.
//!
//! Only element headers and the first bytes of blocks are read; payloads are
//! seeked over. An unknown-size element other than a `Segment` or `Cluster`,
//! or anything malformed, gives `None` (decoding then goes on untrimmed),
//! never an error.

use std::io::{BufReader, Read, Seek, SeekFrom};

const SEGMENT: u32 = 0x1853_8067;
const CLUSTER: u32 = 0x1F43_B675;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;
const SIMPLE_BLOCK: u32 = 0xA3;
const DISCARD_PADDING: u32 = 0x75A2;

/// Elements visited at most: a hostile file cannot keep us walking (a
/// four-hour recording in 20 ms packets has about 0.8 million blocks).
const MAX_ELEMENTS: usize = 20_000_000;

/// Where a track ends: its `packet`-th packet (1-based) is the last, and
/// `trim` frames at 48 kHz are to be dropped from its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct End {
    /// The number of the last packet, counting from 1.
    pub(super) packet: u64,
    /// Frames at 48 kHz to drop from its end.
    pub(super) trim: u64,
}

/// The end trim of track number `track`, when its last block carries a
/// positive `DiscardPadding`.
pub(super) fn opus_end<R: Read + Seek>(file: R, track: u64) -> Option<End> {
    let mut r = Reader {
        inner: BufReader::new(file),
        pos: 0,
    };
    let len = r.inner.seek(SeekFrom::End(0)).ok()?;
    r.inner.rewind().ok()?;
    let mut at = 0u64;
    let mut packets = 0u64;
    // The last block of the track: its packet count and padding (ns).
    let mut last: Option<(u64, i64)> = None;
    // The block group being read: where it ends, and what it held so far.
    let mut group: Option<Group> = None;
    for _ in 0..MAX_ELEMENTS {
        if let Some(g) = group.filter(|g| at >= g.end) {
            if g.ours {
                last = Some((packets, g.padding));
            }
            group = None;
        }
        let Some((id, size, header)) = element_header(&mut r, at) else {
            break;
        };
        let body = at.checked_add(header)?;
        match id {
            // Containers: their children follow, whatever their size says
            // (live recorders write Segment and Cluster with unknown size).
            SEGMENT | CLUSTER => {
                at = body;
                continue;
            }
            BLOCK_GROUP => {
                group = Some(Group {
                    end: body.checked_add(size?)?,
                    ours: false,
                    padding: 0,
                });
                at = body;
                continue;
            }
            SIMPLE_BLOCK | BLOCK => {
                let (number, laces) = block_header(&mut r, body)?;
                if number == track {
                    packets = packets.checked_add(laces)?;
                    match group.as_mut() {
                        Some(g) if id == BLOCK => g.ours = true,
                        _ => last = Some((packets, 0)),
                    }
                }
            }
            DISCARD_PADDING => {
                let n = usize::try_from(size?).ok().filter(|&n| n <= 8)?;
                let mut b = [0u8; 8];
                if r.read_at(body, &mut b[..n])? < n {
                    return None;
                }
                // A signed big-endian integer of n bytes (none: 0).
                let v = match n {
                    0 => 0,
                    n => i64::from_be_bytes(b) >> (8 * (8 - n)),
                };
                if let Some(g) = group.as_mut() {
                    g.padding = v;
                }
            }
            _ => {}
        }
        at = body.checked_add(size?)?;
        if at > len {
            // Cut short: what was read is not the end.
            return None;
        }
    }
    if let Some(g) = group.filter(|g| g.ours) {
        last = Some((packets, g.padding));
    }
    let (packet, ns) = last?;
    // Nanoseconds to 48 kHz frames, rounded to nearest as ffmpeg does.
    let trim = u64::try_from(ns).ok().filter(|&ns| ns > 0)?;
    let trim = (u128::from(trim) * 48_000 + 500_000_000) / 1_000_000_000;
    Some(End {
        packet,
        trim: u64::try_from(trim).ok()?,
    })
}

/// A `BlockGroup` being walked.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// Where it ends.
    end: u64,
    /// It holds a block of the track.
    ours: bool,
    /// Its `DiscardPadding`, nanoseconds.
    padding: i64,
}

/// The element at `at`: its ID (marker bits kept), its size (`None`:
/// unknown) and the length of its header.
fn element_header<R: Read + Seek>(r: &mut Reader<R>, at: u64) -> Option<(u32, Option<u64>, u64)> {
    let mut b = [0u8; 12];
    let n = r.read_at(at, &mut b)?;
    let id_len = (b[0].leading_zeros() + 1) as usize;
    if id_len > 4 || n <= id_len {
        return None;
    }
    let id = b[..id_len]
        .iter()
        .fold(0u32, |v, &x| (v << 8) | u32::from(x));
    let (size, size_len) = vint(&b[id_len..n])?;
    Some((id, size, (id_len + size_len) as u64))
}

/// A variable-size integer (EBML): its value without the marker bit
/// (`None` when all value bits are set: "unknown") and its length.
fn vint(b: &[u8]) -> Option<(Option<u64>, usize)> {
    let first = *b.first()?;
    let len = (first.leading_zeros() + 1) as usize;
    if len > 8 || b.len() < len {
        return None;
    }
    let mask = if len == 8 { 0 } else { 0xFFu8 >> len };
    let v = b[1..len]
        .iter()
        .fold(u64::from(first & mask), |v, &x| (v << 8) | u64::from(x));
    let all_ones = (1u64 << (7 * len)) - 1;
    Some(((v != all_ones).then_some(v), len))
}

/// A block's track number and the packets it holds (its laces).
fn block_header<R: Read + Seek>(r: &mut Reader<R>, at: u64) -> Option<(u64, u64)> {
    let mut b = [0u8; 12];
    let n = r.read_at(at, &mut b)?;
    let (track, len) = vint(&b[..n])?;
    // The track number, a 16-bit timestamp, the flags, and with lacing the
    // number of frames less one.
    let flags = *b.get(len + 2)?;
    let laces = match flags & 0x06 {
        0 => 1,
        _ => u64::from(*b.get(len + 3)?) + 1,
    };
    Some((track?, laces))
}

/// A buffered reader that knows where it is, so that skipping over a
/// payload moves within the buffer instead of asking the system.
struct Reader<R> {
    inner: BufReader<R>,
    pos: u64,
}

impl<R: Read + Seek> Reader<R> {
    /// Read what there is at `at`, up to `buf.len()` bytes (fewer at the
    /// end of the file); how many.
    fn read_at(&mut self, at: u64, buf: &mut [u8]) -> Option<usize> {
        let step = i64::try_from(at).ok()? - i64::try_from(self.pos).ok()?;
        self.inner.seek_relative(step).ok()?;
        self.pos = at;
        let mut n = 0;
        while n < buf.len() {
            match self.inner.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        self.pos += n as u64;
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// An element with a one-byte (or, for big payloads, eight-byte) size.
    fn el(id: u32, payload: &[u8]) -> Vec<u8> {
        let mut b: Vec<u8> = id
            .to_be_bytes()
            .into_iter()
            .skip_while(|&x| x == 0)
            .collect();
        if payload.len() < 127 {
            b.push(0x80 | payload.len() as u8);
        } else {
            b.push(0x01);
            b.extend_from_slice(&(payload.len() as u64).to_be_bytes()[1..]);
        }
        b.extend_from_slice(payload);
        b
    }

    fn unknown_size(id: u32) -> Vec<u8> {
        let mut b: Vec<u8> = id.to_be_bytes().to_vec();
        b.push(0xFF);
        b
    }

    fn block(track: u8, laces: Option<u8>) -> Vec<u8> {
        let mut b = vec![0x80 | track, 0, 0];
        match laces {
            Some(n) => b.extend_from_slice(&[0x02, n - 1]),
            None => b.push(0x80),
        }
        b.extend_from_slice(&[0xFC; 40]);
        b
    }

    fn end(file: &[u8], track: u64) -> Option<End> {
        opus_end(Cursor::new(file), track)
    }

    #[test]
    fn the_last_block_s_padding_trims_the_last_packet() {
        let mut cluster = Vec::new();
        for _ in 0..3 {
            cluster.extend(el(SIMPLE_BLOCK, &block(1, None)));
            // Another track's blocks are not counted.
            cluster.extend(el(SIMPLE_BLOCK, &block(2, None)));
        }
        cluster.extend(el(SIMPLE_BLOCK, &block(1, Some(3))));
        // 13.5 ms, as ffmpeg writes it (4 bytes, signed), after the block.
        let mut group = el(BLOCK, &block(1, None));
        group.extend(el(DISCARD_PADDING, &[0x00, 0xCD, 0xFE, 0x60]));
        cluster.extend(el(BLOCK_GROUP, &group));
        let mut file = el(0x1A45_DFA3, b"\x42\x82\x84webm");
        file.extend(el(SEGMENT, &el(CLUSTER, &cluster)));
        assert_eq!(
            end(&file, 1),
            Some(End {
                packet: 7,
                trim: 648
            })
        );
        assert_eq!(end(&file, 2), None);
        // The same with unknown-size Segment and Cluster (a live recorder).
        let mut live = el(0x1A45_DFA3, b"\x42\x82\x84webm");
        live.extend(unknown_size(SEGMENT));
        live.extend(unknown_size(CLUSTER));
        live.extend(&cluster);
        assert_eq!(end(&live, 1).map(|e| e.packet), Some(7));
        // Padding on a block that is not the last does not count.
        let mut more = cluster.clone();
        more.extend(el(SIMPLE_BLOCK, &block(1, None)));
        assert_eq!(end(&el(CLUSTER, &more), 1), None);
        // A negative padding (not meaningful) is ignored.
        let mut group = el(DISCARD_PADDING, &[0xFF, 0x00]);
        group.extend(el(BLOCK, &block(1, None)));
        assert_eq!(end(&el(BLOCK_GROUP, &group), 1), None);
    }

    #[test]
    fn malformed_or_cut_files_give_none() {
        let mut group = el(BLOCK, &block(1, None));
        group.extend(el(DISCARD_PADDING, &[0x00, 0xCD, 0xFE, 0x60]));
        let file = el(SEGMENT, &el(CLUSTER, &el(BLOCK_GROUP, &group)));
        assert_eq!(end(&file, 1).map(|e| e.trim), Some(648));
        for cut in 1..file.len() {
            let _ = end(&file[..cut], 1);
        }
        assert_eq!(end(&file[..file.len() - 2], 1), None);
        assert_eq!(end(&[], 1), None);
        assert_eq!(end(&[0u8; 64], 1), None);
        // An unknown size where one is needed.
        let mut bad = unknown_size(BLOCK_GROUP);
        bad.extend(&group);
        assert_eq!(end(&bad, 1), None);
        let mut seed = 11u32;
        for _ in 0..500 {
            let bytes: Vec<u8> = (0..200)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 16) as u8
                })
                .collect();
            let _ = end(&bytes, 1);
        }
    }

    #[test]
    fn variable_size_integers() {
        assert_eq!(vint(&[0x81]), Some((Some(1), 1)));
        assert_eq!(vint(&[0x40, 0x02]), Some((Some(2), 2)));
        assert_eq!(vint(&[0xFF]), Some((None, 1)));
        assert_eq!(
            vint(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            Some((None, 8))
        );
        assert_eq!(vint(&[0x00]), None);
        assert_eq!(vint(&[0x40]), None);
    }
}

//! Damage in an Ogg file, from its pages' checksums. symphonia skips a page
//! whose CRC is wrong without a word, and when that page is the last one the
//! stream's length goes with it, so nothing else shows the loss (ffmpeg
//! prints "CRC mismatch" and goes on the same way). This walk finds the
//! bytes that lie in no intact page.

use std::io::{self, Read};

/// Files larger than this are not walked (no warning either way): an hour
/// of Opus at 64 kbit/s is 29 MiB, and the walk holds the file in memory.
pub(super) const MAX_WALKED_BYTES: u64 = 64 << 20;

/// Bytes of a page header before its segment table.
const HEADER: usize = 27;

/// What the walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Damage {
    /// Bytes in no page whose checksum holds.
    pub(super) bytes: u64,
    /// Stretches of such bytes (a damaged page, or garbage between pages).
    pub(super) stretches: u64,
}

/// Walk the Ogg pages of `r` (at most [`MAX_WALKED_BYTES`]; `None` beyond
/// that). A page cut short by the end of the file is not damage: that is
/// truncation, which the reader reports.
pub(super) fn damage(r: impl Read) -> io::Result<Option<Damage>> {
    let mut bytes = Vec::new();
    r.take(MAX_WALKED_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_WALKED_BYTES {
        return Ok(None);
    }
    Ok(Some(walk(&bytes)))
}

fn walk(b: &[u8]) -> Damage {
    let mut damage = Damage::default();
    let mut at = 0;
    let mut in_damage = false;
    while at < b.len() {
        match page_len(&b[at..]) {
            Some(Page::Intact(len)) => {
                at += len;
                in_damage = false;
            }
            Some(Page::CutShort) => break,
            None => {
                // Not an intact page here: count bytes up to the next
                // capture pattern as damage.
                let next = b[at + 1..]
                    .windows(4)
                    .position(|w| w == b"OggS")
                    .map_or(b.len(), |p| at + 1 + p);
                damage.bytes += (next - at) as u64;
                if !in_damage {
                    damage.stretches += 1;
                    in_damage = true;
                }
                at = next;
            }
        }
    }
    damage
}

enum Page {
    /// A page whose checksum holds, this many bytes long.
    Intact(usize),
    /// A page header whose page runs past the end of the file.
    CutShort,
}

/// The page starting at `b[0]`, or `None` when there is no intact one.
fn page_len(b: &[u8]) -> Option<Page> {
    if !b.starts_with(b"OggS") || b.get(4) != Some(&0) {
        return None;
    }
    let Some(&segments) = b.get(26) else {
        return Some(Page::CutShort);
    };
    let Some(table) = b.get(HEADER..HEADER + usize::from(segments)) else {
        return Some(Page::CutShort);
    };
    let len = HEADER + table.len() + table.iter().map(|&s| usize::from(s)).sum::<usize>();
    let Some(page) = b.get(..len) else {
        return Some(Page::CutShort);
    };
    let stored = u32::from_le_bytes([page[22], page[23], page[24], page[25]]);
    (crc(page) == stored).then_some(Page::Intact(len))
}

/// Ogg's CRC-32 (polynomial 0x04C11DB7, MSB first, no reflection, initial
/// value and final XOR 0) of a page, its checksum field taken as zero.
fn crc(page: &[u8]) -> u32 {
    let mut crc = 0u32;
    for (i, &byte) in page.iter().enumerate() {
        let byte = if (22..26).contains(&i) { 0 } else { byte };
        crc ^= u32::from(byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page holding `body`, its checksum set.
    fn page(body: &[u8]) -> Vec<u8> {
        assert!(body.len() < 255);
        let mut p = b"OggS\0\0".to_vec();
        p.extend_from_slice(&[0; 20]); // granule, serial, sequence, crc
        p.push(1);
        p.push(body.len() as u8);
        p.extend_from_slice(body);
        let c = crc(&p);
        p[22..26].copy_from_slice(&c.to_le_bytes());
        p
    }

    #[test]
    fn intact_pages_are_no_damage() {
        let file = [page(b"one"), page(b"two"), page(&[7; 200])].concat();
        assert_eq!(walk(&file), Damage::default());
    }

    #[test]
    fn a_damaged_page_and_garbage_are_counted() {
        let good = page(b"audio audio");
        let mut bad = page(b"more audio");
        let bad_len = bad.len() as u64;
        bad[30] ^= 0x55;
        let file = [good.clone(), bad, good.clone(), b"junk".to_vec(), good].concat();
        assert_eq!(
            walk(&file),
            Damage {
                bytes: bad_len + 4,
                stretches: 2
            }
        );
    }

    #[test]
    fn a_page_cut_by_the_end_is_not_damage() {
        let p = page(b"audio audio");
        let file = [p.clone(), p[..p.len() - 3].to_vec()].concat();
        assert_eq!(walk(&file), Damage::default());
    }

    #[test]
    fn the_checksum_is_oggs() {
        // The first page of the repository's Vorbis fixture, as libogg
        // wrote it.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/convert/tone-44100Hz-stereo.ogg"
        );
        let file = std::fs::read(path).unwrap();
        assert_eq!(walk(&file), Damage::default());
        assert!(matches!(page_len(&file), Some(Page::Intact(_))));
    }
}

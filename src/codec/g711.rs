//! G.711 mu-law and A-law, decoded to 16-bit linear PCM as sox, libsndfile
//! and ffmpeg decode them (ITU-T G.711, the expansion of Sun's reference
//! `g711.c`): mu-law reaches +-32124, A-law +-32256.

/// One mu-law byte to a 16-bit sample.
pub(crate) fn mulaw(byte: u8) -> i16 {
    let u = !byte;
    let t = ((i32::from(u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
    let v = if u & 0x80 != 0 { 0x84 - t } else { t - 0x84 };
    // |v| <= 32124: always fits.
    v as i16
}

/// One A-law byte to a 16-bit sample.
pub(crate) fn alaw(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let mut t = i32::from(a & 0x0F) << 4;
    let segment = (a & 0x70) >> 4;
    match segment {
        0 => t += 8,
        1 => t += 0x108,
        s => t = (t + 0x108) << (s - 1),
    }
    // |t| <= 32256: always fits.
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_and_the_middle_of_the_scales() {
        // mu-law: 0x00 is the most negative, 0x80 the most positive, 0xFF/0x7F zero.
        assert_eq!((mulaw(0x00), mulaw(0x80)), (-32124, 32124));
        assert_eq!((mulaw(0xFF), mulaw(0x7F)), (0, 0));
        // A-law: 0xD5 / 0x55 are the smallest steps, 0xAA / 0x2A the largest.
        assert_eq!((alaw(0xD5), alaw(0x55)), (8, -8));
        assert_eq!((alaw(0xAA), alaw(0x2A)), (32256, -32256));
    }

    #[test]
    fn every_code_is_symmetric_and_monotone_by_magnitude() {
        for b in 0..=127u8 {
            assert_eq!(mulaw(b), -mulaw(b | 0x80), "mu-law {b:#x}");
            assert_eq!(alaw(b), -alaw(b | 0x80), "A-law {b:#x}");
        }
        // Larger codes (after the complement) are larger magnitudes.
        let mags: Vec<i32> = (0..128u8)
            .rev()
            .map(|b| i32::from(mulaw(b | 0x80)))
            .collect();
        assert!(mags.windows(2).all(|w| w[0] <= w[1]), "{mags:?}");
    }
}

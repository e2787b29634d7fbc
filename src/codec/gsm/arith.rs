//! The basic operations GSM 06.10's fixed-point description is written in, on
//! 16-bit words: saturating add and subtract, the rounding fractional multiply
//! `mult_r`, and the shifts `asr`/`asl`, which take negative counts. The
//! decoder computes with nothing else, so its arithmetic is the standard's
//! (libgsm's `add.c` and `private.h` spell the same operations).

/// `add(a, b)`: a + b, saturated to the 16-bit range.
pub(super) fn add(a: i16, b: i16) -> i16 {
    a.saturating_add(b)
}

/// `sub(a, b)`: a - b, saturated to the 16-bit range.
pub(super) fn sub(a: i16, b: i16) -> i16 {
    a.saturating_sub(b)
}

/// `mult_r(a, b)`: the Q15 product rounded, `(a * b + 16384) >> 15`; the one
/// product that does not fit, -32768 * -32768, gives 32767.
///
/// libgsm's `GSM_MULT_R` macro omits that case. It cannot arise in the
/// decoder: one factor is always a table value, 28180, or a reflection
/// coefficient, which is never -32768.
pub(super) fn mult_r(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    // In range: |a * b + 16384| >> 15 is at most 32768 only for the case above.
    ((i32::from(a) * i32::from(b) + 16384) >> 15) as i16
}

/// `asr(a, n)`: arithmetic shift right by n; a negative n shifts left (and
/// keeps the low 16 bits, as the standard's 16-bit `<<` does).
pub(super) fn asr(a: i16, n: i16) -> i16 {
    match n {
        16.. => a >> 15,
        ..=-16 => 0,
        0.. => a >> n,
        _ => a.wrapping_shl(n.unsigned_abs().into()),
    }
}

/// `asl(a, n)`: shift left by n (low 16 bits kept); a negative n shifts right
/// arithmetically.
pub(super) fn asl(a: i16, n: i16) -> i16 {
    match n {
        16.. => 0,
        ..=-16 => a >> 15,
        0.. => a.wrapping_shl(n.unsigned_abs().into()),
        _ => asr(a, -n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_and_sub_saturate() {
        assert_eq!(add(32000, 1000), 32767);
        assert_eq!(add(-32000, -1000), -32768);
        assert_eq!(add(-5, 3), -2);
        assert_eq!(sub(-32000, 1000), -32768);
        assert_eq!(sub(32000, -1000), 32767);
        assert_eq!(sub(0, -32768), 32767);
    }

    #[test]
    fn mult_r_rounds_and_saturates_the_one_overflow() {
        assert_eq!(mult_r(16384, 16384), 8192);
        assert_eq!(mult_r(1, 16384), 1); // 0.5 rounds up
        assert_eq!(mult_r(-1, 16384), 0); // -0.5 rounds up too
        assert_eq!(mult_r(-1, 16385), -1);
        assert_eq!(mult_r(32767, 32767), 32766);
        assert_eq!(mult_r(-32768, 32767), -32767);
        assert_eq!(mult_r(-32768, -32768), 32767);
        assert_eq!(mult_r(28180, -32768), -28180);
    }

    #[test]
    fn shifts_take_negative_counts_and_saturate_the_count() {
        assert_eq!(asr(-7, 1), -4);
        assert_eq!(asr(100, 0), 100);
        assert_eq!(asr(1, -3), 8);
        assert_eq!(asr(-1, 16), -1);
        assert_eq!(asr(1, 16), 0);
        assert_eq!(asr(-1, -16), 0);
        assert_eq!(asl(1, 9), 512);
        assert_eq!(asl(1, -1), 0);
        assert_eq!(asl(-8, -2), -2);
        assert_eq!(asl(1, 16), 0);
        assert_eq!(asl(-1, -16), -1);
        assert_eq!(asl(0x4001, 2), 4); // the low 16 bits, as the standard's <<
    }
}

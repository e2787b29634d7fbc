//! The constant tables of Dialogic ADPCM, and difference tables derived from
//! them once per decoder flavour.
//!
//! Source: Dialogic Corporation, *Dialogic ADPCM Algorithm*, application note
//! 00-1366-001 (1988): Table 1 ("step size", 49 entries, 12-bit units) and
//! Table 2 ("step-size index adjustment" by the code's three magnitude bits).
//! The same numbers appear in sox (`adpcms.c`), libsndfile (`ima_oki_adpcm.c`,
//! there pre-multiplied by 16), spandsp (`oki_adpcm.c`) and Asterisk
//! (`codec_adpcm.c`).

/// Step sizes in 12-bit units, indexed by the step index 0..=48
/// (application note 00-1366-001, Table 1; `floor(16 * 1.1^i)`).
#[rustfmt::skip]
pub(crate) const STEP_SIZES: [i32; 49] = [
      16,   17,   19,   21,   23,   25,   28,   31,   34,   37,
      41,   45,   50,   55,   60,   66,   73,   80,   88,   97,
     107,  118,  130,  143,  157,  173,  190,  209,  230,  253,
     279,  307,  337,  371,  408,  449,  494,  544,  598,  658,
     724,  796,  876,  963, 1060, 1166, 1282, 1411, 1552,
];

/// Step-index adjustment by the magnitude bits `code & 7`
/// (application note 00-1366-001, Table 2).
#[rustfmt::skip]
pub(crate) const INDEX_ADJUST: [i8; 8] = [-1, -1, -1, -1, 2, 4, 6, 8];

/// Highest step index.
pub(crate) const MAX_STEP_INDEX: u8 = 48;

/// Number of step indices.
pub(crate) const STEPS: usize = 49;

/// `NEXT_INDEX[i][m]`: the step index after a code of magnitude `m` at index `i`.
pub(crate) static NEXT_INDEX: [[u8; 8]; STEPS] = next_index_table();

/// Differences in 16-bit units (12-bit value x 16) for the exact family:
/// `16 * floor((2m + 1) * s / 8)`, which is libsndfile's
/// `((16 s * (2m + 1)) >> 3) & ~15`.
pub(crate) static DIFF_EXACT: [[i32; 8]; STEPS] = diff_table(Formula::Exact);

/// Differences in 16-bit units for the application note's shift-and-add
/// spelling: `s/8 + (m&4 ? s) + (m&2 ? s/2) + (m&1 ? s/4)`, each term truncated.
pub(crate) static DIFF_SHIFT_ADD: [[i32; 8]; STEPS] = diff_table(Formula::ShiftAdd);

/// Differences in 16-bit units for Asterisk's `codec_adpcm.c` (default,
/// "bit-level identical" build): shift-add, plus one when bit 1 of the code is
/// set and the step size is odd.
pub(crate) static DIFF_ASTERISK: [[i32; 8]; STEPS] = diff_table(Formula::Asterisk);

/// Signed differences by full 4-bit code, per flavour: `SIGNED_*[i][code]`
/// is the value added to the predictor (before clamping).
pub(crate) static SIGNED_EXACT: [[i32; 16]; STEPS] = signed(&DIFF_EXACT);
/// See [`SIGNED_EXACT`].
pub(crate) static SIGNED_SHIFT_ADD: [[i32; 16]; STEPS] = signed(&DIFF_SHIFT_ADD);
/// See [`SIGNED_EXACT`].
pub(crate) static SIGNED_ASTERISK: [[i32; 16]; STEPS] = signed(&DIFF_ASTERISK);

/// `ceil(2^32 / (4 s))` per step index: `(n * RECIP[i]) >> 32 == n / (4 s)`
/// exactly for every `n <= 65535` (the error term `n * (RECIP * 4s - 2^32)`
/// stays below `2^32` because the divisor is at most 6208). Replaces the
/// division in the greedy code choice `min(7, 4|d| / 16s)`.
pub(crate) static RECIP_4S: [u64; STEPS] = recip_table(4);

/// `ceil(2^32 / (12 s))` per step index: `(n * RECIP_12S[i]) >> 32 == n /
/// (12 s)` exactly for every `n <= 3 * 65535` (the error term stays below
/// `2^32` because `3 * 65535 * 12 * 1552 < 2^32`). The universal search
/// quantises three times the distance from the sample to the three
/// families' mean predictor with it: `|3x - sum| / 12s`, the greedy
/// magnitude of that mean without a division by 3.
pub(crate) static RECIP_12S: [u64; STEPS] = recip_table(12);

/// Per step index and code magnitude, `floor(log2(16 s)) - 3` at the step
/// index the code leads to: the search encoders compare predictors for
/// merging in buckets of `1 << MERGE_SHIFT` (s to 2s in 16-bit units, 1/16
/// to 1/8 of the step in its own 12-bit units).
pub(crate) static MERGE_SHIFT: [[u32; 8]; STEPS] = merge_shift_table();

/// One step index of one decoder flavour, laid out for the hot loops: by
/// 4-bit code, the signed difference (16-bit units) and the row of the next
/// step index, as a reference so that a loop follows it without arithmetic;
/// and the reciprocal with which the greedy encoder picks the magnitude (see
/// [`RECIP_4S`]).
#[derive(Clone, Copy)]
pub(crate) struct Row {
    pub(crate) recip: u64,
    pub(crate) diff: [i32; 16],
    pub(crate) next: [&'static Row; 16],
    pub(crate) index: u8,
    /// libsndfile's grace past the rails, `s/8` in 16-bit units: a decoder
    /// step that overshoots a rail by more than this is an "ADPCM state
    /// error" (no ADPCM encoder writes one).
    pub(crate) grace: i32,
}

/// Rows form a cycle through `next`, so the derived form would never end.
impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Row(step index {})", self.index)
    }
}

/// A placeholder the row tables' initialisers overwrite everywhere.
static ROW_UNUSED: Row = Row {
    recip: 0,
    diff: [0; 16],
    next: [&ROW_UNUSED; 16],
    index: 0,
    grace: 0,
};

/// Defines a static `[Row; STEPS]` for a formula. The rows refer to each
/// other, which a static may do in its own initialiser.
macro_rules! rows {
    ($(#[$doc:meta])* $name:ident, $formula:expr) => {
        $(#[$doc])*
        pub(crate) static $name: [Row; STEPS] = {
            let diffs = signed(&diff_table($formula));
            let next = next_index_table();
            let recip = recip_table(4);
            let mut t = [Row {
                recip: 0,
                diff: [0; 16],
                next: [&ROW_UNUSED; 16],
                index: 0,
                grace: 0,
            }; STEPS];
            let mut i = 0;
            while i < STEPS {
                let mut code = 0;
                while code < 16 {
                    t[i].diff[code] = diffs[i][code];
                    t[i].next[code] = &$name[next[i][code & 7] as usize];
                    code += 1;
                }
                t[i].recip = recip[i];
                t[i].index = i as u8;
                t[i].grace = (STEP_SIZES[i] >> 3) * 16;
                i += 1;
            }
            t
        };
    };
}

rows!(
    /// [`Row`]s of the exact family (also the greedy encoder's).
    ROWS_EXACT,
    Formula::Exact
);
rows!(
    /// [`Row`]s of the shift-add family.
    ROWS_SHIFT_ADD,
    Formula::ShiftAdd
);
rows!(
    /// [`Row`]s of Asterisk's decoder.
    ROWS_ASTERISK,
    Formula::Asterisk
);

const fn signed(d: &[[i32; 8]; STEPS]) -> [[i32; 16]; STEPS] {
    let mut t = [[0i32; 16]; STEPS];
    let mut i = 0;
    while i < STEPS {
        let mut c = 0;
        while c < 16 {
            t[i][c] = if c & 8 != 0 {
                -d[i][c & 7]
            } else {
                d[i][c & 7]
            };
            c += 1;
        }
        i += 1;
    }
    t
}

const fn merge_shift_table() -> [[u32; 8]; STEPS] {
    let next = next_index_table();
    let mut t = [[0u32; 8]; STEPS];
    let mut i = 0;
    while i < STEPS {
        let mut m = 0;
        while m < 8 {
            let step16 = STEP_SIZES[next[i][m] as usize] * 16;
            t[i][m] = (31 - step16.leading_zeros()).saturating_sub(3);
            m += 1;
        }
        i += 1;
    }
    t
}

/// `ceil(2^32 / (times * s))` per step index.
const fn recip_table(times: u64) -> [u64; STEPS] {
    let mut t = [0u64; STEPS];
    let mut i = 0;
    while i < STEPS {
        let d = times * STEP_SIZES[i] as u64;
        t[i] = (1u64 << 32).div_ceil(d);
        i += 1;
    }
    t
}

#[derive(Clone, Copy)]
enum Formula {
    Exact,
    ShiftAdd,
    Asterisk,
}

const fn diff12(formula: Formula, s: i32, m: i32) -> i32 {
    match formula {
        Formula::Exact => (2 * m + 1) * s / 8,
        Formula::ShiftAdd | Formula::Asterisk => {
            let mut d = s >> 3;
            if m & 4 != 0 {
                d += s;
            }
            if m & 2 != 0 {
                d += s >> 1;
            }
            if m & 1 != 0 {
                d += s >> 2;
            }
            if matches!(formula, Formula::Asterisk) && (m & 2 != 0) && (s & 1 != 0) {
                d += 1;
            }
            d
        }
    }
}

const fn diff_table(formula: Formula) -> [[i32; 8]; STEPS] {
    let mut t = [[0i32; 8]; STEPS];
    let mut i = 0;
    while i < STEPS {
        let mut m = 0;
        while m < 8 {
            t[i][m] = 16 * diff12(formula, STEP_SIZES[i], m as i32);
            m += 1;
        }
        i += 1;
    }
    t
}

const fn next_index_table() -> [[u8; 8]; STEPS] {
    let mut t = [[0u8; 8]; STEPS];
    let mut i = 0;
    while i < STEPS {
        let mut m = 0;
        while m < 8 {
            let n = i as i32 + INDEX_ADJUST[m] as i32;
            t[i][m] = if n < 0 {
                0
            } else if n > MAX_STEP_INDEX as i32 {
                MAX_STEP_INDEX
            } else {
                n as u8
            };
            m += 1;
        }
        i += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_sizes_follow_the_application_note_formula() {
        // Table 1 is floor(16 * 1.1^i) for every entry.
        for (i, &s) in STEP_SIZES.iter().enumerate() {
            let f = (16.0 * 1.1f64.powi(i as i32)).floor() as i32;
            assert_eq!(s, f, "index {i}");
        }
    }

    #[test]
    fn shift_add_differs_from_exact_for_102_pairs_and_is_never_larger() {
        let mut differ = 0;
        for i in 0..STEPS {
            for m in 0..8 {
                let (e, sa) = (DIFF_EXACT[i][m], DIFF_SHIFT_ADD[i][m]);
                assert!(sa <= e && e - sa <= 2 * 16, "i {i} m {m}: {e} vs {sa}");
                if e != sa {
                    differ += 1;
                }
            }
        }
        assert_eq!(differ, 102);
    }

    #[test]
    fn reciprocals_divide_exactly() {
        for (i, &s) in STEP_SIZES.iter().enumerate() {
            for n in 0..=65535u64 {
                assert_eq!((n * RECIP_4S[i]) >> 32, n / (4 * s as u64), "i {i} n {n}");
            }
            for n in 0..=3 * 65535u64 {
                assert_eq!((n * RECIP_12S[i]) >> 32, n / (12 * s as u64), "i {i} n {n}");
            }
        }
    }

    #[test]
    fn rows_agree_with_the_tables() {
        for (rows, signed) in [
            (&ROWS_EXACT, &SIGNED_EXACT),
            (&ROWS_SHIFT_ADD, &SIGNED_SHIFT_ADD),
            (&ROWS_ASTERISK, &SIGNED_ASTERISK),
        ] {
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.index as usize, i);
                assert_eq!(row.recip, RECIP_4S[i]);
                assert_eq!(row.grace, (STEP_SIZES[i] >> 3) * 16);
                for code in 0..16 {
                    assert_eq!(row.diff[code], signed[i][code]);
                    assert_eq!(row.next[code].index, NEXT_INDEX[i][code & 7]);
                    assert!(std::ptr::eq(
                        row.next[code],
                        &rows[row.next[code].index as usize]
                    ));
                }
            }
        }
    }

    #[test]
    fn index_table_clamps() {
        assert_eq!(NEXT_INDEX[0][0], 0);
        assert_eq!(NEXT_INDEX[0][7], 8);
        assert_eq!(NEXT_INDEX[45][7], 48);
        assert_eq!(NEXT_INDEX[10][3], 9);
    }

    #[test]
    fn merge_buckets_span_one_to_two_steps() {
        // In 16-bit units: more than s, at most 2s, at the step index the
        // code leads to.
        for (i, row) in MERGE_SHIFT.iter().enumerate() {
            for (m, &shift) in row.iter().enumerate() {
                let s = STEP_SIZES[NEXT_INDEX[i][m] as usize];
                let bucket = 1i32 << shift;
                assert!(
                    s < bucket && bucket <= 2 * s,
                    "index {i} m {m}: s {s}, bucket {bucket}"
                );
            }
        }
    }
}

//! The pictures of the page, as compact data and inline SVG: a waveform
//! thumbnail's envelope as two characters a bin (drawn by the page's script
//! on a canvas when its row comes into view), and the loudness chart. Pure.

use std::fmt::Write as _;
use voxprep::report::LOUDNESS_SPREAD_LU;
use voxprep::signal::Envelope;

/// The levels a thumbnail spans, dB below full scale: the centre line is
/// this quiet, the edges are full scale. On that scale the silence
/// threshold (-50 dBFS by default), a quiet prompt and clipping are all
/// visible at 48 pixels, which a linear scale cannot show at once.
pub const FLOOR_DB: f64 = 60.0;

/// The characters of the encoding: level `q` (0 = full scale negative, 31 =
/// the centre, 62 = full scale positive) is `ALPHABET[q]`.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Height of a level of magnitude `m` (0..=32768) on the thumbnail's dB
/// scale: 0 at [`FLOOR_DB`] below full scale or quieter, 1 at full scale.
pub fn height(m: f64) -> f64 {
    if m.is_nan() || m <= 0.0 {
        return 0.0;
    }
    let db = 20.0 * (m / 32768.0).log10();
    ((db + FLOOR_DB) / FLOOR_DB).clamp(0.0, 1.0)
}

/// The magnitudes where a sample's level on the dB scale goes up a step:
/// `k` of them at or below a magnitude make its level `31 ± k` (of 0..=62),
/// as `round((1 ± height) * 31)` would, without a logarithm a sample.
fn steps() -> [f64; 31] {
    std::array::from_fn(|j| {
        let h = (j as f64 + 0.5) / 31.0;
        32768.0 * 10f64.powf((h * FLOOR_DB - FLOOR_DB) / 20.0)
    })
}

/// A sample as one of the 63 levels of the encoding (31 = silence).
fn level(steps: &[f64; 31], v: i16) -> usize {
    let m = f64::from(v).abs();
    let k = steps.partition_point(|&t| t <= m);
    if v < 0 { 31 - k } else { 31 + k }
}

/// The envelope as the page's script reads it: for each bin, its maximum's
/// level then its minimum's.
pub fn encode(e: &Envelope) -> String {
    let steps = steps();
    let mut out = String::with_capacity(2 * e.len());
    for (&hi, &lo) in e.max.iter().zip(&e.min) {
        out.push(char::from(ALPHABET[level(&steps, hi)]));
        out.push(char::from(ALPHABET[level(&steps, lo)]));
    }
    out
}

/// The clipped bins as ranges: `3-4,9`.
pub fn ranges(bins: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bins.len() {
        let mut j = i;
        while j + 1 < bins.len() && bins[j + 1] == bins[j] + 1 {
            j += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        match j > i {
            true => write!(out, "{}-{}", bins[i], bins[j]),
            false => write!(out, "{}", bins[i]),
        }
        .expect("a String takes any write");
        i = j + 1;
    }
    out
}

/// Width and height of the loudness chart, in pixels.
const CHART_W: f64 = 640.0;
const CHART_H: f64 = 132.0;

/// The loudness chart: each prompt's loudness against the median, sorted
/// from the quietest to the loudest, one bar each (up louder, down quieter),
/// with the ±[`LOUDNESS_SPREAD_LU`] band marked and the bars outside it in
/// colour and labelled by the legend. An SVG of three paths, so its size
/// grows by a few bytes a prompt.
pub fn loudness_chart(lufs: &[f64], median: f64) -> String {
    let mut dev: Vec<f64> = lufs
        .iter()
        .map(|l| l - median)
        .filter(|d| d.is_finite())
        .collect();
    dev.sort_by(f64::total_cmp);
    let largest = dev.iter().fold(0.0f64, |m, d| m.max(d.abs()));
    // The scale: at least ±6 LU, whole LU, at most ±30 (longer bars are cut).
    let range = largest.ceil().clamp(2.0 * LOUDNESS_SPREAD_LU, 30.0);
    let (left, right, top, bottom) = (44.0, CHART_W - 8.0, 8.0, CHART_H - 18.0);
    let mid = (top + bottom) / 2.0;
    let y = |d: f64| mid - d.clamp(-range, range) / range * (bottom - top) / 2.0;
    let step = (right - left) / dev.len().max(1) as f64;
    let mut paths = [String::new(), String::new(), String::new()];
    for (i, &d) in dev.iter().enumerate() {
        let x = left + (i as f64 + 0.5) * step;
        let which = match d {
            d if d > LOUDNESS_SPREAD_LU => 2,
            d if d < -LOUDNESS_SPREAD_LU => 1,
            _ => 0,
        };
        // A bar at least half a pixel tall, so a prompt at the median shows.
        let (y0, y1) = (mid, y(d));
        let y1 = if (y1 - y0).abs() < 0.5 { y0 - 0.5 } else { y1 };
        write!(paths[which], "M{x:.1} {y0:.1}V{y1:.1}").expect("a String takes any write");
    }
    let mut svg = String::new();
    let band = LOUDNESS_SPREAD_LU;
    // The band's own labels only where they do not run into the 0.
    let band_labels = if mid - y(band) >= 10.0 {
        format!(
            "<text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\">+{band:.0}</text>\
             <text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\">-{band:.0}</text>",
            y(band) + 4.0,
            y(-band) + 4.0,
            x = left - 6.0,
        )
    } else {
        String::new()
    };
    write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {CHART_W} {CHART_H}\" width=\"{CHART_W}\" height=\"{CHART_H}\" \
         role=\"img\" aria-label=\"each prompt's loudness against the median, quietest to loudest\">\
         <rect class=\"band\" x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>\
         <line class=\"axis\" x1=\"{left}\" x2=\"{right}\" y1=\"{mid:.1}\" y2=\"{mid:.1}\"/>\
         {band_labels}<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">0</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">+{range:.0} LU</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">-{range:.0} LU</text>\
         <path class=\"in\" d=\"{}\"/><path class=\"quiet\" d=\"{}\"/><path class=\"loud\" d=\"{}\"/>\
         <text x=\"{left}\" y=\"{:.1}\" class=\"tick\">quietest</text>\
         <text x=\"{right}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">loudest</text></svg>",
        y(band),
        right - left,
        y(-band) - y(band),
        left - 6.0,
        mid + 4.0,
        left - 6.0,
        top + 8.0,
        left - 6.0,
        bottom,
        paths[0],
        paths[1],
        paths[2],
        CHART_H - 4.0,
        CHART_H - 4.0,
    )
    .expect("a String takes any write");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_on_the_db_scale() {
        assert_eq!(height(32768.0), 1.0);
        assert_eq!(height(0.0), 0.0);
        assert_eq!(height(f64::NAN), 0.0);
        // -30 dBFS is half way, -60 dBFS and quieter the centre.
        assert!((height(32768.0 * 10f64.powf(-1.5)) - 0.5).abs() < 1e-9);
        assert_eq!(height(1.0), 0.0);
        let s = steps();
        assert_eq!(
            (level(&s, 0), level(&s, 32767), level(&s, -32768)),
            (31, 62, 0)
        );
        // The steps give what rounding the height gives.
        for v in (-32768i32..=32767).step_by(7) {
            let v = v as i16;
            let h = height(f64::from(v).abs());
            let y = if v < 0 { -h } else { h };
            let rounded = ((y + 1.0) * 31.0).round() as usize;
            assert!(level(&s, v).abs_diff(rounded) <= 1, "{v}");
        }
    }

    #[test]
    fn envelopes_encode_two_characters_a_bin() {
        let e = Envelope {
            samples_per_bin: 10,
            min: vec![-32768, 0, -3277],
            max: vec![32767, 0, 3277],
            clipped: vec![0],
        };
        // ±3277 is -20 dBFS: two thirds of the way, levels 31 ± 20.7.
        assert_eq!(encode(&e), "-Aff0K");
    }

    #[test]
    fn clipped_bins_as_ranges() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[3, 4, 9, 11, 12, 13]), "3-4,9,11-13");
    }

    #[test]
    fn the_loudness_chart_has_a_bar_a_prompt_coloured_outside_the_band() {
        let svg = loudness_chart(&[-23.0, -22.0, -18.0, -30.0], -23.0);
        let bars = |class: &str| {
            let at = svg.find(&format!("class=\"{class}\" d=\"")).unwrap();
            svg[at..].split('"').nth(3).unwrap().matches('M').count()
        };
        assert_eq!((bars("in"), bars("quiet"), bars("loud")), (2, 1, 1));
        assert!(svg.contains("+7 LU"), "{svg}"); // the quietest is 7 LU below
        assert!(loudness_chart(&[], -20.0).starts_with("<svg"));
    }
}

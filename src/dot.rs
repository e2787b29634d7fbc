//! The dot product the signal detectors share (`signal::clipped`, `voice`).

use std::iter::Sum;
use std::ops::{Add, Mul};

/// The dot product of two slices of one length, in eight lanes the compiler
/// can keep in vector registers (for `f32` and `f64` alike).
pub(crate) fn dot<T>(a: &[T], b: &[T]) -> T
where
    T: Copy + Default + Add<Output = T> + Mul<Output = T> + Sum,
{
    const LANES: usize = 8;
    let mut acc = [T::default(); LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: T = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&x, &y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] = acc[i] + x[i] * y[i];
        }
    }
    acc.into_iter().sum::<T>() + tail
}

#[cfg(test)]
mod tests {
    use super::dot;

    #[test]
    fn lanes_and_tail_add_up() {
        let a: Vec<f64> = (0..19).map(f64::from).collect();
        let want: f64 = a.iter().map(|x| x * x).sum();
        assert_eq!(dot(&a, &a), want);
        let b: Vec<f32> = (0..19u8).map(f32::from).collect();
        assert_eq!(dot(&b, &b), 2109.0);
    }
}

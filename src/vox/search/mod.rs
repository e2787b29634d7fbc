//! K-best ("trellis") search encoders.
//!
//! The encoder keeps the `paths` cheapest decoder states reached so far. For
//! each new sample every state is extended by the codes whose reconstruction
//! levels lie next to the sample (the greedy code and its neighbours), states
//! that became identical are merged keeping the cheaper, and the `paths`
//! cheapest survive. A node carries one predictor per decoder family it is
//! scored against (1 for [`EncoderKind::Search`](super::EncoderKind::Search),
//! 3 for [`EncoderKind::Universal`](super::EncoderKind::Universal)); the step
//! index is the same for every family because it depends on the codes only.
//! States whose predictors agree to within about an eighth of the step are
//! merged too, keeping the search's paths apart.
//! The cost ([`cost::cost`]) is the squared error of the families' mean plus
//! their weighted disagreement (for one family, the squared error), plus a
//! penalty whenever a family's predictor would overshoot the rails by more
//! than `s/8` (which makes sox report "ADPCM state errors"). With one path
//! the search is [`Single`], which decides each code at once.
//!
//! [`trellis`] holds the K-best search, [`one_path`] the one-path engine,
//! and [`cost`] the cost model both score candidates with and the levels
//! they try.

mod cost;
mod lanes;
mod one_path;
mod trellis;

pub(crate) use one_path::Single;
pub(crate) use trellis::{Frontier, Trellis};

/// Largest number of paths accepted (back pointers are 16-bit).
pub const MAX_PATHS: usize = 4096;

//! Analysis of a VOX stream for `check` (to be written).

/// Figures about one VOX stream.
#[derive(Debug, Clone, PartialEq)]
pub struct VoxAnalysis {
    /// The stream decoded with the exact flavour.
    pub samples: Vec<i16>,
}

/// Decode `bytes` and measure them.
pub fn analyse_stream(bytes: &[u8]) -> VoxAnalysis {
    VoxAnalysis {
        samples: super::decode(bytes, super::DecoderFlavor::Exact),
    }
}

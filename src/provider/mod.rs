//! The provider's HTTP API (to be written).

/// Errors talking to the provider.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// Placeholder until the client lands.
    #[error("provider: not implemented")]
    NotImplemented,
}

//! Why a run could not start (or an engine thread died); shared by the engine, its threads and
//! the capacity check of [`crate::limits`].

/// Errors that stop a run before it starts.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A runtime or thread could not be created.
    #[error("cannot start engine thread: {0}")]
    Thread(#[from] std::io::Error),
    /// A configuration value is unusable.
    #[error("invalid run configuration: {0}")]
    Config(String),
    /// The load asks for more than this machine can carry (file descriptors, calls per
    /// connection); found before any load is sent.
    #[error("{0}")]
    Capacity(String),
    /// An engine thread panicked.
    #[error("engine thread {0} panicked")]
    Panicked(usize),
}

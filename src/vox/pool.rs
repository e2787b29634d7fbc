//! Where the codec's encoders spread a long input over threads.
//!
//! A caller already on a rayon pool (a folder conversion runs each file on
//! one) splits on that pool. Any other caller uses [`split_pool`], which the
//! codec owns, and never the global pool: such a caller may be a thread
//! that a global-pool task started and waits for (`voxprep convert` encodes
//! each file on one while the pool thread decodes), and work queued on the
//! global pool would then wait for threads that wait for it. That hang
//! happened once (a folder of 60-second prompts to greedy VOX); a test in
//! `tests/convert/cli.rs` holds it off.

/// Threads to spread work over: those of the rayon pool the caller runs on,
/// else those of [`split_pool`].
pub(crate) fn threads() -> usize {
    if rayon::current_thread_index().is_some() {
        rayon::current_num_threads()
    } else {
        split_pool().map_or(1, rayon::ThreadPool::current_num_threads)
    }
}

/// Run `work` where its rayon jobs belong: on the caller's pool when it runs
/// on one, else on [`split_pool`] (or on the caller's thread, one job after
/// another, if the system refused that pool its threads).
pub(crate) fn install<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match split_pool() {
        Some(pool) if rayon::current_thread_index().is_none() => pool.install(work),
        _ => work(),
    }
}

/// The pool of callers outside any rayon pool (one thread per core, unless
/// `RAYON_NUM_THREADS` says otherwise). A pool, not a fresh thread per call:
/// its threads stay awake for a while between jobs, where a new thread
/// waits for its core to wake on every block of a stream. `None` if the
/// system refused the threads.
fn split_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("voxprep-vox-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

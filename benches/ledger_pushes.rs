//! Push-store throughput: THREADS threads each store PUSHES status pushes
//! (one report each, all distinct) through one `PushStore`, as the
//! receiver's threads would; prints pushes per second. Every push is
//! committed with synchronous=FULL before `store` returns.
//!
//! ```sh
//! cargo run --release --example ledger_pushes --no-default-features --features ledger -- \
//!     [THREADS=8] [PUSHES_PER_THREAD=2000] [FILE=ledger-bench.sqlite]
//! ```
//!
//! FILE must not exist (it is removed afterwards); put it on the disk to
//! measure, not on a tmpfs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use voxprep::ledger::PushStore;
use voxprep::provider::StatusCode;
use voxprep::provider::push::{Push, StatusReport};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map_or(Ok(8), |a| a.parse())?;
    let per_thread: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let path = PathBuf::from(args.next().unwrap_or_else(|| "ledger-bench.sqlite".into()));
    if path.exists() {
        return Err(format!("{} exists; give a new file", path.display()).into());
    }
    let store = Arc::new(PushStore::open(&path)?);
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || -> Result<(), String> {
                for i in 0..per_thread {
                    let push = Push::Status(vec![StatusReport {
                        key: format!("BENCH{t:04}"),
                        phone: format!("138{i:08}"),
                        status: StatusCode(0),
                    }]);
                    store
                        .store(&push, SystemTime::now())
                        .map_err(|e| e.to_string())?;
                }
                Ok(())
            })
        })
        .collect();
    for w in workers {
        w.join().map_err(|_| "a thread panicked")??;
    }
    let elapsed = start.elapsed();
    drop(store);
    let total = threads * per_thread;
    println!(
        "{total} pushes from {threads} threads in {:.3} s: {:.0} pushes/s (synchronous=FULL, group commit)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}

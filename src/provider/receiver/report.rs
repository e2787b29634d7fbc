//! Refused requests reach the handler through a bounded queue and a thread
//! of their own: a flood of them (a thousand sockets from outside the allow
//! list) or a stalled log (a full stderr pipe) neither blocks the accept
//! loop nor takes the blocking threads pushes are handled on. What does not
//! fit in the queue is counted, and the count is added to the next report.

use super::Event;
use super::serve::{Failure, Handler};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Refusals waiting to be reported before more are only counted.
const QUEUE: usize = 1024;

/// The reporting thread and its queue.
pub(super) struct Reporter {
    sender: Arc<Reports>,
    thread: Option<JoinHandle<()>>,
}

/// Where connection tasks put their refusals.
pub(super) struct Reports {
    queue: Mutex<Option<SyncSender<Event>>>,
    unreported: Arc<AtomicU64>,
}

impl Reports {
    /// Queue `event` for the handler, or count it when the queue is full
    /// (or closed, once the server stops).
    pub(super) fn send(&self, event: Event) {
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let sent = match queue.as_ref() {
            Some(q) => match q.try_send(event) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            },
            None => false,
        };
        if !sent {
            self.unreported.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Reporter {
    /// Start the thread that hands refusals to `handler`; an error it
    /// returns goes to `failure` (which stops the server).
    pub(super) fn start(handler: Arc<Handler>, failure: Arc<Failure>) -> Reporter {
        let (tx, rx) = sync_channel(QUEUE);
        let unreported = Arc::new(AtomicU64::new(0));
        let count = Arc::clone(&unreported);
        let thread = std::thread::Builder::new()
            .name("voxprep-receive-report".into())
            .spawn(move || report(&rx, &*handler, &failure, &count))
            .ok();
        Reporter {
            sender: Arc::new(Reports {
                queue: Mutex::new(thread.is_some().then_some(tx)),
                unreported,
            }),
            thread,
        }
    }

    /// The queue's sending end, for the connection tasks.
    pub(super) fn sender(&self) -> Arc<Reports> {
        Arc::clone(&self.sender)
    }

    /// Close the queue and wait, at most `patience`, for what is in it to
    /// be reported.
    pub(super) fn finish(mut self, patience: Duration) {
        self.sender
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(thread) = self.thread.take() else {
            return;
        };
        let until = Instant::now() + patience;
        while !thread.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }
}

fn report(rx: &Receiver<Event>, handler: &Handler, failure: &Failure, unreported: &AtomicU64) {
    while let Ok(mut event) = rx.recv() {
        let missed = unreported.swap(0, Ordering::Relaxed);
        if missed > 0
            && let Event::Refused { reason, .. } = &mut event
        {
            reason.push_str(&format!(
                " (and {missed} earlier refusals not reported: too many at once)"
            ));
        }
        if let Err(e) = handler(event) {
            failure.set(e);
            return;
        }
    }
}

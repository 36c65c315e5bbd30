//! Ctrl-C and SIGTERM stop a run the same way: the load stops, the partial result is written and
//! summarised, and the process exits 128 + the signal's number (130, 143). SIGTERM is what
//! Kubernetes, `timeout` and CI cancellation send. A second signal exits at once.

use std::sync::{Arc, OnceLock};

use bench_core::Cancel;

pub use crate::exit::Signal;
use crate::Exit;

/// The cancellation of a run, and which signal caused it.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    cancel: Cancel,
    by: Arc<OnceLock<Signal>>,
}

impl Stop {
    /// Watch for Ctrl-C and SIGTERM from now on (the handlers are installed before this
    /// returns, so a signal that arrives at once is not missed).
    #[must_use]
    pub fn watch() -> Self {
        let stop = Self::default();
        let flag = stop.clone();
        let watching = Signals::install().and_then(|mut signals| {
            std::thread::Builder::new()
                .name("tailguard-signal".into())
                .spawn(move || signals.serve(&flag))
        });
        if watching.is_err() {
            eprintln!(
                "warning: cannot watch for signals; an interrupted run will not write a partial result"
            );
        }
        stop
    }

    /// The flag the engine watches.
    #[must_use]
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Stop as if `signal` had arrived.
    pub fn stop(&self, signal: Signal) {
        let _ = self.by.set(signal);
        self.cancel.cancel();
    }

    /// How a command stopped by this ends (Ctrl-C when no signal was recorded).
    #[must_use]
    pub fn exit(&self) -> Exit {
        Exit::Interrupted(self.by.get().copied().unwrap_or(Signal::Interrupt))
    }
}

/// Installed signal handlers and the runtime that receives them.
struct Signals {
    rt: tokio::runtime::Runtime,
    #[cfg(unix)]
    streams: [tokio::signal::unix::Signal; 2],
}

impl Signals {
    fn install() -> std::io::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        #[cfg(unix)]
        let streams = {
            use tokio::signal::unix::{signal, SignalKind};
            let _guard = rt.enter();
            [
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            ]
        };
        Ok(Self {
            rt,
            #[cfg(unix)]
            streams,
        })
    }

    /// Stop on the first signal; exit on the second.
    fn serve(&mut self, stop: &Stop) {
        let Some(first) = self.next() else {
            return;
        };
        eprintln!(
            "\n{}: stopping the load and writing the partial result (again to abort)",
            first.name()
        );
        stop.stop(first);
        if let Some(second) = self.next() {
            std::process::exit(i32::from(second.exit_code()));
        }
    }

    /// The next Ctrl-C or SIGTERM; `None` when they can no longer be received.
    #[cfg(unix)]
    fn next(&mut self) -> Option<Signal> {
        let [int, term] = &mut self.streams;
        self.rt.block_on(async {
            tokio::select! {
                s = int.recv() => s.map(|()| Signal::Interrupt),
                s = term.recv() => s.map(|()| Signal::Terminate),
            }
        })
    }

    /// The next Ctrl-C; `None` when it cannot be received.
    #[cfg(not(unix))]
    fn next(&mut self) -> Option<Signal> {
        self.rt
            .block_on(tokio::signal::ctrl_c())
            .ok()
            .map(|()| Signal::Interrupt)
    }
}

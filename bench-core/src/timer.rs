//! A precise sleep for pacing: tokio's timer has 1 ms ticks and epoll's millisecond timeout on
//! top, so a `sleep_until` fires 0–2 ms late, and in the open model that lateness is added to
//! every latency. This timer keeps deadlines in a heap served by one dedicated thread that waits
//! on a condition variable with a nanosecond timeout (futex; typically ≤ 0.1 ms late) and wakes
//! the sleeping task. Works with any runtime, current-thread or multi-thread.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

struct Entry {
    deadline: Instant,
    waker: Waker,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.deadline.cmp(&other.deadline)
    }
}

#[derive(Default)]
struct Shared {
    heap: Mutex<BinaryHeap<Reverse<Entry>>>,
    changed: Condvar,
}

fn shared() -> Option<&'static Arc<Shared>> {
    static TIMER: OnceLock<Option<Arc<Shared>>> = OnceLock::new();
    TIMER
        .get_or_init(|| {
            let shared = Arc::new(Shared::default());
            let worker = shared.clone();
            std::thread::Builder::new()
                .name("tailguard-timer".into())
                .spawn(move || serve(&worker))
                .ok()
                .map(|_| shared)
        })
        .as_ref()
}

fn serve(shared: &Shared) {
    let Ok(mut heap) = shared.heap.lock() else {
        return;
    };
    let mut due = Vec::new();
    loop {
        let now = Instant::now();
        while heap.peek().is_some_and(|Reverse(e)| e.deadline <= now) {
            if let Some(Reverse(e)) = heap.pop() {
                due.push(e.waker);
            }
        }
        if !due.is_empty() {
            drop(heap);
            for w in due.drain(..) {
                w.wake();
            }
            heap = match shared.heap.lock() {
                Ok(h) => h,
                Err(_) => return,
            };
            continue;
        }
        let wait = heap
            .peek()
            .map(|Reverse(e)| e.deadline.saturating_duration_since(now));
        heap = match wait {
            Some(d) => match shared.changed.wait_timeout(heap, d) {
                Ok((h, _)) => h,
                Err(_) => return,
            },
            None => match shared.changed.wait(heap) {
                Ok(h) => h,
                Err(_) => return,
            },
        };
    }
}

/// Sleep until `deadline` with sub-millisecond precision.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        registered: false,
        fallback: None,
    }
}

/// Future of [`sleep_until`].
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    deadline: Instant,
    registered: bool,
    fallback: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        if let Some(f) = self.fallback.as_mut() {
            return f.as_mut().poll(cx);
        }
        // Register once; a spurious poll before the deadline re-registers so the latest waker is
        // used (stale entries only cause a harmless spurious wake-up).
        let Some(shared) = shared() else {
            // No timer thread (could not spawn): fall back to tokio's timer.
            let mut f = Box::pin(tokio::time::sleep_until(self.deadline.into()));
            let r = f.as_mut().poll(cx);
            self.fallback = Some(f);
            return r;
        };
        if let Ok(mut heap) = shared.heap.lock() {
            let earliest = heap
                .peek()
                .is_none_or(|Reverse(e)| self.deadline < e.deadline);
            heap.push(Reverse(Entry {
                deadline: self.deadline,
                waker: cx.waker().clone(),
            }));
            if earliest || !self.registered {
                shared.changed.notify_one();
            }
        }
        self.registered = true;
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Never early, and typically as close to the deadline as the OS wakes a sleeping thread.
    /// The reference is measured alongside, interleaved: a plain thread sleep of the same length,
    /// so a loaded machine's scheduling lag raises both. A wake takes two hops (the timer
    /// thread, then the task's thread) where the reference takes one, hence the factor 2; a
    /// millisecond-tick timer (tokio's fires 0–2 ms late) is ~1 ms later than that on an idle
    /// machine and fails.
    #[tokio::test]
    async fn wakes_close_to_the_deadline() {
        let (mut timer, mut thread) = (Vec::new(), Vec::new());
        for i in 0..60u64 {
            let wait = Duration::from_micros(300 + i * 37);
            let deadline = Instant::now() + wait;
            sleep_until(deadline).await;
            let woke = Instant::now();
            assert!(woke >= deadline, "woke {:?} early", deadline - woke);
            timer.push(woke - deadline);
            let deadline = Instant::now() + wait;
            std::thread::sleep(wait);
            thread.push(Instant::now().saturating_duration_since(deadline));
        }
        let median = |v: &mut Vec<Duration>| {
            v.sort_unstable();
            v[v.len() / 2]
        };
        let (late, reference) = (median(&mut timer), median(&mut thread));
        assert!(
            late <= 2 * reference + Duration::from_micros(500),
            "median lateness {late:?}; a thread sleep's {reference:?}"
        );
    }

    #[tokio::test]
    async fn many_concurrent_sleeps_all_finish_in_order_of_deadline() {
        let start = Instant::now();
        let tasks: Vec<_> = (0..100u64)
            .map(|i| {
                tokio::spawn(async move {
                    sleep_until(start + Duration::from_micros(100 * (100 - i))).await;
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert!(start.elapsed() >= Duration::from_millis(10));
    }
}

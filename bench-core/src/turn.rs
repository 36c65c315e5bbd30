//! Whose turn it is to take the next slot (open model). One idle worker at a time claims the next
//! slot and waits for its due time; the others queue, and the most recently freed one goes next
//! (LIFO). At a rate the target keeps up with, the same few warm connections carry the load
//! instead of every one of N connections in turn (each then idle for N / rate, long enough for
//! servers to close it), and a slot is claimed late only when every connection was busy — so the
//! "waited for a free connection" count is true.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use tokio::sync::oneshot;

/// The turn of one engine thread's workers.
#[derive(Debug, Default)]
pub(crate) struct Turn {
    taken: Cell<bool>,
    waiting: RefCell<Vec<oneshot::Sender<()>>>,
}

/// Holding the turn; dropping it hands the turn to the most recent waiter.
#[derive(Debug)]
pub(crate) struct Held(Rc<Turn>);

impl Turn {
    /// Wait for the turn.
    pub(crate) async fn take(self: &Rc<Self>) -> Held {
        if self.taken.replace(true) {
            let (tx, rx) = oneshot::channel();
            self.waiting.borrow_mut().push(tx);
            // The sender is dropped only by a hand-over, which sends first.
            let _ = rx.await;
        }
        Held(self.clone())
    }

    fn hand_over(&self) {
        loop {
            let next = self.waiting.borrow_mut().pop();
            let Some(tx) = next else {
                self.taken.set(false);
                return;
            };
            if tx.send(()).is_ok() {
                return;
            } // else that waiter is gone: try the next
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.hand_over();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn the_most_recent_waiter_goes_next() {
        let turn = Rc::new(Turn::default());
        let local = tokio::task::LocalSet::new();
        let order = Rc::new(RefCell::new(Vec::new()));
        local
            .run_until(async {
                let first = turn.take().await;
                let mut tasks = Vec::new();
                for i in 0..3 {
                    let (turn, order) = (turn.clone(), order.clone());
                    tasks.push(tokio::task::spawn_local(async move {
                        let _held = turn.take().await;
                        order.borrow_mut().push(i);
                    }));
                    tokio::task::yield_now().await; // queue in order 0, 1, 2
                }
                drop(first);
                for t in tasks {
                    let _ = t.await;
                }
            })
            .await;
        assert_eq!(*order.borrow(), vec![2, 1, 0]);
        assert!(!turn.taken.get());
    }
}

//! Unit tests of `dispatch.rs`: the schedule kept, the end, cancelling, late vs lag.
#![cfg(test)]

use super::*;
use crate::pacer::Cancel;

/// 2 000 req/s for `ms` on one thread, starting now.
fn dispatch(ms: u64, cancel: &Cancel) -> (Rc<Dispatch>, Instant) {
    dispatch_on(ms, cancel, crate::pacer::SEND_GRID)
}

/// Like [`dispatch`], on send grid `grid`.
fn dispatch_on(ms: u64, cancel: &Cancel, grid: Duration) -> (Rc<Dispatch>, Instant) {
    let start = Instant::now();
    let duration = Duration::from_millis(ms);
    let pacer =
        crate::pacer::tests::uniform(2000.0, duration, Duration::ZERO, start).with_grid(grid);
    let window = Window::new(start + duration, Duration::from_secs(1), cancel.clone());
    (Rc::new(Dispatch::new(Rc::new(pacer), window)), start)
}

/// Run `workers` workers that answer at once; each claim as (worker, due, claimed at).
async fn claims(d: &Rc<Dispatch>, workers: usize) -> Vec<(usize, Instant, Instant)> {
    busy_claims(d, workers, Duration::ZERO).await
}

/// Like [`claims`], with workers that take `busy` per call.
async fn busy_claims(
    d: &Rc<Dispatch>,
    workers: usize,
    busy: Duration,
) -> Vec<(usize, Instant, Instant)> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let dispatcher = tokio::task::spawn_local(d.clone().run(Alarm::new()));
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (d, seen) = (d.clone(), seen.clone());
            tokio::task::spawn_local(async move {
                let mailbox = Rc::new(Mailbox::default());
                let mut idle_since = None;
                while let Some(c) = d.claim(&mailbox, idle_since).await {
                    seen.borrow_mut().push((w, c.slot.due, Instant::now()));
                    if !busy.is_zero() {
                        std::thread::sleep(busy);
                    }
                    idle_since = Some(Instant::now());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    dispatcher.await.unwrap();
    Rc::try_unwrap(seen).unwrap().into_inner()
}

#[tokio::test(flavor = "current_thread")]
async fn every_slot_is_sent_once_and_never_early() {
    let local = tokio::task::LocalSet::new();
    let (d, start) = dispatch(100, &Cancel::new());
    let mut seen = local.run_until(claims(&d, 4)).await;
    assert_eq!(seen.len(), 200, "2 000 req/s for 100 ms");
    // A batch handed to several workers is sent in the order they run: sort by due time.
    seen.sort_by_key(|(_, due, _)| *due);
    for (i, (_, due, at)) in seen.iter().enumerate() {
        // Every 500 µs, on the 1 ms send grid: two slots due at each grid point.
        assert_eq!(crate::pacer::SEND_GRID, Duration::from_millis(1));
        let expected = start + Duration::from_millis(i as u64 / 2);
        let off = due.max(&expected).duration_since(*due.min(&expected));
        assert!(
            off < Duration::from_micros(1),
            "slot {i} due at {off:?} off the schedule"
        );
        assert!(at >= due, "slot {i} sent before its due time");
    }
    assert!(d.over.get());
}

#[tokio::test(flavor = "current_thread")]
async fn without_a_grid_each_slot_is_sent_at_its_own_time() {
    // `load.send_grid = "0"`: every 500 µs, one slot at a time, none before its time.
    let local = tokio::task::LocalSet::new();
    let (d, start) = dispatch_on(50, &Cancel::new(), Duration::ZERO);
    let mut seen = local.run_until(claims(&d, 4)).await;
    assert_eq!(seen.len(), 100, "2 000 req/s for 50 ms");
    seen.sort_by_key(|(_, due, _)| *due);
    for (i, (_, due, at)) in seen.iter().enumerate() {
        let expected = start + Duration::from_micros(500 * i as u64);
        let off = due.max(&expected).duration_since(*due.min(&expected));
        assert!(
            off < Duration::from_micros(1),
            "slot {i} due {off:?} off its own time"
        );
        assert!(at >= due, "slot {i} sent before its due time");
    }
}

/// A worker that is never idle (each call outlasts the gap to the next slot, as on a
/// machine too loaded to keep up) takes every slot itself; when the schedule ends the
/// dispatcher, never handed an idle worker, must still end (it once waited forever, and a
/// test awaiting it hung).
#[tokio::test(flavor = "current_thread")]
async fn the_dispatcher_ends_when_no_worker_was_ever_idle() {
    let local = tokio::task::LocalSet::new();
    let (d, _) = dispatch(20, &Cancel::new());
    let run = local.run_until(busy_claims(&d, 1, Duration::from_millis(1)));
    let seen = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("the dispatcher ended");
    assert!(!seen.is_empty());
    assert!(d.over.get());
}

#[tokio::test(flavor = "current_thread")]
async fn cancelling_releases_the_idle_workers_and_leaves_the_rest_unsent() {
    let local = tokio::task::LocalSet::new();
    let cancel = Cancel::new();
    let (d, _) = dispatch(10_000, &cancel);
    let stop = cancel.clone();
    local.spawn_local(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        stop.cancel();
    });
    let seen = local.run_until(claims(&d, 3)).await;
    let at = cancel.cancelled_at().unwrap();
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|(_, due, _)| *due < at),
        "sent after the cancel"
    );
    // The rest stays in the schedule, for `unsent.rs` to count.
    assert!(d.pacer.peek_due().is_some());
}

/// The alarm fires late (a loaded machine) and a busy connection frees up first and takes the
/// due slot: another connection sat parked since before the due time, so the delay is the
/// generator's lag, not a wait for a free connection — the slot is not late.
#[tokio::test(flavor = "current_thread")]
async fn a_slot_is_not_late_while_another_connection_sat_parked() {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let (d, start) = dispatch(1000, &Cancel::new());
            let busy = Rc::new(Mailbox::default());
            // The two slots of the first grid point are due at once: the busy worker takes both.
            for _ in 0..2 {
                let claim = d.claim(&busy, None).await.unwrap();
                assert_eq!(claim.slot.due, start);
            }
            // A second worker parked at the start, before the next slot's due time (start +
            // 1 ms), and no dispatcher runs: the alarm is "late". Parked by hand, at a stated
            // time, so that a slow machine cannot make it miss the due time it must precede.
            d.idle
                .borrow_mut()
                .push((Rc::new(Mailbox::default()), start));
            // The engine thread is descheduled past the due time (and past LATE_AFTER).
            std::thread::sleep(Duration::from_millis(5));
            // The busy worker frees up after the due time and takes the slot itself.
            let claim = d.claim(&busy, Some(Instant::now())).await.unwrap();
            assert_eq!(claim.slot.due, start + Duration::from_millis(1));
            assert!(
                claim.free_at_due,
                "a parked connection was free at the due time"
            );
            assert!(
                !claim.late,
                "the delay was the generator's, not a wait for a connection"
            );
            // With no connection parked, a busy one freed after the due time is late.
            d.idle.borrow_mut().clear();
            let claim = d.claim(&busy, Some(Instant::now())).await.unwrap();
            assert!(!claim.free_at_due);
            assert!(claim.late);
        })
        .await;
}

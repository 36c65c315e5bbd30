//! A per-thread alarm for open-model pacing, woken by the thread's own event loop.
//!
//! tokio's timer has 1 ms ticks (and epoll's millisecond timeout on top), so a `sleep_until`
//! fires 0–2 ms late, and in the open model that lateness would be added to every latency. On
//! Linux the alarm is a `timerfd` (nanosecond resolution, no timer slack) registered with the
//! engine thread's own reactor: the kernel wakes the thread's `epoll_wait` at the deadline, with no
//! spinning and no hand-off to another thread. One alarm serves a whole engine thread (its
//! [`Dispatch`](crate::dispatch::Dispatch)), so it is armed once per wake-up, not per request.
//!
//! Where `timerfd` is unavailable (other systems, or `timerfd_create` failing) the alarm falls
//! back to tokio's timer: pacing then runs up to ~2 ms late, which the result's generator lag
//! (see `docs/statistics.md`) reports.

use std::time::Instant;

/// Which clock drives the alarm; reported in the result's environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlarmKind {
    /// Linux `timerfd` on the thread's reactor.
    TimerFd,
    /// tokio's millisecond timer.
    Tokio,
}

impl AlarmKind {
    /// As the result's `generator.pacing` names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            AlarmKind::TimerFd => "timerfd",
            AlarmKind::Tokio => "tokio",
        }
    }
}

/// One engine thread's alarm. Create it inside the thread's runtime.
pub(crate) struct Alarm {
    #[cfg(target_os = "linux")]
    fd: Option<tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>>,
}

impl Alarm {
    /// A `timerfd` alarm on Linux, else tokio's timer.
    pub(crate) fn new() -> Self {
        Self {
            #[cfg(target_os = "linux")]
            fd: linux::timerfd(),
        }
    }

    /// What drives this alarm.
    pub(crate) fn kind(&self) -> AlarmKind {
        #[cfg(target_os = "linux")]
        if self.fd.is_some() {
            return AlarmKind::TimerFd;
        }
        AlarmKind::Tokio
    }

    /// Resolve at `deadline` (at once if it has passed).
    pub(crate) async fn wait_until(&mut self, deadline: Instant) {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            if linux::wait(fd, deadline).await {
                return;
            }
        }
        if Instant::now() < deadline {
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::os::fd::OwnedFd;
    use std::time::Instant;

    use rustix::time::{
        timerfd_create, timerfd_settime, Itimerspec, TimerfdClockId, TimerfdFlags,
        TimerfdTimerFlags, Timespec,
    };
    use tokio::io::unix::AsyncFd;
    use tokio::io::Interest;

    pub(super) fn timerfd() -> Option<AsyncFd<OwnedFd>> {
        let fd = timerfd_create(
            TimerfdClockId::Monotonic,
            TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
        )
        .ok()?;
        // Deprecated because a generic `T` may not own its descriptor (tokio#8587); an `OwnedFd`
        // does, and the only sound replacement is `unsafe`, which this workspace forbids.
        #[allow(deprecated)]
        AsyncFd::with_interest(fd, Interest::READABLE).ok()
    }

    /// Wait on the timerfd until `deadline`; false when arming failed (the caller falls back).
    /// Arming resets the timer's expiration count, so the fd is never read: a stale readiness
    /// left by an earlier, abandoned wait only costs one more look at the clock.
    pub(super) async fn wait(fd: &AsyncFd<OwnedFd>, deadline: Instant) -> bool {
        loop {
            let now = Instant::now();
            let Some(left) = deadline
                .checked_duration_since(now)
                .filter(|d| !d.is_zero())
            else {
                return true;
            };
            let spec = Itimerspec {
                it_interval: Timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                },
                it_value: Timespec {
                    tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
                    tv_nsec: i64::from(left.subsec_nanos()),
                },
            };
            if timerfd_settime(fd, TimerfdTimerFlags::empty(), &spec).is_err() {
                return false;
            }
            match fd.readable().await {
                Ok(mut guard) => guard.clear_ready(),
                Err(_) => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "current_thread")]
    async fn fires_at_or_after_the_deadline_and_rearms() {
        let mut alarm = Alarm::new();
        #[cfg(target_os = "linux")]
        assert_eq!(alarm.kind(), AlarmKind::TimerFd);
        for i in 0..20u64 {
            let deadline = Instant::now() + Duration::from_micros(200 + i * 50);
            alarm.wait_until(deadline).await;
            assert!(Instant::now() >= deadline);
        }
        // A wait abandoned before its deadline leaves the fd to fire later: the next wait
        // still waits for its own deadline.
        let far = Instant::now() + Duration::from_millis(1);
        tokio::select! {
            () = alarm.wait_until(far) => panic!("fired 1 ms early"),
            () = std::future::ready(()) => {}
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
        let deadline = Instant::now() + Duration::from_millis(5);
        alarm.wait_until(deadline).await;
        assert!(Instant::now() >= deadline);
        // A deadline in the past resolves at once.
        alarm.wait_until(Instant::now()).await;
    }
}

//! Running one choice of the mix for a worker (its virtual user): a request, or a journey's
//! steps in order, each call under the timeout and recorded, then judged by its checks and
//! mined for its extractions.
//!
//! Latency stays CO-correct: a request, and a journey's first step, count from the slot's due
//! time; a later step counts from when it was sent (the virtual user sends it as soon as the
//! previous step and the think time are over, so it never waits for a connection); a journey
//! counts end to end from its due time, think times included.

use std::cell::RefCell;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::time::Sleep;

use super::check::Response;
use super::cookies::CookieJar;
use super::extract::ExtractError;
use super::{Entry, Flows, Step};
use crate::driver::{Driver, ErrorKind, Exchange, Outcome};
use crate::recorder::{Recorder, Sample};
use crate::redact::{Redactor, MIN_LEN};
use crate::window::{Drain, Window};

/// What every call of a worker shares.
pub(crate) struct Ctx<'a> {
    pub(crate) recorder: &'a RefCell<Recorder>,
    pub(crate) window: &'a Window,
    pub(crate) timeout: Duration,
    /// The connection's one deadline, moved for each call (no timer entry per request).
    pub(crate) deadline: Pin<&'a mut Sleep>,
    /// The engine thread's drain and this worker's index in it; `None` waits on the window.
    pub(crate) drain: Option<(&'a Drain, usize)>,
}

/// How a choice of the mix starts: its due time, whether it is measured, and whether it was
/// taken late (every connection busy).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start {
    pub(crate) due: Instant,
    pub(crate) measured: bool,
    pub(crate) late: bool,
}

/// How a call ended.
struct Ended {
    ok: bool,
    drained: bool,
    /// `kind: message` of a failure.
    failure: Option<String>,
}

/// A worker's virtual user: its variables, its cookie jar and the buffers of its calls.
#[derive(Clone)]
pub(crate) struct Vu {
    flows: Arc<Flows>,
    user: User,
}

/// The virtual user's own state: what it sends and what it kept of the last response.
#[derive(Clone)]
struct User {
    ex: Exchange,
    jar: Option<CookieJar>,
}

impl Vu {
    pub(crate) fn new(flows: Arc<Flows>) -> Self {
        let ex = Exchange {
            vars: flows.initial_vars(),
            ..Exchange::default()
        };
        let jar = flows.cookies.then(CookieJar::default);
        Self {
            flows,
            user: User { ex, jar },
        }
    }

    /// One setup call of request `r`: the failure (kind and message), if it failed.
    pub(crate) async fn setup_call<D: Driver>(
        &mut self,
        r: usize,
        start: Start,
        driver: &mut D,
        ctx: &mut Ctx<'_>,
    ) -> Option<String> {
        self.user
            .call(&self.flows, r, start, driver, ctx)
            .await
            .failure
    }

    /// The variables' values.
    pub(crate) fn into_vars(self) -> Vec<String> {
        self.user.ex.vars
    }

    /// Run mix choice `entry`; true when the drain after the window ended a call.
    pub(crate) async fn run<D: Driver>(
        &mut self,
        entry: usize,
        start: Start,
        driver: &mut D,
        ctx: &mut Ctx<'_>,
    ) -> bool {
        // Borrowed, not cloned: an `Arc` count shared by every engine thread would bounce
        // between cores on every call.
        let flows = &*self.flows;
        match flows.entry(entry) {
            Entry::Request(r) => self.user.call(flows, r, start, driver, ctx).await.drained,
            Entry::Journey(j) => self.user.journey(flows, j, start, driver, ctx).await,
        }
    }
}

impl User {
    async fn journey<D: Driver>(
        &mut self,
        flows: &Flows,
        j: usize,
        start: Start,
        driver: &mut D,
        ctx: &mut Ctx<'_>,
    ) -> bool {
        let steps = &flows.journeys[j].steps;
        self.ex.vars = flows.initial_vars();
        if let Some(jar) = &mut self.jar {
            jar.clear();
        }
        let mut step_start = start;
        let mut ok = true;
        for (k, &r) in steps.iter().enumerate() {
            let ended = self.call(flows, r, step_start, driver, ctx).await;
            ok = ended.ok;
            if ended.drained || !ended.ok {
                record_journey(flows, j, start, ok, ctx);
                return ended.drained;
            }
            if k + 1 == steps.len() {
                break;
            }
            let think = flows.step(r).think_time;
            if !think.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(think) => {}
                    () = ctx.window.ended() => {}
                }
            }
            let now = Instant::now();
            if ctx.window.is_closed(now) {
                return false; // cut short by the end of the window: neither done nor failed
            }
            step_start = Start {
                due: now,
                late: false,
                ..start
            };
        }
        record_journey(flows, j, start, ok, ctx);
        false
    }

    /// One call of request `r`, judged and recorded.
    async fn call<D: Driver>(
        &mut self,
        flows: &Flows,
        r: usize,
        start: Start,
        driver: &mut D,
        ctx: &mut Ctx<'_>,
    ) -> Ended {
        let step = flows.step(r);
        self.prepare(step);
        let plain = step.is_plain() && self.ex.is_plain();
        let sent = Instant::now();
        let call = async {
            if plain {
                driver.call(r).await
            } else {
                driver.exchange(r, &mut self.ex).await
            }
        };
        ctx.deadline.as_mut().reset((sent + ctx.timeout).into());
        let (drain, window) = (ctx.drain, ctx.window);
        let drained = async move {
            match drain {
                Some((drain, worker)) => drain.wait(worker).await,
                // Boxed: the engine's calls wait on the thread's `Drain`; this timer (two of
                // them) would otherwise take room in every connection's task.
                None => Box::pin(window.drained()).await,
            }
        };
        let (mut outcome, drained) = tokio::select! {
            outcome = call => (outcome, false),
            () = ctx.deadline.as_mut() => {
                driver.reset();
                let message = format!("no response within {:?}", ctx.timeout);
                (Outcome::failed(ErrorKind::Timeout, message), false)
            }
            () = drained => {
                driver.reset();
                let message = "no response by the end of the drain after the measured window";
                (Outcome::failed(ErrorKind::Timeout, message), true)
            }
        };
        if !plain {
            self.judge(
                r,
                step,
                &mut outcome,
                start.measured.then_some(ctx.recorder),
            );
        }
        let sample = Sample {
            request: r,
            due: start.due,
            sent,
            done: Instant::now(),
            late: start.late,
        };
        let mut recorder = ctx.recorder.borrow_mut();
        if start.measured {
            recorder.record(sample, &outcome);
        } else {
            recorder.count_connection(&outcome);
        }
        Ended {
            ok: outcome.is_ok(),
            drained,
            failure: outcome
                .error
                .map(|kind| format!("{kind}: {}", outcome.message.as_deref().unwrap_or(""))),
        }
    }

    /// Ask the driver for what the step's checks, extractions and the cookie jar need, and
    /// send the jar's cookies.
    fn prepare(&mut self, step: &Step) {
        self.ex.keep_headers = self.jar.is_some() || step.needs_headers();
        self.ex.keep_body = step.needs_body();
        self.ex.clear_response();
        self.ex.extra_headers.clear();
        if let Some(cookie) = self.jar.as_ref().and_then(CookieJar::header) {
            self.ex.extra_headers.push(("cookie".into(), cookie));
        }
    }

    /// Run the step's checks (counting them when `recorder` is given) and extractions on the
    /// response, store its cookies, and mask the virtual user's variables in the message.
    fn judge(
        &mut self,
        r: usize,
        step: &Step,
        outcome: &mut Outcome,
        recorder: Option<&RefCell<Recorder>>,
    ) {
        if outcome.status.is_none() {
            return;
        }
        if let Some(jar) = &mut self.jar {
            jar.store(&self.ex.headers);
        }
        if step.checks_status()
            && matches!(
                outcome.error,
                Some(ErrorKind::Status | ErrorKind::GrpcStatus)
            )
        {
            outcome.error = None; // the status check decides which statuses pass
            outcome.message = None;
        }
        let mut response = Response::new(outcome.status, outcome.bytes, &self.ex);
        let mut failed = None;
        for (i, check) in step.checks.iter().enumerate() {
            let verdict = check.judge(&mut response);
            if let Some(rec) = recorder {
                rec.borrow_mut().count_check(r, i, verdict.is_ok());
            }
            if let (Err(why), None) = (verdict, &failed) {
                failed = Some(format!("check {:?} failed: {why}", check.name));
            }
        }
        // Captured whatever the checks say, so a failure message showing them is masked too.
        let captured: Vec<(usize, Result<String, ExtractError>)> = step
            .extract
            .iter()
            .map(|e| (e.slot, e.capture(&mut response)))
            .collect();
        if let (Some(message), true) = (failed, outcome.is_ok()) {
            *outcome = Outcome::failed(ErrorKind::Check, message).with_response_of(outcome);
        }
        let missing = captured.iter().find_map(|(_, c)| c.as_ref().err());
        if let (Some(message), true) = (missing, outcome.is_ok()) {
            *outcome =
                Outcome::failed(ErrorKind::Extract, message.to_string()).with_response_of(outcome);
        }
        for (slot, value) in captured {
            if let (Some(v), Ok(value)) = (self.ex.vars.get_mut(slot), value) {
                *v = value;
            }
        }
        if let (Some(m), false) = (&mut outcome.message, self.ex.vars.is_empty()) {
            *m = mask(m, &self.ex.vars);
        }
    }
}

/// Record journey `j` that started at `start`, completed or failed.
fn record_journey(flows: &Flows, j: usize, start: Start, ok: bool, ctx: &Ctx<'_>) {
    if start.measured {
        let series = flows.journey_series(j);
        let mut recorder = ctx.recorder.borrow_mut();
        recorder.record_journey(series, start.due, Instant::now(), ok);
    }
}

/// `message` with the value of every variable (and its encoded forms) masked.
fn mask(message: &str, vars: &[String]) -> String {
    Redactor::new(
        vars.iter()
            .map(String::as_str)
            .filter(|v| v.len() >= MIN_LEN),
    )
    .text(message)
}

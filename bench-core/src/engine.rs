//! The engine: threads, each with a single-threaded tokio runtime and its own connections,
//! workers and [`Recorder`](crate::recorder::Recorder); histograms never cross threads while the
//! load runs. The calling thread collects one-second interval reports for progress and the
//! timeline, and merges the threads' recordings at the end.

use std::sync::atomic::AtomicU64;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub use crate::dispatch::LATE_AFTER;
use crate::driver::Connector;
pub use crate::engine_error::EngineError;
use crate::flow::Flows;
use crate::generator::GeneratorUsage;
use crate::pacer::{Cancel, LoadModel};
use crate::recorder::{Counts, Series, ThreadRecording};
pub use crate::run_config::{RunConfig, Shard};
use crate::summary::CheckSummary;
use crate::thread::{thread_main, ThreadCtx};
use crate::timeline::{TimelineBuilder, TimelinePoint};

/// A progress snapshot, about four times a second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Time since the start, warm-up included.
    pub elapsed: Duration,
    /// Whether the run is still warming up.
    pub warming_up: bool,
    /// Measured calls completed so far.
    pub requests: u64,
    /// Measured failures so far.
    pub errors: u64,
    /// Calls completed in the last full second.
    pub last_second_rps: u64,
    /// CO-correct p99 so far (µs).
    pub p99_us: u64,
}

/// Everything a run recorded, merged over threads.
#[derive(Debug)]
pub struct Recording {
    /// Wall-clock start of the measurement (after warm-up).
    pub started_at: SystemTime,
    /// Measured duration: from the end of warm-up to the last completion.
    pub duration: Duration,
    /// The measured window: from the end of warm-up to its planned end, or to the cancellation
    /// if earlier, or to the last completion when a request count ended the run earlier. The
    /// summary's `rps` is over this window.
    pub window: Duration,
    /// From the first to the last measured completion: the window over which the target's
    /// achieved throughput is measured (see [`Recording::achieved_rps`]).
    pub completion_span: Duration,
    /// Names and series of the mix's requests (and of the journeys' steps).
    pub series: Vec<(String, Series)>,
    /// Names and series of the journeys: end-to-end latency, completed and failed journeys.
    pub journeys: Vec<(String, Series)>,
    /// Pass and fail counts of every check, by request.
    pub checks: Vec<CheckSummary>,
    /// Status and error counts, and late sends.
    pub counts: Counts,
    /// Per-second timeline.
    pub timeline: Vec<TimelinePoint>,
    /// True when the run was stopped early.
    pub cancelled: bool,
    /// The offered rate of the measured phase (open model), in req/s.
    pub target_rps: Option<f64>,
    /// The generator's own CPU time and scheduling lag (its self-check).
    pub generator: GeneratorUsage,
}

impl Recording {
    /// The rate at which the target completed calls: completions over the span from the first to
    /// the last completion. Unlike `requests / duration`, this does not count the latency of the
    /// last call as time, so a target that keeps up reads as the offered rate even in short runs,
    /// while one that falls behind (its completions trail off after the last send) reads lower.
    #[must_use]
    pub fn achieved_rps(&self) -> f64 {
        let total = self.total();
        let n = total.requests - total.unsent;
        let span = self.completion_span.as_secs_f64();
        if n < 2 || span <= 0.0 {
            return n as f64 / self.duration.as_secs_f64().max(1e-3);
        }
        (n - 1) as f64 / span
    }

    /// All requests of the mix merged.
    #[must_use]
    pub fn total(&self) -> Series {
        let mut total = Series::default();
        for (_, s) in &self.series {
            total.merge(s);
        }
        total
    }
}

/// Run the load to completion (or until `cancel`), calling `progress` about four times a second.
/// Blocks the calling thread; call it from `spawn_blocking` inside async code.
///
/// The run ends at the end of the measured window plus the drain ([`RunConfig::drain`], at most
/// the request timeout), whatever the target does; see [`crate::window`].
pub fn run<C: Connector>(
    connector: Arc<C>,
    config: &RunConfig,
    cancel: &Cancel,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Recording, EngineError> {
    let flows = config
        .flows
        .clone()
        .unwrap_or_else(|| Flows::plain(connector.request_names().len()));
    let names = flows.series_names(&connector.request_names());
    validate(config, flows.entries.len())?;
    let connections = config.shard_connections();
    crate::limits::check(config, connections)?;
    let threads = thread_count(config, connections);
    let claimed = Arc::new(AtomicU64::new(0));
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    let mut handles = Vec::with_capacity(threads);
    let mut starts = Vec::with_capacity(threads);
    for t in 0..threads {
        let (start_tx, start_rx) = mpsc::channel();
        starts.push(start_tx);
        let ctx = ThreadCtx {
            thread: t,
            threads,
            connections: connections / threads + usize::from(t < connections % threads),
            ready: ready_tx.clone(),
            start: start_rx,
            claimed: claimed.clone(),
            sink: tx.clone(),
            cancel: cancel.clone(),
            requests: names.len(),
            flows: flows.clone(),
        };
        let connector = connector.clone();
        let config = config.clone();
        let handle = std::thread::Builder::new()
            .name(format!("tailguard-{t}"))
            .spawn(move || thread_main(&*connector, &config, ctx))?;
        handles.push(handle);
    }
    drop((tx, ready_tx));
    // The clock for intended start times starts once every thread has its runtime and drivers:
    // the tool's own start-up is never counted as the target's latency.
    for _ in 0..threads {
        if ready_rx.recv().is_err() {
            break; // a thread failed; joining below reports it
        }
    }
    let (start, started_at) = start_time(config);
    for s in &starts {
        let _ = s.send(start);
    }
    let measure_start = start + config.warmup;
    let timeline = collect(&rx, start, measure_start, threads, progress);
    finish(
        handles,
        (names, &flows),
        config,
        cancel,
        (started_at, measure_start),
        timeline,
    )
}

fn thread_count(config: &RunConfig, connections: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    (if config.threads == 0 {
        cores
    } else {
        config.threads
    })
    .clamp(1, connections)
}

/// The instant the load starts and the wall-clock start of the measurement (after warm-up).
fn start_time(config: &RunConfig) -> (Instant, SystemTime) {
    let delay = match config.start_at {
        Some(at) => at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
        None => Duration::from_millis(2),
    };
    (
        Instant::now() + delay,
        SystemTime::now() + delay + config.warmup,
    )
}

/// Gather the threads' interval reports into the timeline, reporting progress, until every
/// thread has finished.
fn collect(
    rx: &mpsc::Receiver<crate::recorder::IntervalReport>,
    start: Instant,
    measure_start: Instant,
    threads: usize,
    progress: &mut dyn FnMut(&Progress),
) -> TimelineBuilder {
    let mut timeline = TimelineBuilder::new(threads);
    let mut last_progress = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(report) => timeline.add(report),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if last_progress.elapsed() >= Duration::from_millis(250) {
            last_progress = Instant::now();
            let now = Instant::now();
            let (requests, errors, last_second_rps, p99_us) = timeline.progress();
            progress(&Progress {
                elapsed: now.saturating_duration_since(start),
                warming_up: now < measure_start,
                requests,
                errors,
                last_second_rps,
                p99_us,
            });
        }
    }
    timeline
}

/// Join the threads and merge their recordings.
fn finish(
    handles: Vec<std::thread::JoinHandle<Result<ThreadRecording, EngineError>>>,
    (names, flows): (Vec<String>, &Flows),
    config: &RunConfig,
    cancel: &Cancel,
    (started_at, measure_start): (SystemTime, Instant),
    timeline: TimelineBuilder,
) -> Result<Recording, EngineError> {
    let mut series = vec![Series::default(); names.len().max(1)];
    let mut counts = Counts::default();
    let mut first_done: Option<Instant> = None;
    let mut last_done: Option<Instant> = None;
    let mut generator = GeneratorUsage::default();
    for (i, handle) in handles.into_iter().enumerate() {
        let rec = handle.join().map_err(|_| EngineError::Panicked(i))??;
        generator.add(&rec);
        for (mine, theirs) in series.iter_mut().zip(&rec.series) {
            mine.merge(theirs);
        }
        counts.merge(&rec.counts);
        first_done = earliest(first_done, rec.first_done);
        last_done = match (last_done, rec.last_done) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    let end = match cancel.cancelled_at() {
        Some(at) => at.max(last_done.unwrap_or(at)),
        None => last_done.unwrap_or_else(Instant::now),
    };
    let duration = end
        .saturating_duration_since(measure_start)
        .max(Duration::from_millis(1));
    let target_rps = match &config.model {
        LoadModel::Open { profile, .. } => {
            let secs = profile.duration().as_secs_f64();
            (secs > 0.0)
                .then(|| profile.expected_arrivals() / secs / config.shard.count.max(1) as f64)
        }
        LoadModel::Closed { .. } => None,
    };
    let window = measured_window(config, cancel, measure_start, last_done);
    let completion_span = match (first_done, last_done) {
        (Some(first), Some(last)) => last.saturating_duration_since(first),
        _ => Duration::ZERO,
    };
    let mut series: Vec<(String, Series)> = names
        .into_iter()
        .chain(std::iter::repeat(String::from("default")))
        .zip(series)
        .collect();
    let journeys = series.split_off(flows.recorded.min(series.len()));
    Ok(Recording {
        started_at,
        duration,
        window,
        completion_span,
        checks: check_counts(flows, &series),
        series,
        journeys,
        counts,
        timeline: timeline.finish(duration),
        cancelled: cancel.is_cancelled(),
        target_rps,
        generator,
    })
}

/// The pass and fail counts of every check of the recorded requests.
fn check_counts(flows: &Flows, series: &[(String, Series)]) -> Vec<CheckSummary> {
    let mut out = Vec::new();
    for (r, (name, s)) in series.iter().enumerate() {
        for (k, check) in flows.step(r).checks.iter().enumerate() {
            let [passed, failed] = s.checks.get(k).copied().unwrap_or([0, 0]);
            out.push(CheckSummary {
                request: name.clone(),
                check: check.name.clone(),
                passed,
                failed,
            });
        }
    }
    out
}

/// The length of the measured window (see [`Recording::window`]); at least 1 ms.
fn measured_window(
    config: &RunConfig,
    cancel: &Cancel,
    measure_start: Instant,
    last_done: Option<Instant>,
) -> Duration {
    let planned = measure_start + config.model.duration();
    let mut end = cancel.cancelled_at().map_or(planned, |at| at.min(planned));
    if config.stop.max_requests.is_some() {
        end = earliest(Some(end), last_done).unwrap_or(end);
    }
    end.saturating_duration_since(measure_start)
        .max(Duration::from_millis(1))
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn validate(config: &RunConfig, requests: usize) -> Result<(), EngineError> {
    if config.shard.count == 0 || config.shard.index >= config.shard.count {
        return Err(EngineError::Config(format!(
            "shard {}/{} is out of range",
            config.shard.index, config.shard.count
        )));
    }
    if config.timeout.is_zero() {
        return Err(EngineError::Config("timeout must be > 0".into()));
    }
    if !config.weights.is_empty() && config.weights.len() != requests {
        return Err(EngineError::Config(format!(
            "{} weights for {requests} requests",
            config.weights.len()
        )));
    }
    if config.weights.iter().any(|w| !w.is_finite() || *w < 0.0)
        || (!config.weights.is_empty() && config.weights.iter().sum::<f64>() <= 0.0)
    {
        return Err(EngineError::Config(
            "weights must be >= 0 with a positive sum".into(),
        ));
    }
    Ok(())
}

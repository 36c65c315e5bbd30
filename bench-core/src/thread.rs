//! One engine thread: a single-threaded tokio runtime with its own drivers (connections),
//! workers, pacer share, open-model [`Dispatch`] (with its alarm) and [`Recorder`]. It reports
//! ready once its drivers exist, starts at the instant the engine sends back, runs its workers
//! until the window and the drain end, then counts the slots it never sent, and its own CPU time.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::SeedableRng;
use tokio::task::LocalSet;

use crate::alarm::Alarm;
use crate::dispatch::Dispatch;
use crate::driver::{Connector, Driver};
use crate::engine_error::EngineError;

use crate::flow::Vu;
use crate::generator::thread_cpu;
use crate::pacer::{Cancel, Pacer};
use crate::recorder::{IntervalReport, Recorder, ThreadRecording};
use crate::run_config::RunConfig;
use crate::window::{Drain, Window};
use crate::worker::{Mix, StartGate, Worker};

pub(crate) struct ThreadCtx {
    pub(crate) thread: usize,
    pub(crate) threads: usize,
    pub(crate) connections: usize,
    /// Told once this thread's runtime and drivers are ready.
    pub(crate) ready: mpsc::Sender<()>,
    /// The start instant, sent once every thread is ready.
    pub(crate) start: mpsc::Receiver<Instant>,
    pub(crate) claimed: Arc<AtomicU64>,
    pub(crate) sink: mpsc::Sender<IntervalReport>,
    pub(crate) cancel: Cancel,
    pub(crate) requests: usize,
    pub(crate) flows: std::sync::Arc<crate::flow::Flows>,
}

pub(crate) fn thread_main<C: Connector>(
    connector: &C,
    config: &RunConfig,
    ctx: ThreadCtx,
) -> Result<ThreadRecording, EngineError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = LocalSet::new();
    let (drivers, alarm) = drivers_and_alarm(&rt, connector, config, ctx.connections);
    // The workers' tasks exist, and wait at the gate, before the start instant is fixed.
    let gate = Rc::new(StartGate::default());
    let tasks = spawn_workers(&local, drivers, &gate, config, ctx.thread);
    let workers = tasks.len();
    park_at_gate(&rt, &local, &gate, workers);
    let _ = ctx.ready.send(());
    let Ok(start) = ctx.start.recv() else {
        return Ok(ThreadRecording::default());
    };
    let measure_start = start + config.warmup;
    let window = Window::new(
        measure_start + config.model.duration(),
        config.effective_drain(),
        ctx.cancel.clone(),
    );
    let pacer = Rc::new(pacer(config, &ctx, start, workers));
    let recorder = Rc::new(RefCell::new(
        Recorder::new(ctx.thread, ctx.requests, measure_start, ctx.sink)
            .with_flows(ctx.flows.clone()),
    ));
    let mix = Rc::new(Mix::new(&config.weights));
    let pacing = alarm.kind();
    let (cpu_start, wall_start) = (thread_cpu(), Instant::now());
    let mut recording = local.block_on(&rt, async {
        let dispatch = pacer
            .is_open()
            .then(|| Rc::new(Dispatch::new(pacer.clone(), window.clone())));
        let drain = Rc::new(Drain::default());
        let dispatcher = dispatch
            .clone()
            .map(|d| tokio::task::spawn_local(d.run(alarm)));
        gate.open(Worker {
            id: 0,
            pacer: pacer.clone(),
            dispatch: dispatch.clone(),
            recorder: recorder.clone(),
            mix: mix.clone(),
            window: window.clone(),
            drain: drain.clone(),
            timeout: config.timeout,
            rng: SmallRng::seed_from_u64(config.seed),
            vu: Vu::new(ctx.flows.clone()),
        });
        let watcher = tokio::task::spawn_local(drain.watch(window.clone()));
        let ticker = spawn_ticker(recorder.clone());
        for task in tasks {
            let _ = task.await;
        }
        ticker.abort();
        watcher.abort();
        if let Some(d) = dispatcher {
            d.abort();
        }
        let mut rng = SmallRng::seed_from_u64(config.seed ^ (ctx.thread as u64) << 48);
        crate::unsent::count(
            &pacer,
            &mut recorder.borrow_mut(),
            &mix,
            &mut rng,
            window.end(),
        );
        recorder.borrow_mut().finish()
    });
    recording.wall = wall_start.elapsed();
    recording.pacing = pacing.name();
    recording.cpu = cpu_start.zip(thread_cpu()).map(|(a, b)| b - a.min(b));
    Ok(recording)
}

/// The thread's drivers (`connections` × streams) and its alarm, registered with its reactor.
fn drivers_and_alarm<C: Connector>(
    rt: &tokio::runtime::Runtime,
    connector: &C,
    config: &RunConfig,
    connections: usize,
) -> (Vec<C::Driver>, Alarm) {
    let streams = config.streams_per_connection.max(1);
    let _entered = rt.enter();
    let drivers = (0..connections).flat_map(|_| connector.drivers(streams));
    (drivers.collect(), Alarm::new())
}

/// One worker per driver (connection or stream), each with its own seed, on the thread's
/// `LocalSet`; each waits at `gate` for the start.
fn spawn_workers<D: Driver + 'static>(
    local: &LocalSet,
    drivers: Vec<D>,
    gate: &Rc<StartGate>,
    config: &RunConfig,
    thread: usize,
) -> Vec<tokio::task::JoinHandle<()>> {
    let streams = config.streams_per_connection.max(1);
    drivers
        .into_iter()
        .enumerate()
        .map(|(i, driver)| {
            let (c, s) = (i / streams, i % streams);
            let seed = config.seed ^ ((thread as u64) << 40 | (c as u64) << 16 | s as u64);
            let gate = gate.clone();
            local.spawn_local(async move {
                let worker = Worker {
                    id: i,
                    rng: SmallRng::seed_from_u64(seed),
                    ..gate.wait().await
                };
                worker.run(driver).await;
            })
        })
        .collect()
}

/// Run the thread's `LocalSet` until all `workers` tasks wait at `gate`.
fn park_at_gate(rt: &tokio::runtime::Runtime, local: &LocalSet, gate: &StartGate, workers: usize) {
    local.block_on(rt, async {
        while gate.waiting() < workers {
            tokio::task::yield_now().await;
        }
    });
}

/// This thread's share of the load's pacing (its slots of the shard's schedule), on the
/// scenario's send grid; a grid cell holds at most half the thread's `workers`' worth of calls.
fn pacer(config: &RunConfig, ctx: &ThreadCtx, start: Instant, workers: usize) -> Pacer {
    Pacer::new(
        &config.model,
        config.stop,
        config.warmup,
        start,
        config.seed,
        (ctx.thread, ctx.threads),
        (config.shard.index, config.shard.count),
        ctx.claimed.clone(),
    )
    .with_cell_cap(workers / 2)
    .with_grid(config.send_grid)
}

/// Closes the recorder's finished intervals every 200 ms while the workers run.
fn spawn_ticker(recorder: Rc<RefCell<Recorder>>) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_local(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            recorder.borrow_mut().advance_to(Instant::now());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec};
    use crate::driver::AnyConnector;

    fn size_of_future<F: std::future::Future>(_: &F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Every connection (or stream) is one task whose future holds the worker, its driver and
    /// the deepest call path: at 10 000 connections each KiB of it is 10 MB of the run's memory
    /// (docs/benchmarks.md, "Peak RSS holding 10 000 connections"). It was 5.7 KiB, 2 KiB of it
    /// httparse's header array held across a read and another 1.2 KiB dialling's future.
    #[test]
    fn a_connection_task_stays_under_4_kib() {
        let spec = HttpRequestSpec {
            name: "get".into(),
            method: "GET".into(),
            path: "/".into(),
            ..HttpRequestSpec::default()
        };
        let http = HttpConnector::new("http://127.0.0.1:1", &[spec], &HttpOptions::default());
        let connector = AnyConnector::Http(http.unwrap());
        let driver = connector.drivers(1).pop().unwrap();
        let gate = Rc::new(StartGate::default());
        // The task `spawn_workers` spawns.
        let task = async move {
            let worker = Worker {
                id: 0,
                ..gate.wait().await
            };
            worker.run(driver).await;
        };
        let size = size_of_future(&task);
        assert!(size < 4096, "a connection's task takes {size} bytes");
    }
}

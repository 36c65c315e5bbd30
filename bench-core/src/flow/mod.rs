//! Requests beyond one independent call: checks on responses ([`check`]), values extracted
//! into variables of the virtual user ([`extract`]), journeys of ordered steps, setup steps run
//! once before the load ([`setup`]), and an opt-in cookie jar ([`cookies`]).
//!
//! The connector's requests are laid out as: the recorded ones (requests of the mix and the
//! steps of every journey, each with its own series) and then the setup steps (never
//! recorded). The mix the engine picks from is made of [`Entry`]s: a request, or a journey.
//! Each journey also has a series of its own, after the requests': its end-to-end latency
//! (from its intended start, think times included), completed and failed journeys.
//!
//! A scenario without checks, extraction, journeys or cookies runs [`Flows::plain`], whose
//! calls are exactly the driver's plain calls.

pub mod check;
pub mod cookies;
mod exec;
pub mod extract;
pub mod setup;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub(crate) use exec::{Ctx, Start, Vu};

use check::Check;
use extract::Extract;

/// What happens around one request of the connector.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// Judged on every response.
    pub checks: Vec<Check>,
    /// Captured from a successful response.
    pub extract: Vec<Extract>,
    /// Pause after this step before the journey's next one.
    pub think_time: Duration,
}

impl Step {
    /// Whether the step needs nothing of the response besides its status.
    #[must_use]
    pub fn is_plain(&self) -> bool {
        self.checks.is_empty() && self.extract.is_empty()
    }

    fn needs_headers(&self) -> bool {
        self.checks.iter().any(|c| c.test.needs_headers())
            || self.extract.iter().any(|e| e.from.needs_headers())
    }

    fn needs_body(&self) -> bool {
        self.checks.iter().any(|c| c.test.needs_body())
            || self.extract.iter().any(|e| e.from.needs_body())
    }

    /// Whether a status check replaces the default judgement of the status.
    fn checks_status(&self) -> bool {
        self.checks
            .iter()
            .any(|c| matches!(c.test, check::Test::Status(_)))
    }
}

/// A journey: ordered steps (indexes of the connector's requests).
#[derive(Debug, Clone)]
pub struct Journey {
    /// Name in results.
    pub name: String,
    /// Its steps, in order.
    pub steps: Vec<usize>,
}

/// One choice of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A request of the connector.
    Request(usize),
    /// A journey, by index.
    Journey(usize),
}

/// The checks, extractions, journeys and setup of a scenario.
#[derive(Debug, Default)]
pub struct Flows {
    /// The mix's choices, indexed like the run's weights.
    pub entries: Vec<Entry>,
    /// One per request of the connector: recorded requests, then setup steps.
    pub steps: Vec<Step>,
    /// How many requests of the connector are recorded (the rest are setup steps).
    pub recorded: usize,
    /// Journeys.
    pub journeys: Vec<Journey>,
    /// Setup steps (indexes of the connector's requests), run once before the load.
    pub setup: Vec<usize>,
    /// Names of the variables (slots of [`crate::driver::Exchange::vars`]).
    pub vars: Vec<String>,
    /// Keep a cookie jar per virtual user.
    pub cookies: bool,
    /// The variables' values after the setup (empty until it ran).
    pub(crate) setup_values: OnceLock<Vec<String>>,
}

impl Flows {
    /// The flows of a plain mix of `requests` requests: each entry one request, nothing else.
    #[must_use]
    pub fn plain(requests: usize) -> Arc<Self> {
        Arc::new(Self {
            entries: (0..requests.max(1)).map(Entry::Request).collect(),
            steps: vec![Step::default(); requests.max(1)],
            recorded: requests.max(1),
            ..Self::default()
        })
    }

    /// The step of request `request` (a plain one when out of range).
    #[must_use]
    pub fn step(&self, request: usize) -> &Step {
        static PLAIN: Step = Step {
            checks: Vec::new(),
            extract: Vec::new(),
            think_time: Duration::ZERO,
        };
        self.steps.get(request).unwrap_or(&PLAIN)
    }

    /// The entry at `index` of the mix (request `index` when out of range).
    #[must_use]
    pub fn entry(&self, index: usize) -> Entry {
        self.entries
            .get(index)
            .copied()
            .unwrap_or(Entry::Request(index))
    }

    /// The series of journey `j`.
    #[must_use]
    pub fn journey_series(&self, j: usize) -> usize {
        self.recorded + j
    }

    /// Names of the series: the recorded requests' (from the connector's `names`), then the
    /// journeys'.
    #[must_use]
    pub fn series_names(&self, names: &[String]) -> Vec<String> {
        let mut out: Vec<String> = names.iter().take(self.recorded).cloned().collect();
        out.extend(self.journeys.iter().map(|j| j.name.clone()));
        out
    }

    /// The variables' starting values: the setup's captures, or empty.
    #[must_use]
    pub fn initial_vars(&self) -> Vec<String> {
        self.setup_values
            .get()
            .cloned()
            .unwrap_or_else(|| vec![String::new(); self.vars.len()])
    }

    /// Whether no request needs more than a plain call.
    #[must_use]
    pub fn is_plain(&self) -> bool {
        self.journeys.is_empty()
            && self.vars.is_empty()
            && !self.cookies
            && self.steps.iter().all(Step::is_plain)
    }
}

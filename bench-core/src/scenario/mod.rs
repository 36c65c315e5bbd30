//! Scenario files (TOML): what to call, how hard, and which SLOs must hold.
//!
//! Errors name the file, line, column and field. Strings in `target`, `path`, `headers`, `body`,
//! GraphQL `variables` and gRPC `message` may use `${VAR}` / `${VAR:-default}`; values that came
//! from the environment are never written to results (the stored configuration keeps the
//! `${VAR}` text) and are masked by value wherever text leaves the process ([`crate::redact`]).
//! Per-call `{{…}}` placeholders are rendered by the drivers
//! ([`crate::template`]). The format is documented in `docs/scenarios.md`.

mod connect;
mod file;
mod flow_file;
mod flows;
pub mod gate;
mod interpolate;
mod load;
mod load_check;
mod location;
pub mod overrides;
mod request;
pub mod saturation;
pub mod slo;
pub mod target;
mod transport;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use file::{
    DataSection, GraphqlSection, GrpcSection, HttpSection, JourneySection, LoadSection, ModelKind,
    OperationSection, Protocol, RequestSection, ScenarioFile, SetupSection,
};
pub use flow_file::{CheckSection, ExtractSection};
pub use interpolate::{interpolate, InterpolateError};
pub use location::Location;
pub use overrides::{Field, Override, SetError};
pub use request::Plan;
use slo::Slo;

use crate::driver::http::HttpVersion;
use crate::driver::route::ConnectOptions;
use crate::feeder::Feeder;
use crate::flow::Flows;
use crate::redact::{self, Redactor};
use crate::template::{self, Sources};

/// The seed of arrivals, mix choices and template values when the scenario names none.
const DEFAULT_SEED: u64 = 0x7a11_9a4d;
use crate::engine::RunConfig;
use crate::pacer::{LoadModel, StopCondition};
use crate::schedule::{Rate, RateProfile};

/// Errors loading a scenario. Every variant names where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Syntax or type error, or an invalid value.
    #[error("{loc}: {field}: {message}")]
    Invalid {
        /// File, line and column.
        loc: Location,
        /// Dotted field path, e.g. `load.rate`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An override's value is invalid (of the wrong type, or breaking a rule of the file).
    #[error("{origin}: {message}")]
    Override {
        /// The override as the user gave it: `--set load.rate=abc`, `--rate -5`.
        origin: String,
        /// The field and what is wrong with it.
        message: String,
    },
}

/// A loaded, validated, interpolated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// As written (secrets still as `${VAR}`), after `--set` overrides.
    pub file: ScenarioFile,
    /// Where it came from.
    pub path: PathBuf,
    /// The target after interpolation.
    pub target: String,
    /// Requests after interpolation, in the protocol's form.
    pub plan: Plan,
    /// Mix weights, indexed like the plan's requests.
    pub weights: Vec<f64>,
    /// The call counter and data feeder that request templates draw from.
    pub sources: Sources,
    /// Parsed thresholds.
    pub slos: Vec<Slo>,
    /// How connections are made (`[http]`'s TLS, `hosts` and proxy settings, files loaded).
    pub connect: ConnectOptions,
    /// Masks the values this scenario took from the environment.
    pub redactor: Redactor,
    /// Checks, extractions, journeys, setup and cookies around the plan's requests.
    pub flows: Arc<Flows>,
}

impl Scenario {
    /// Read and validate a scenario file, applying `overrides` (typed values of dotted keys, in
    /// order) and interpolating from the process environment.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Self, ScenarioError> {
        let bytes = std::fs::read(path).map_err(|source| ScenarioError::Io {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| location::not_utf8(path, &e))?;
        Self::parse(&text, path, overrides, &|name| std::env::var(name).ok())
    }

    /// Parse scenario text; `path` is used in errors and to resolve relative files.
    pub fn parse(
        text: &str,
        path: &Path,
        overrides: &[Override],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ScenarioError> {
        let file = overrides::apply(text, path, overrides)?;
        Self::validate(file, text, path, env).map_err(|e| overrides::blame(e, overrides))
    }

    /// Validate and interpolate a parsed file; errors are located in `text`, its source.
    fn validate(
        file: ScenarioFile,
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ScenarioError> {
        // Every value taken from the environment is a secret (crate::redact); error messages
        // built from interpolated text are redacted as they are made.
        let secrets = RefCell::new(Redactor::default());
        let env = &|name: &str| {
            let value = env(name);
            if let Some(v) = &value {
                secrets.borrow_mut().add(v);
            }
            value
        };
        let invalid = |field: &str, message: String| ScenarioError::Invalid {
            loc: Location::of_field(text, path, field),
            field: field.to_owned(),
            message: secrets.borrow().text(&message),
        };

        if file.name.trim().is_empty() {
            return Err(invalid("name", "must not be empty".into()));
        }
        let target =
            interpolate(&file.target, env).map_err(|m| invalid("target", m.to_string()))?;
        target::check(&target).map_err(|m| invalid("target", format!("the target URL {m}")))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let feeder = match &file.data {
            Some(d) => Some(Arc::new(
                Feeder::load(&dir.join(&d.file), d.order)
                    .map_err(|e| invalid("data.file", e.to_string()))?,
            )),
            None => None,
        };
        let columns = feeder.as_ref().map_or(&[][..], |f| f.columns());
        let (plan, weights, flows) = flows::build(&file, env, dir, columns, &invalid)?;
        if let Some(name) = duplicate_name(&plan) {
            return Err(invalid(
                "requests",
                format!("two requests are named {name:?}; give each a distinct name"),
            ));
        }

        load_check::validate(&file).map_err(|(field, m)| invalid(&field, m))?;
        let mut slos = Vec::with_capacity(file.slo.len());
        for (i, s) in file.slo.iter().enumerate() {
            slos.push(
                s.parse::<Slo>()
                    .map_err(|m| invalid(&format!("slo[{i}]"), m.to_string()))?,
            );
        }
        file.gate
            .settings(false)
            .map_err(|m| invalid("gate", m.to_string()))?;
        file.gate
            .gated_metrics()
            .map_err(|m| invalid("gate.metrics", m.to_string()))?;
        let connect = transport::connect_options(&file.http, dir, env, &invalid)?;
        transport::check_follow(&file.http, file.protocol, &invalid)?;
        let seed = file.load.seed.unwrap_or(DEFAULT_SEED);
        let redactor = secrets.borrow().clone();
        redact::remember(&redactor);
        let scenario = Scenario {
            redactor,
            path: path.to_owned(),
            target,
            sources: Sources::new(feeder, seed).with_vars(flows.vars.clone()),
            flows: Arc::new(flows),
            plan,
            weights,
            slos,
            connect,
            file,
        };
        scenario.validate_requests(&invalid)?;
        Ok(scenario)
    }

    /// Build the connector once to validate methods, paths, headers, templates and `.proto`
    /// files before any load. Reflection needs the server, so it waits for `connector()`, which
    /// the runner calls before sending load; templates are checked here all the same.
    fn validate_requests(&self, invalid: request::Invalid<'_>) -> Result<(), ScenarioError> {
        let validated = match (&self.plan, &self.file.grpc.proto.is_empty()) {
            (Plan::Grpc(requests), true) => {
                let names = self.sources.names();
                for (i, r) in requests.iter().enumerate() {
                    template::Template::json(&r.message, names).map_err(|m| {
                        invalid(&format!("{}.message", self.section(i)), m.to_string())
                    })?;
                    for (k, v) in &r.metadata {
                        template::Template::text(v, names).map_err(|m| {
                            invalid(&format!("{}.headers.{k}", self.section(i)), m.to_string())
                        })?;
                    }
                }
                Ok(())
            }
            _ => self.build_connector().map(|_| ()),
        };
        validated.map_err(|e| invalid(&self.error_field(&e), e.to_string()))
    }

    /// The engine configuration for this scenario.
    #[must_use]
    pub fn run_config(&self) -> RunConfig {
        let l = &self.file.load;
        let model = match l.model {
            ModelKind::Open => {
                let profile = if l.stages.is_empty() {
                    let rate = l.rate.unwrap_or(Rate::ZERO);
                    let duration = l.duration.unwrap_or_else(|| {
                        // Count-limited: long enough for the count, plus slack.
                        let n = l.requests.unwrap_or(1) as f64;
                        Duration::from_secs_f64(n / rate.per_second().max(1e-9) + 1.0)
                    });
                    RateProfile::constant(rate, duration)
                } else {
                    let start = l.start_rate.unwrap_or(Rate::ZERO);
                    RateProfile::ramping(start, l.stages.clone())
                };
                LoadModel::Open {
                    profile,
                    arrival: l.arrival,
                }
            }
            ModelKind::Closed => LoadModel::Closed {
                think_time: l.think_time,
                duration: l.duration.unwrap_or(Duration::from_secs(24 * 3600)),
            },
        };
        let connections = match l.model {
            ModelKind::Open => l.connections,
            ModelKind::Closed => l.workers.unwrap_or(l.connections),
        };
        let streams = match (self.file.protocol, self.file.http.version) {
            (Protocol::Grpc, _) | (_, HttpVersion::Http2) => l.streams_per_connection,
            (_, HttpVersion::Http1) => 1,
        };
        // Closed-model workers over HTTP/2 share connections: workers = connections × streams.
        let connections = if l.model == ModelKind::Closed {
            connections.div_ceil(streams)
        } else {
            connections
        };
        RunConfig {
            model,
            stop: StopCondition {
                max_requests: l.requests,
            },
            warmup: l.warmup,
            connections,
            streams_per_connection: streams,
            threads: l.threads,
            timeout: l.timeout,
            send_grid: l.send_grid.unwrap_or(crate::pacer::SEND_GRID),
            drain: l.drain.unwrap_or(crate::window::DEFAULT_DRAIN),
            seed: l.seed.unwrap_or(DEFAULT_SEED),
            weights: self.weights.clone(),
            flows: Some(self.flows.clone()),
            ..RunConfig::default()
        }
    }

    /// The configuration to store in results: the file as written (so `${VAR}` stays
    /// uninterpolated), with sensitive header values and URL credentials redacted.
    #[must_use]
    pub fn redacted_config(&self) -> serde_json::Value {
        let mut file = self.file.clone();
        file.target = redact_url(&file.target);
        transport::redact(&mut file.http);
        for r in file.request.iter_mut().chain(file.requests.iter_mut()) {
            for (name, value) in &mut r.headers {
                if is_sensitive(name) && !interpolate::mentions_variable(value) {
                    *value = "<redacted>".into();
                }
            }
        }
        let mut v = serde_json::to_value(&file).unwrap_or(serde_json::Value::Null);
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "resolved_target".into(),
                serde_json::Value::String(redact_url(&self.target)),
            );
        }
        self.redactor.json(&mut v);
        v
    }

    /// The scenario name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.file.name
    }
}

/// A request name given twice in the mix.
fn duplicate_name(plan: &Plan) -> Option<&str> {
    let mut names: Vec<&str> = plan.names();
    names.sort_unstable();
    names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

fn is_sensitive(header: &str) -> bool {
    let h = header.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "api-key",
        "apikey",
        "password",
    ]
    .iter()
    .any(|s| h.contains(s))
}

/// Remove `user:password@` from a URL.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

//! From the scenario file's requests, journeys and setup to the connector's request list and
//! the [`Flows`] around it: checks and extractions compiled (bad ones named by field), the
//! variables collected, journey steps named `journey/step` and setup steps `setup/step`.

use std::path::Path;
use std::time::Duration;

use regex::Regex;

use super::file::{Protocol, RequestSection, ScenarioFile};
use super::flow_file::{CheckSection, ExtractSection};
use super::request::{self, Invalid, Plan};
use super::ScenarioError;
use crate::driver::Status;
use crate::flow::check::{Check, Expect, Test};
use crate::flow::extract::{Extract, Source};
use crate::flow::{Entry, Flows, Journey, Step};

/// Names a variable may not take: the template's own expressions.
const RESERVED: [&str; 3] = ["seq", "uuid", "random_int"];

/// The connector's requests, the mix's weights and the flows of `file`.
pub(super) fn build(
    file: &ScenarioFile,
    env: &dyn Fn(&str) -> Option<String>,
    dir: &Path,
    columns: &[String],
    invalid: Invalid<'_>,
) -> Result<(Plan, Vec<f64>, Flows), ScenarioError> {
    let mix = mix_sections(file).map_err(|(field, m)| invalid(field, m.into()))?;
    let mut all = mix.clone();
    let mut journeys = Vec::with_capacity(file.journeys.len());
    for (j, journey) in file.journeys.iter().enumerate() {
        let at = format!("journeys[{j}]");
        check_journey(journey, &at, invalid)?;
        let first = all.len();
        all.extend(
            (0..journey.steps.len()).map(|k| (format!("{at}.steps[{k}]"), &journey.steps[k])),
        );
        journeys.push(Journey {
            name: journey.name.clone(),
            steps: (first..all.len()).collect(),
        });
    }
    let recorded = all.len();
    let setup_steps = file.setup.as_ref().map_or(&[][..], |s| s.steps.as_slice());
    if file.setup.is_some() && setup_steps.is_empty() {
        return Err(invalid("setup", "a [setup] needs [[setup.steps]]".into()));
    }
    all.extend((0..setup_steps.len()).map(|k| (format!("setup.steps[{k}]"), &setup_steps[k])));
    let (mut plan, all_weights) = request::plan(file.protocol, &all, env, dir, invalid)?;
    for journey in &journeys {
        for &i in &journey.steps {
            plan.rename(i, |n| format!("{}/{n}", journey.name));
        }
    }
    for i in recorded..all.len() {
        plan.rename(i, |n| format!("setup/{n}"));
    }
    let mut weights = all_weights[..mix.len()].to_vec();
    weights.extend(file.journeys.iter().map(|j| j.weight));
    let vars = variables(&all, recorded, columns, invalid)?;
    let steps = all
        .iter()
        .map(|(field, r)| step(r, field, file.protocol, &vars, invalid))
        .collect::<Result<Vec<_>, _>>()?;
    refuse_think_time(&all, &journeys, invalid)?;
    if file.http.cookies && file.protocol == Protocol::Grpc {
        let m = "a cookie jar serves HTTP and GraphQL, not gRPC".into();
        return Err(invalid("http.cookies", m));
    }
    let entries = (0..mix.len())
        .map(Entry::Request)
        .chain((0..journeys.len()).map(Entry::Journey))
        .collect();
    let flows = Flows {
        entries,
        steps,
        recorded,
        journeys,
        setup: (recorded..all.len()).collect(),
        vars,
        cookies: file.http.cookies,
        ..Flows::default()
    };
    Ok((plan, weights, flows))
}

/// The mix's request sections with their dotted field paths: `[request]`, or each of
/// `[[requests]]`; none when there are journeys.
fn mix_sections(
    file: &ScenarioFile,
) -> Result<Vec<(String, &RequestSection)>, (&'static str, &'static str)> {
    match (&file.request, file.requests.as_slice()) {
        (Some(_), [_, ..]) => Err(("requests", "use either [request] or [[requests]], not both")),
        (Some(r), []) => Ok(vec![("request".into(), r)]),
        (None, []) if !file.journeys.is_empty() => Ok(Vec::new()),
        (None, []) => Err((
            "request",
            "a scenario needs a [request], [[requests]] or [[journeys]] section",
        )),
        (None, list) => Ok(list
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("requests[{i}]"), r))
            .collect()),
    }
}

fn check_journey(
    journey: &super::file::JourneySection,
    at: &str,
    invalid: Invalid<'_>,
) -> Result<(), ScenarioError> {
    if journey.name.trim().is_empty() || journey.name.contains('/') {
        let m = "must be a non-empty name without '/' (steps are named journey/step)";
        return Err(invalid(&format!("{at}.name"), m.into()));
    }
    if !(journey.weight.is_finite() && journey.weight > 0.0) {
        let m = format!("must be a number > 0, got {}", journey.weight);
        return Err(invalid(&format!("{at}.weight"), m));
    }
    if journey.steps.is_empty() {
        return Err(invalid(at, "a journey needs [[journeys.steps]]".into()));
    }
    Ok(())
}

/// Only a journey's steps pause after themselves.
fn refuse_think_time(
    all: &[(String, &RequestSection)],
    journeys: &[Journey],
    invalid: Invalid<'_>,
) -> Result<(), ScenarioError> {
    for (i, (field, r)) in all.iter().enumerate() {
        let in_journey = journeys.iter().any(|j| j.steps.contains(&i));
        if r.think_time.is_some() && !in_journey {
            let m = "only a journey's steps have a think time ([load] think_time paces workers)";
            return Err(invalid(&format!("{field}.think_time"), m.into()));
        }
    }
    Ok(())
}

/// The variables extracted anywhere, setup steps first; names are checked.
fn variables(
    all: &[(String, &RequestSection)],
    recorded: usize,
    columns: &[String],
    invalid: Invalid<'_>,
) -> Result<Vec<String>, ScenarioError> {
    let order = (recorded..all.len()).chain(0..recorded);
    let mut vars: Vec<String> = Vec::new();
    for i in order {
        let (field, r) = &all[i];
        for name in r.extract.keys() {
            let at = format!("{field}.extract.{name}");
            let ident = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ident || RESERVED.contains(&name.as_str()) {
                let m =
                    "a variable is named by letters, digits and '_' (not seq, uuid or random_int)";
                return Err(invalid(&at, m.into()));
            }
            if columns.contains(name) {
                let m = format!("{name:?} is already a column of the [data] feeder");
                return Err(invalid(&at, m));
            }
            if !vars.contains(name) {
                vars.push(name.clone());
            }
        }
    }
    Ok(vars)
}

/// The checks, extractions and think time of request `i`.
fn step(
    r: &RequestSection,
    field: &str,
    protocol: Protocol,
    vars: &[String],
    invalid: Invalid<'_>,
) -> Result<Step, ScenarioError> {
    let checks = r
        .checks
        .iter()
        .enumerate()
        .map(|(k, c)| check(c, protocol, &format!("{field}.checks[{k}]"), invalid))
        .collect::<Result<_, _>>()?;
    let extract = r
        .extract
        .iter()
        .map(|(name, e)| extract(name, e, vars, &format!("{field}.extract.{name}"), invalid))
        .collect::<Result<_, _>>()?;
    Ok(Step {
        checks,
        extract,
        think_time: r.think_time.unwrap_or(Duration::ZERO),
    })
}

fn regex(text: &str, field: &str, invalid: Invalid<'_>) -> Result<Regex, ScenarioError> {
    Regex::new(text).map_err(|e| invalid(field, format!("not a valid regex: {e}")))
}

fn pointer(p: &str, field: &str, invalid: Invalid<'_>) -> Result<String, ScenarioError> {
    if p.is_empty() || p.starts_with('/') {
        Ok(p.to_owned())
    } else {
        let m = format!("{p:?} is not a JSON Pointer; write e.g. \"/items/0/id\" (RFC 6901)");
        Err(invalid(field, m))
    }
}

fn check(
    c: &CheckSection,
    protocol: Protocol,
    at: &str,
    invalid: Invalid<'_>,
) -> Result<Check, ScenarioError> {
    let kinds = [
        c.status.is_some(),
        c.header.is_some(),
        c.body_contains.is_some(),
        c.body_matches.is_some(),
        c.json.is_some(),
        c.max_body_bytes.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        let m =
            "give exactly one of status, header, body_contains, body_matches, json, max_body_bytes";
        return Err(invalid(at, m.into()));
    }
    let field = |name: &str| format!("{at}.{name}");
    if c.matches.is_some() && c.header.is_none() {
        return Err(invalid(
            &field("matches"),
            "`matches` goes with `header`".into(),
        ));
    }
    if c.equals.is_some() && c.header.is_none() && c.json.is_none() {
        let m = "`equals` goes with `header` or `json`".into();
        return Err(invalid(&field("equals"), m));
    }
    let test = if let Some(list) = &c.status {
        Test::Status(statuses(list, protocol, &field("status"), invalid)?)
    } else if let Some(name) = &c.header {
        let expect = match (&c.equals, &c.matches) {
            (Some(_), Some(_)) => {
                let m = "give `equals` or `matches`, not both".into();
                return Err(invalid(&field("matches"), m));
            }
            (Some(serde_json::Value::String(v)), None) => Expect::Equals(v.clone()),
            (Some(v), None) => Expect::Equals(v.to_string()),
            (None, Some(re)) => Expect::Matches(regex(re, &field("matches"), invalid)?),
            (None, None) => Expect::Present,
        };
        Test::Header(name.to_ascii_lowercase(), expect)
    } else if let Some(text) = &c.body_contains {
        Test::BodyContains(text.clone())
    } else if let Some(re) = &c.body_matches {
        Test::BodyMatches(regex(re, &field("body_matches"), invalid)?)
    } else if let Some(p) = &c.json {
        Test::Json(pointer(p, &field("json"), invalid)?, c.equals.clone())
    } else {
        Test::MaxBodyBytes(c.max_body_bytes.unwrap_or(0))
    };
    let name = c.name.clone().unwrap_or_else(|| test.describe());
    Ok(Check { name, test })
}

/// HTTP codes (100–599), or gRPC code names or numbers (0–16).
fn statuses(
    list: &[serde_json::Value],
    protocol: Protocol,
    at: &str,
    invalid: Invalid<'_>,
) -> Result<Vec<Status>, ScenarioError> {
    if list.is_empty() {
        return Err(invalid(at, "list at least one status".into()));
    }
    let grpc_name =
        |s: &str| (0..=16).find(|c| crate::driver::grpc_code_name(*c).eq_ignore_ascii_case(s));
    list.iter()
        .map(|v| {
            let status = match (protocol, v) {
                (Protocol::Grpc, serde_json::Value::String(s)) => grpc_name(s).map(Status::Grpc),
                (Protocol::Grpc, v) => v
                    .as_i64()
                    .filter(|c| (0..=16).contains(c))
                    .map(|c| Status::Grpc(c as i32)),
                (_, v) => v
                    .as_u64()
                    .filter(|c| (100..=599).contains(c))
                    .map(|c| Status::Http(c as u16)),
            };
            status.ok_or_else(|| {
                let want = match protocol {
                    Protocol::Grpc => {
                        "a gRPC code name (OK, NOT_FOUND, UNAUTHENTICATED …) or number 0–16"
                    }
                    _ => "an HTTP status code (100–599)",
                };
                invalid(at, format!("{v} is not {want}"))
            })
        })
        .collect()
}

fn extract(
    name: &str,
    e: &ExtractSection,
    vars: &[String],
    at: &str,
    invalid: Invalid<'_>,
) -> Result<Extract, ScenarioError> {
    let from = match (&e.json, &e.header, &e.regex) {
        (Some(p), None, None) => Source::Json(pointer(p, &format!("{at}.json"), invalid)?),
        (None, Some(h), None) => Source::Header(h.to_ascii_lowercase()),
        (None, None, Some(re)) => {
            let field = format!("{at}.regex");
            let re = regex(re, &field, invalid)?;
            let group = e.group.unwrap_or(1);
            if group >= re.captures_len() {
                let m = format!("has no capture group {group}; put the value in ( )");
                return Err(invalid(&field, m));
            }
            Source::Regex(re, group)
        }
        _ => {
            return Err(invalid(
                at,
                "give exactly one of json, header, regex".into(),
            ))
        }
    };
    if e.group.is_some() && e.regex.is_none() {
        return Err(invalid(
            &format!("{at}.group"),
            "`group` goes with `regex`".into(),
        ));
    }
    Ok(Extract {
        name: name.to_owned(),
        slot: vars.iter().position(|v| v == name).unwrap_or(0),
        from,
    })
}

//! The run's counters (calls per status, failures per kind, late calls, connection use,
//! redirects), kept per thread and per interval by `recorder.rs` and merged by addition.

use std::collections::{BTreeMap, HashMap};

use crate::driver::{ErrorKind, Outcome, Status};

/// Count and first message of one error kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorCount {
    /// How many calls failed this way.
    pub count: u64,
    /// The first failure's message.
    pub sample: Option<String>,
}

/// Counters shared by the whole run and by each interval.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Calls per status code.
    pub statuses: HashMap<Status, u64>,
    /// Failures per kind.
    pub errors: BTreeMap<ErrorKind, ErrorCount>,
    /// Calls sent late: their due time had passed before a connection was free.
    pub late: u64,
    /// Connections opened (warm-up included).
    pub opened: u64,
    /// Calls sent on a connection that was already open (warm-up included).
    pub reused: u64,
    /// Calls retried once on a fresh connection because the server had closed the idle one.
    pub retried: u64,
    /// Redirects followed (`[http] follow_redirects`), hop by hop.
    pub followed: u64,
    /// Calls that ended with a redirect to another origin (never followed).
    pub offsite: u64,
}

impl Counts {
    pub(super) fn count(&mut self, outcome: &Outcome) {
        self.count_connection(outcome);
        if let Some(status) = outcome.status {
            *self.statuses.entry(status).or_default() += 1;
        }
        if let Some(kind) = outcome.error {
            let e = self.errors.entry(kind).or_default();
            e.count += 1;
            if e.sample.is_none() {
                e.sample.clone_from(&outcome.message);
            }
        }
    }

    /// Calls that ended with an HTTP 3xx status (a redirect not followed).
    #[must_use]
    pub fn redirects(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| matches!(s, Status::Http(300..=399)))
            .map(|(_, n)| n)
            .sum()
    }

    pub(super) fn count_connection(&mut self, outcome: &Outcome) {
        self.opened += u64::from(outcome.opened);
        self.reused += u64::from(outcome.reused);
        self.retried += u64::from(outcome.retried);
        self.followed += u64::from(outcome.redirects);
        self.offsite += u64::from(outcome.offsite);
    }

    pub(super) fn count_error(&mut self, kind: ErrorKind, n: u64, message: &str) {
        let e = self.errors.entry(kind).or_default();
        e.count += n;
        if e.sample.is_none() {
            e.sample = Some(message.to_owned());
        }
    }

    /// Add `other` into `self`.
    pub fn merge(&mut self, other: &Counts) {
        for (k, v) in &other.statuses {
            *self.statuses.entry(*k).or_default() += v;
        }
        for (k, v) in &other.errors {
            let e = self.errors.entry(*k).or_default();
            e.count += v.count;
            if e.sample.is_none() {
                e.sample.clone_from(&v.sample);
            }
        }
        self.late += other.late;
        self.opened += other.opened;
        self.reused += other.reused;
        self.retried += other.retried;
        self.followed += other.followed;
        self.offsite += other.offsite;
    }
}

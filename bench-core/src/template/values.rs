//! The values of one call: the run-wide counter, a row of the data feeder, and random draws.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::{json_escape, Escape, Expr, Names};
use crate::feeder::{Feeder, Order};

/// What a template needs drawn per call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// The call counter.
    pub seq: bool,
    /// A feeder row.
    pub row: bool,
}

impl Needs {
    /// Both sets of needs.
    #[must_use]
    pub fn or(self, other: Needs) -> Needs {
        Needs {
            seq: self.seq || other.seq,
            row: self.row || other.row,
        }
    }
}

/// The run-wide sources of per-call values: the call counter and the data feeder. Shared by every
/// engine thread.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    seq: Arc<AtomicU64>,
    feeder: Option<Arc<Feeder>>,
    seed: u64,
    drivers: Arc<AtomicU64>,
    vars: Arc<[String]>,
}

impl Sources {
    /// Sources with an optional feeder; `seed` makes the random values of a run reproducible.
    #[must_use]
    pub fn new(feeder: Option<Arc<Feeder>>, seed: u64) -> Self {
        Self {
            feeder,
            seed,
            ..Self::default()
        }
    }

    /// The same sources, whose templates may also name `vars` (see [`Names::vars`]).
    #[must_use]
    pub fn with_vars(mut self, vars: Vec<String>) -> Self {
        self.vars = vars.into();
        self
    }

    /// The same feeder, seed and variables with fresh counters: for renders that check a
    /// template without using up values of the run.
    #[must_use]
    pub fn probe(&self) -> Self {
        Self {
            vars: self.vars.clone(),
            ..Self::new(self.feeder.clone(), self.seed)
        }
    }

    /// A random generator for one driver (each driver gets its own stream).
    #[must_use]
    pub fn rng(&self) -> SmallRng {
        let n = self.drivers.fetch_add(1, Ordering::Relaxed);
        SmallRng::seed_from_u64(self.seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// The names templates may use.
    #[must_use]
    pub fn names(&self) -> Names<'_> {
        Names {
            columns: self.feeder.as_ref().map_or(&[], |f| f.columns()),
            vars: &self.vars,
        }
    }

    /// The values of one call: draws the counter and a row only when `needs` says so.
    pub fn draw<'a>(&'a self, needs: Needs, rng: &'a mut SmallRng) -> Values<'a> {
        let seq = if needs.seq {
            self.seq.fetch_add(1, Ordering::Relaxed)
        } else {
            0
        };
        let row = match (&self.feeder, needs.row) {
            (Some(f), true) => Some(match f.order() {
                Order::Sequential => f.next_row(),
                Order::Random => rng.random_range(0..f.len()),
            }),
            _ => None,
        };
        Values {
            seq,
            row,
            feeder: self.feeder.as_deref(),
            rng,
            vars: &[],
        }
    }
}

/// The values of one call.
#[derive(Debug)]
pub struct Values<'a> {
    seq: u64,
    row: Option<usize>,
    feeder: Option<&'a Feeder>,
    rng: &'a mut SmallRng,
    vars: &'a [String],
}

impl<'a> Values<'a> {
    /// The same values, with the virtual user's variables (indexed like [`Names::vars`]).
    #[must_use]
    pub fn with_vars(mut self, vars: &'a [String]) -> Self {
        self.vars = vars;
        self
    }

    pub(super) fn write(&mut self, expr: &Expr, escape: Escape, out: &mut String) {
        match expr {
            Expr::Seq => {
                let _ = write!(out, "{}", self.seq);
            }
            Expr::RandomInt(lo, hi) => {
                let _ = write!(out, "{}", self.rng.random_range(*lo..=*hi));
            }
            Expr::Uuid => {
                let quote = escape == Escape::JsonValue;
                if quote {
                    out.push('"');
                }
                write_uuid(self.rng.random::<u128>(), out);
                if quote {
                    out.push('"');
                }
            }
            Expr::Text(t) => out.push_str(t),
            Expr::Var(i) => {
                let v = self.vars.get(*i).map_or("", String::as_str);
                match escape {
                    Escape::Raw => out.push_str(v),
                    Escape::JsonString => out.push_str(&json_escape(v)),
                    // A value that reads as a JSON number goes in as one (an extracted id).
                    Escape::JsonValue if is_json_number(v) => out.push_str(v),
                    Escape::JsonValue => out.push_str(&serde_json::Value::from(v).to_string()),
                }
            }
            Expr::Column(c) => {
                let cell = self.feeder.zip(self.row).and_then(|(f, r)| f.cell(r, *c));
                match (cell, escape) {
                    (Some(cell), Escape::Raw) => out.push_str(&cell.text),
                    (Some(cell), Escape::JsonString) => out.push_str(&json_escape(&cell.text)),
                    (Some(cell), Escape::JsonValue) => out.push_str(&cell.json),
                    (None, Escape::JsonValue) => out.push_str("null"),
                    (None, _) => {}
                }
            }
        }
    }
}

fn is_json_number(v: &str) -> bool {
    !v.is_empty() && serde_json::from_str::<serde_json::Number>(v).is_ok()
}

/// A version-4 UUID from 128 random bits, in its 8-4-4-4-12 hex form.
fn write_uuid(bits: u128, out: &mut String) {
    let v = (bits & !(0xf000 << 64) & !(0xc000 << 48)) | (0x4000 << 64) | (0x8000 << 48);
    let hex = format!("{v:032x}");
    for (i, part) in [
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32],
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            out.push('-');
        }
        out.push_str(part);
    }
}

//! The setup: steps run once, in order, before the load (e.g. log a service account in); their
//! extracted values become every virtual user's starting variables, and are masked like
//! environment secrets wherever text leaves the process. A failed step stops the run before
//! any load.

use std::sync::Arc;
use std::time::Duration;

use super::{Flows, Start, Vu};
use crate::driver::{block_on_local, Blocked, Connector};

/// A failed setup step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("setup step {step:?} failed: {message}")]
pub struct SetupError {
    /// The step's name.
    pub step: String,
    /// What went wrong (kind and message of the failure).
    pub message: String,
}

impl Flows {
    /// Run the setup steps on `connector` (once per `Flows`; later calls return at once) and keep
    /// their captures for every virtual user. Each step has `timeout`.
    pub fn run_setup<C: Connector>(
        self: &Arc<Self>,
        connector: &C,
        timeout: Duration,
    ) -> Result<(), SetupError> {
        if self.setup.is_empty() || self.setup_values.get().is_some() {
            return Ok(());
        }
        let names = connector.request_names();
        let total = timeout.saturating_mul(u32::try_from(self.setup.len()).unwrap_or(u32::MAX));
        let flows = self.clone();
        let ran = block_on_local(total, || async move {
            let mut driver = connector.drivers(1).pop()?;
            Some(flows.setup_steps(&mut driver, &names, timeout).await)
        });
        let whole = |message| SetupError {
            step: "setup".into(),
            message,
        };
        let values = match ran {
            Ok(Some(Ok(values))) => values,
            Ok(Some(Err(e))) => return Err(e),
            Ok(None) => return Err(whole("the connector made no driver".to_owned())),
            Err(Blocked::TimedOut(_)) => {
                return Err(whole(format!("did not finish within {total:?}")))
            }
            Err(e) => return Err(whole(e.to_string())),
        };
        let secrets = crate::redact::Redactor::new(values.iter().map(String::as_str));
        crate::redact::remember(&secrets);
        let _ = self.setup_values.set(values);
        Ok(())
    }

    /// Run each setup step with a virtual user of its own variables; `Err((step, message))`.
    async fn setup_steps<D: crate::driver::Driver>(
        self: Arc<Self>,
        driver: &mut D,
        names: &[String],
        timeout: Duration,
    ) -> Result<Vec<String>, SetupError> {
        let (tx, _rx) = std::sync::mpsc::channel();
        let now = std::time::Instant::now();
        let recorder = std::cell::RefCell::new(crate::recorder::Recorder::new(0, 1, now, tx));
        let steps = u32::try_from(self.setup.len()).unwrap_or(u32::MAX);
        let window = crate::window::Window::new(
            now + timeout.saturating_mul(steps.saturating_add(1)),
            timeout,
            crate::pacer::Cancel::new(),
        );
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ctx = super::Ctx {
            recorder: &recorder,
            window: &window,
            timeout,
            deadline,
            drain: None,
        };
        let mut vu = Vu::new(self.clone());
        for &r in &self.setup {
            let start = Start {
                due: std::time::Instant::now(),
                measured: false,
                late: false,
            };
            if let Some(message) = vu.setup_call(r, start, driver, &mut ctx).await {
                let step = names.get(r).cloned().unwrap_or_default();
                return Err(SetupError { step, message });
            }
        }
        Ok(vu.into_vars())
    }
}

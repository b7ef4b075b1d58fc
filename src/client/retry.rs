//! Retries: how often and how long a call is sent again while the server says it is busy.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;

/// How often, and for how long, the client retries while the server answers
/// `ErrorServerBusy`. Other errors are not retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests sent at most, the first included (1 turns retrying off).
    pub max_attempts: u32,
    /// The longest the client waits between attempts in all; a back-off that would pass it
    /// ends the call with [`Error::Throttled`].
    pub max_total_wait: Duration,
    /// The wait when the server does not say how long (no `BackOffMilliseconds`).
    pub default_back_off: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(300),
            default_back_off: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Sends a request with `send` and reads its answer with `read` until that gives
    /// something other than a busy server, or a busy server when `may_retry` says no; a
    /// server still busy past the policy's limits ends in [`Error::Throttled`]. Waits as
    /// long as the server asks (`BackOffMilliseconds`), else the default back-off.
    pub(super) async fn run<R, T, F>(
        &self,
        send: impl Fn() -> F,
        mut read: impl FnMut(R) -> Result<T, Error>,
        may_retry: impl Fn() -> bool,
    ) -> Result<T, Error>
    where
        F: Future<Output = Result<R, Error>>,
    {
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let err = match send().await.and_then(&mut read) {
                Ok(value) => return Ok(value),
                Err(err) if err.is_server_busy() && may_retry() => err,
                Err(err) => {
                    tracing::debug!(attempt, error = %err, "call failed");
                    return Err(err);
                }
            };
            let wait = err.back_off().unwrap_or(self.default_back_off);
            if attempt >= self.max_attempts || waited + wait > self.max_total_wait {
                tracing::warn!(attempt, ?waited, "server still busy; giving up");
                return Err(Error::Throttled {
                    attempts: attempt,
                    waited,
                    last: Box::new(err),
                });
            }
            tracing::info!(attempt, ?wait, "server busy; backing off");
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    }
}

//! The retry budget: a token bucket shared by every clone of a client.
//!
//! In the spirit of AWS's standard retry mode and gRPC retry throttling: each retry withdraws
//! tokens, each success refunds a few, and when the bucket is empty calls fail with their error
//! instead of retrying. A storm of transient failures therefore cannot multiply the load on an
//! API that is already struggling. Waiting at the outage gate does not spend tokens: the gate
//! already bounds the load to one probe at a time.

use std::sync::Mutex;

/// The size and prices of the retry budget.
///
/// ```
/// use wacloud::layers::retry::BudgetConfig;
/// let budget = BudgetConfig::default();
/// assert_eq!((budget.capacity, budget.retry_cost, budget.timeout_cost), (500, 5, 10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetConfig {
    /// Tokens in a full bucket (the bucket starts full).
    pub capacity: u32,
    /// Tokens one retry costs.
    pub retry_cost: u32,
    /// Tokens a retry after a timeout costs (a timeout ties up the server longer).
    pub timeout_cost: u32,
    /// Tokens a successful answer puts back.
    pub success_refund: u32,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            success_refund: 1,
        }
    }
}

impl BudgetConfig {
    /// A bucket of `capacity` tokens with the default prices.
    pub fn with_capacity(capacity: u32) -> Self {
        BudgetConfig {
            capacity,
            ..BudgetConfig::default()
        }
    }
}

/// The live bucket.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    config: Option<BudgetConfig>,
    tokens: Mutex<u32>,
}

impl RetryBudget {
    /// A full bucket; `None` means retries are not limited by a budget.
    pub(crate) fn new(config: Option<BudgetConfig>) -> Self {
        RetryBudget {
            tokens: Mutex::new(config.map_or(0, |config| config.capacity)),
            config,
        }
    }

    /// Takes the price of one retry; false (and nothing taken) when the bucket cannot pay it.
    pub(crate) fn try_withdraw(&self, timeout: bool) -> bool {
        let Some(config) = self.config else {
            return true;
        };
        let cost = if timeout {
            config.timeout_cost
        } else {
            config.retry_cost
        };
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            crate::telemetry::layers::budget_level(*tokens);
            true
        } else {
            false
        }
    }

    /// Refunds a success.
    pub(crate) fn deposit_success(&self) {
        let Some(config) = self.config else {
            return;
        };
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let refilled = tokens
            .saturating_add(config.success_refund)
            .min(config.capacity);
        crate::telemetry::layers::budget_refilled(*tokens, refilled);
        *tokens = refilled;
    }

    /// Tokens left (`None` without a budget).
    pub(crate) fn remaining(&self) -> Option<u32> {
        self.config?;
        Some(
            *self
                .tokens
                .lock()
                .unwrap_or_else(|poison| poison.into_inner()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drains_and_refills() {
        let budget = RetryBudget::new(Some(BudgetConfig::with_capacity(12)));
        assert!(budget.try_withdraw(false));
        assert!(budget.try_withdraw(false));
        assert!(!budget.try_withdraw(false));
        assert_eq!(budget.remaining(), Some(2));
        for _ in 0..3 {
            budget.deposit_success();
        }
        assert!(budget.try_withdraw(false));
        assert!(!budget.try_withdraw(true));
        for _ in 0..100 {
            budget.deposit_success();
        }
        assert_eq!(budget.remaining(), Some(12));
    }

    #[test]
    fn no_budget_never_refuses() {
        let budget = RetryBudget::new(None);
        for _ in 0..1_000 {
            assert!(budget.try_withdraw(true));
        }
        assert_eq!(budget.remaining(), None);
    }
}

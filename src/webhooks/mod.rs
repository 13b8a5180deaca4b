//! Webhooks: typed payloads, verification, signature checks and status reconciliation.

//! Flow messages (`type: flow`): a button that opens a WhatsApp Flow.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// The longest flow button label.
pub const MAX_FLOW_CTA_LEN: usize = 20;

/// Which flow to open: by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FlowRef {
    Id(String),
    Name(String),
}

/// `flow_action`: what opening the flow does first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FlowAction {
    /// Open a given screen (with `flow_action_payload`).
    Navigate,
    /// Ask the business's flow endpoint for the first screen.
    DataExchange,
}

/// `mode`: whether the flow is a draft (for testing) or published (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FlowMode {
    /// A draft flow, for testing.
    Draft,
    /// A published flow.
    Published,
}

/// The `parameters` of a flow message's action.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Flow {
    flow: FlowRef,
    cta: String,
    token: Option<String>,
    action: Option<FlowAction>,
    screen: Option<String>,
    data: Option<serde_json::Value>,
    mode: Option<FlowMode>,
}

impl Flow {
    fn with(flow: FlowRef, cta: impl Into<String>) -> Self {
        Flow {
            flow,
            cta: cta.into(),
            token: None,
            action: None,
            screen: None,
            data: None,
            mode: None,
        }
    }

    /// The flow with this id, behind a button labelled `cta` (at most 20 characters).
    pub fn by_id(flow_id: impl Into<String>, cta: impl Into<String>) -> Self {
        Self::with(FlowRef::Id(flow_id.into()), cta)
    }

    /// The flow with this name, behind a button labelled `cta` (at most 20 characters).
    pub fn by_name(flow_name: impl Into<String>, cta: impl Into<String>) -> Self {
        Self::with(FlowRef::Name(flow_name.into()), cta)
    }

    /// `flow_token`: your identifier for this flow session, echoed back in the reply.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Opens `screen` first (`flow_action: navigate`).
    pub fn navigate(mut self, screen: impl Into<String>) -> Self {
        self.action = Some(FlowAction::Navigate);
        self.screen = Some(screen.into());
        self
    }

    /// Opens `screen` first with input `data` (a non-empty JSON object).
    pub fn navigate_with_data(
        mut self,
        screen: impl Into<String>,
        data: serde_json::Value,
    ) -> Self {
        self = self.navigate(screen);
        self.data = Some(data);
        self
    }

    /// Lets the flow endpoint choose the first screen (`flow_action: data_exchange`).
    pub fn data_exchange(mut self) -> Self {
        self.action = Some(FlowAction::DataExchange);
        self.screen = None;
        self.data = None;
        self
    }

    /// Sends a draft flow (testing) or a published one.
    pub fn mode(mut self, mode: FlowMode) -> Self {
        self.mode = Some(mode);
        self
    }

    pub(super) fn validate(&self) -> Result<(), ValidationError> {
        const PATH: &str = "interactive.action.parameters";
        match &self.flow {
            FlowRef::Id(id) => check::required(&format!("{PATH}.flow_id"), id)?,
            FlowRef::Name(name) => check::required(&format!("{PATH}.flow_name"), name)?,
        }
        check::text(&format!("{PATH}.flow_cta"), &self.cta, MAX_FLOW_CTA_LEN)?;
        if let Some(token) = &self.token {
            check::required(&format!("{PATH}.flow_token"), token)?;
        }
        if let Some(screen) = &self.screen {
            check::required(&format!("{PATH}.flow_action_payload.screen"), screen)?;
        }
        if let Some(data) = &self.data {
            if !data.as_object().is_some_and(|object| !object.is_empty()) {
                return Err(ValidationError::new(
                    format!("{PATH}.flow_action_payload.data"),
                    "must be a non-empty JSON object",
                ));
            }
        }
        Ok(())
    }
}

impl Serialize for Flow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Payload<'a> {
            screen: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            data: Option<&'a serde_json::Value>,
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("flow_message_version", "3")?;
        if let Some(token) = &self.token {
            map.serialize_entry("flow_token", token)?;
        }
        match &self.flow {
            FlowRef::Id(id) => map.serialize_entry("flow_id", id)?,
            FlowRef::Name(name) => map.serialize_entry("flow_name", name)?,
        }
        map.serialize_entry("flow_cta", &self.cta)?;
        if let Some(action) = &self.action {
            map.serialize_entry("flow_action", action)?;
        }
        if let Some(screen) = &self.screen {
            map.serialize_entry(
                "flow_action_payload",
                &Payload {
                    screen,
                    data: self.data.as_ref(),
                },
            )?;
        }
        if let Some(mode) = &self.mode {
            map.serialize_entry("mode", mode)?;
        }
        map.end()
    }
}

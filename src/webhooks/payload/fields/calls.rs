//! The `calls` field (Calling API): call connect and terminate events, call statuses.

use std::borrow::Cow;

use serde::Deserialize;

use super::super::super::de::{self, into_static_struct, open_enum};
use super::super::{Contact, ErrorObject, Metadata};

open_enum! {
    /// `event` of a call.
    CallEvent {
        /// `connect`: the call is being set up (carries the SDP in `session`).
        Connect = "connect",
        /// `terminate`: the call ended (carries `status`, times and `duration`).
        Terminate = "terminate",
    }
}

open_enum! {
    /// `direction` of a call.
    CallDirection {
        /// `USER_INITIATED`.
        UserInitiated = "USER_INITIATED",
        /// `BUSINESS_INITIATED`.
        BusinessInitiated = "BUSINESS_INITIATED",
    }
}

/// `calls`: call events and call statuses of a business number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CallsUpdate<'a> {
    /// The business number concerned.
    #[serde(default, borrow)]
    pub metadata: Option<Metadata<'a>>,
    /// `contacts`: the callers' profiles.
    #[serde(default, borrow)]
    pub contacts: Vec<Contact<'a>>,
    /// `calls`: connect and terminate events.
    #[serde(default, borrow)]
    pub calls: Vec<Call<'a>>,
    /// `statuses`: the state of business-initiated calls (`RINGING`, `ACCEPTED`, `REJECTED`).
    #[serde(default, borrow)]
    pub statuses: Vec<CallStatus<'a>>,
    /// `errors`.
    #[serde(default, borrow)]
    pub errors: Vec<ErrorObject<'a>>,
}
into_static_struct!(CallsUpdate {
    metadata,
    contacts,
    calls,
    statuses,
    errors
});

/// One `calls[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Call<'a> {
    /// The call id (`wacid...`), for the accept, reject and terminate calls.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// `event`.
    #[serde(default, borrow)]
    pub event: Option<CallEvent<'a>>,
    /// `direction`.
    #[serde(default, borrow)]
    pub direction: Option<CallDirection<'a>>,
    /// `from`: the caller's phone number, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub from: Option<Cow<'a, str>>,
    /// `from_user_id`: the caller's BSUID, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub from_user_id: Option<Cow<'a, str>>,
    /// `to`: the callee's phone number, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub to: Option<Cow<'a, str>>,
    /// `to_user_id`: the callee's BSUID, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub to_user_id: Option<Cow<'a, str>>,
    /// `timestamp` (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub timestamp: Option<i64>,
    /// `session`: the SDP offer or answer (`connect`).
    #[serde(default, borrow)]
    pub session: Option<CallSession<'a>>,
    /// `status` (`COMPLETED`, `FAILED`, ...) of a terminated call.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub status: Option<Cow<'a, str>>,
    /// `start_time` (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub start_time: Option<i64>,
    /// `end_time` (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub end_time: Option<i64>,
    /// `duration` in seconds.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub duration: Option<i64>,
    /// `biz_opaque_callback_data` given when the business placed the call.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub biz_opaque_callback_data: Option<Cow<'a, str>>,
    /// `errors`.
    #[serde(default, borrow)]
    pub errors: Vec<ErrorObject<'a>>,
}
into_static_struct!(Call {
    id,
    event,
    direction,
    from,
    from_user_id,
    to,
    to_user_id,
    timestamp,
    session,
    status,
    start_time,
    end_time,
    duration,
    biz_opaque_callback_data,
    errors
});

impl Call<'_> {
    /// The other party of the call: the phone number when sent, else the BSUID.
    pub fn user(&self) -> Option<&str> {
        match self.direction {
            Some(CallDirection::BusinessInitiated) => {
                self.to.as_deref().or(self.to_user_id.as_deref())
            }
            _ => self.from.as_deref().or(self.from_user_id.as_deref()),
        }
    }
}

/// `calls[].session`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CallSession<'a> {
    /// `sdp_type` (`offer`, `answer`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub sdp_type: Option<Cow<'a, str>>,
    /// `sdp` (RFC 4566).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub sdp: Option<Cow<'a, str>>,
}
into_static_struct!(CallSession { sdp_type, sdp });

/// One `statuses[]` item of the `calls` field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CallStatus<'a> {
    /// The call id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// `type` (`call`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
    /// `status` (`RINGING`, `ACCEPTED`, `REJECTED`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub status: Option<Cow<'a, str>>,
    /// `timestamp` (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub timestamp: Option<i64>,
    /// `recipient_id`: the user's phone number, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub recipient_id: Option<Cow<'a, str>>,
    /// `recipient_user_id`: the user's BSUID, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub recipient_user_id: Option<Cow<'a, str>>,
    /// `biz_opaque_callback_data`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub biz_opaque_callback_data: Option<Cow<'a, str>>,
}
into_static_struct!(CallStatus {
    id,
    kind,
    status,
    timestamp,
    recipient_id,
    recipient_user_id,
    biz_opaque_callback_data
});

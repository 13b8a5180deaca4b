//! The catalogue of documented Cloud API error codes, kept as one data table.
//!
//! Sources: Meta's Cloud API "Error codes" page (dated 2025-12-12), Graph API error handling, and
//! the troubleshooting page; the groups codes from Meta's Groups API error page (2025-10-31), and
//! 139100 from the Block Users page. Codes seen in answers but absent from those pages (132008,
//! parts of the groups range, the calling range) are catalogued with an honest "not on Meta's
//! page" title rather than a guessed one, so that they still get a category and a retry class.
//! Meta gives no transient flag per code, so [`RetryClass`] is our reading of Meta's "possible
//! solutions" text. Layers read this table: the retry layer picks a
//! schedule from [`CatalogueEntry::retry`], the auth layer acts on [`Category::Authorization`].

use std::time::Duration;

/// What kind of problem a code reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// The token or its permissions (codes 0, 3, 10, 190, 200-299).
    Authorization,
    /// Policy enforcement on the business account.
    Integrity,
    /// Call-rate, throughput, pair-rate and spam limits.
    Throttling,
    /// Message templates and flows.
    Template,
    /// Phone number registration, two-step verification, certificates.
    Registration,
    /// Media upload and download.
    Media,
    /// Everything else: parameters, delivery, service health.
    Other,
}

/// How (and whether) a failed call with this code may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// The service is down for a while (code 2: up to 5 minutes while Meta updates the API).
    /// Retry on a schedule that outlasts 5 minutes and hold other calls back meanwhile.
    Outage,
    /// A passing fault: retry soon, with backoff, a few times.
    Transient,
    /// A rate limit: retry later and slower, honouring `Retry-After`.
    Throttled,
    /// The business/consumer pair limit: the same recipient must wait (about 6 s);
    /// other recipients are unaffected.
    Pair,
    /// Only after a documented wait (minutes or hours), which an automatic retry should not
    /// sit through. `None` when the wait is given in the error details.
    Later(Option<Duration>),
    /// Retrying cannot help: fix the request, the account or the token.
    Never,
}

/// One documented error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CatalogueEntry {
    /// The code (for the 200-299 range: 200).
    pub code: i64,
    /// The last code this entry covers (equal to `code` except for ranges).
    pub code_end: i64,
    /// Meta's title.
    pub title: &'static str,
    /// The kind of problem.
    pub category: Category,
    /// Whether and how to retry.
    pub retry: RetryClass,
    /// The HTTP status Meta documents for it.
    pub http_status: u16,
    /// One line telling the user what to do.
    pub guidance: &'static str,
}

const fn entry(
    code: i64,
    title: &'static str,
    category: Category,
    retry: RetryClass,
    http_status: u16,
    guidance: &'static str,
) -> CatalogueEntry {
    CatalogueEntry {
        code,
        code_end: code,
        title,
        category,
        retry,
        http_status,
        guidance,
    }
}

/// Guidance for codes seen in answers and webhooks but absent from Meta's error-codes page: we
/// could not source their meaning, so the advice is only what holds for every code.
const UNDOCUMENTED: &str = "Meta's error-codes page does not document this code: read the error \
     details for the reason; if it persists, open a Meta support ticket quoting the fbtrace_id.";

/// Guidance for the codes of the Groups API range (131201-131215) that Meta's groups error page
/// does not describe.
const GROUPS_UNDOCUMENTED: &str = "A Groups API error that Meta's groups error page does not \
     describe: read the error details for the reason; if it persists, open a Meta support ticket \
     quoting the fbtrace_id.";

const MIN: u64 = 60;
const HOUR: u64 = 60 * MIN;

use Category::*;
use RetryClass::*;

/// Every catalogued code, sorted by code.
pub static CATALOGUE: &[CatalogueEntry] = &[
    entry(0, "AuthException", Authorization, Never, 401,
        "The token could not be validated: check it in the Access Token Debugger and generate a new one if needed."),
    entry(1, "API Unknown", Other, Transient, 400,
        "Possibly a temporary problem or a malformed request: retry a few times, then check the request and Meta's status page."),
    entry(2, "API Service", Other, Outage, 503,
        "Temporary downtime (up to 5 minutes while Meta updates the API): wait and retry; the retry layer does this for you."),
    entry(3, "API Method", Authorization, Never, 500,
        "A capability or permission problem: check the token's permissions in the Access Token Debugger."),
    entry(4, "API Too Many Calls", Throttling, Throttled, 400,
        "The app hit its call-rate limit: slow down and retry later (see the app dashboard's rate limit)."),
    entry(10, "Permission Denied", Authorization, Never, 403,
        "The token lacks a permission or it was removed: check whatsapp_business_messaging and whatsapp_business_management."),
    entry(33, "Parameter value is not valid", Other, Never, 400,
        "The business phone number was deleted: check the phone number id."),
    entry(100, "Invalid parameter", Other, Never, 400,
        "The request has an unknown or invalid parameter: check its spelling and values against the endpoint's reference."),
    entry(190, "Access token has expired", Authorization, Never, 401,
        "The token expired or was invalidated (subcodes 458, 460, 463, 467 tell why): generate a new one; for a token that does not expire daily, use a System User token."),
    CatalogueEntry {
        code: 200,
        code_end: 299,
        title: "API Permission",
        category: Authorization,
        retry: Never,
        http_status: 403,
        guidance: "The token lacks a permission for this call: check its permissions in the Access Token Debugger.",
    },
    entry(368, "Temporarily blocked for policy violations", Integrity, Never, 403,
        "The account is blocked for policy violations: see the WhatsApp Business Manager and Meta's policy enforcement page."),
    entry(80007, "Rate limit issues", Throttling, Throttled, 400,
        "The WhatsApp Business Account hit a rate limit: slow down and retry later."),
    entry(130429, "Rate limit hit", Throttling, Throttled, 400,
        "Message throughput exceeded (80 messages/s by default, up to 1,000): slow down; the rate-limit layer keeps you under it."),
    entry(130472, "User's number is part of an experiment", Other, Never, 400,
        "Meta held the message back for an experiment: nothing to fix; do not resend."),
    entry(130497, "Business account is restricted from messaging users in this country", Integrity, Never, 403,
        "Your business may not message this country: remove such recipients (the recipient rules can learn this)."),
    entry(131000, "Something went wrong", Other, Transient, 500,
        "An unknown server error: retry; if it persists, open a support ticket with the fbtrace_id."),
    entry(131005, "Access denied", Other, Never, 403,
        "Permission not granted or removed: check the token's permissions in the Access Token Debugger."),
    entry(131008, "Required parameter is missing", Other, Never, 400,
        "Add the missing parameter named in the error details."),
    entry(131009, "Parameter value is not valid", Other, Never, 400,
        "Fix the parameter value named in the error details (e.g. the phone number or media id)."),
    entry(131016, "Service unavailable", Other, Transient, 500,
        "The service is temporarily unavailable: retry later; check Meta's status page."),
    entry(131020, "Bad group", Other, Never, 400,
        "A group with a single member cannot receive messages: add participants before messaging the group."),
    entry(131021, "Recipient cannot be sender", Other, Never, 400,
        "Send to a number other than the business number itself."),
    entry(131026, "Message undeliverable", Other, Never, 400,
        "Ask the user (outside WhatsApp) to confirm they can message you, have not blocked you, accepted the Terms of Service (https://wa.me/tos/20210210) and run a recent WhatsApp."),
    entry(131030, "Recipient phone number not in allowed list", Other, Never, 400,
        "With a test number, add the recipient to the allowed list in the app dashboard."),
    entry(131031, "Account has been locked", Integrity, Never, 403,
        "The account was locked (policy or wrong two-step PIN): see the Business Manager."),
    entry(131037, "WhatsApp provided number needs display name approval before message can be sent", Registration, Never, 400,
        "Get the display name approved in the WhatsApp Manager before sending."),
    entry(131041, "Group unknown", Other, Never, 400,
        "The group does not exist or the business is not a member: check the group_id (groups webhooks tell when a group ends)."),
    entry(131042, "Business eligibility payment issue", Other, Never, 400,
        "Fix the payment method of the business account in the Business Manager."),
    entry(131045, "Incorrect certificate", Registration, Never, 500,
        "Register the phone number again before sending."),
    entry(131047, "Re-engagement message", Other, Never, 400,
        "More than 24 hours passed since the user last wrote: send an approved template instead."),
    entry(131048, "Spam rate limit hit", Throttling, Never, 400,
        "Too many messages were blocked or flagged as spam: improve message quality before sending more; do not retry blindly."),
    entry(131049, "Message not delivered to maintain healthy ecosystem engagement", Other, Later(Some(Duration::from_secs(24 * HOUR))), 400,
        "Meta's per-user marketing limit held this message back: wait at least 24 hours before sending this user marketing again; since 2025-04-01 marketing templates to US (+1) numbers are not delivered at all, so do not retry those."),
    entry(131050, "User has stopped marketing messages", Other, Never, 400,
        "The user opted out of marketing messages: do not send them."),
    entry(131051, "Unsupported message type", Other, Never, 400,
        "Use a supported message type."),
    entry(131052, "Media download error", Media, Never, 400,
        "The media the user sent could not be downloaded: ask them to send it again outside WhatsApp if needed."),
    entry(131053, "Media upload error", Media, Never, 400,
        "The media could not be uploaded: check its type and size against the supported media list."),
    entry(131055, "Method not allowed", Other, Never, 405,
        "The call is not allowed for this endpoint or product (Marketing Messages API): check the endpoint."),
    entry(131056, "Pair rate limit hit", Throttling, Pair, 400,
        "Too many messages to the same user: wait (about 6 s) before messaging this user again; others are unaffected."),
    entry(131057, "Account in maintenance mode", Other, Transient, 500,
        "The account is under maintenance (e.g. a throughput upgrade, about a minute): retry shortly."),
    entry(131059, "Invalid cursor", Other, Never, 400,
        "The pagination cursor expired or is corrupt: start the listing again from the first page."),
    entry(131062, "Business-scoped user ID recipients are not supported for this message", Other, Never, 400,
        "Send this message to the user's phone number: authentication templates (one-tap, zero-tap, copy code) cannot go to a BSUID."),
    entry(131063, "Marketing templates disabled on the Cloud API", Template, Never, 400,
        "This account sends marketing templates only through the Marketing Messages API (disable_marketing_messages_on_cloud_api): send them with POST /{phone-number-id}/marketing_messages (Client::send_marketing), or turn marketing on the Cloud API back on for the account."),
    entry(131064, "Messaging limit reduced after template category violations", Integrity, Never, 400,
        "Meta lowered this account's messaging limit because templates were sent in the wrong category: fix the templates' categories in WhatsApp Manager; the limit recovers over time."),
    entry(131201, "Request partially succeeded", Other, Never, 206,
        "Some participant operations of this group request failed (HTTP 206): read the per-participant results and redo only the failed ones."),
    entry(131202, "Duplicate participant", Other, Never, 400,
        "The participant list names someone twice: send each participant once."),
    entry(131203, "Groups API error not on Meta's groups error page", Other, Never, 400,
        GROUPS_UNDOCUMENTED),
    entry(131204, "Participant overlimit", Other, Never, 400,
        "The group would exceed its participant limit (8 on the Cloud API): remove participants first."),
    CatalogueEntry {
        code: 131205,
        code_end: 131206,
        title: "Groups API error not on Meta's groups error page",
        category: Other,
        retry: Never,
        http_status: 400,
        guidance: GROUPS_UNDOCUMENTED,
    },
    entry(131207, "Group suspended", Integrity, Never, 403,
        "The group was suspended for violating platform policies: it cannot be used; see WhatsApp Manager."),
    entry(131208, "Group rate limit hit", Throttling, Throttled, 429,
        "Too many group operations from this number in a short time: slow down and retry later."),
    entry(131209, "Invalid group profile picture aspect ratio", Media, Never, 400,
        "A group picture must be square: crop it to equal width and height."),
    entry(131210, "Image is too small to process", Media, Never, 400,
        "A group picture must be larger than 192 x 192 pixels: use a bigger image."),
    entry(131211, "Group create limit reached", Other, Never, 400,
        "This number created the most groups it may (10,000): delete unused groups before creating more."),
    entry(131212, "Participant is not a part of the group", Other, Never, 400,
        "The participant named is not in the group: refresh the participant list before removing or changing them."),
    CatalogueEntry {
        code: 131213,
        code_end: 131215,
        title: "Groups API error not on Meta's groups error page",
        category: Other,
        retry: Never,
        http_status: 400,
        guidance: GROUPS_UNDOCUMENTED,
    },
    entry(132000, "Template Param Count Mismatch", Template, Never, 400,
        "Send exactly the number of parameters the template defines."),
    entry(132001, "Template does not exist", Template, Never, 404,
        "Check the template name and language, and that it is approved."),
    entry(132005, "Template Hydrated Text Too Long", Template, Never, 400,
        "Shorten the parameter values: the filled-in text is too long."),
    entry(132007, "Template Format Character Policy Violated", Template, Never, 400,
        "A parameter value breaks the template's formatting policy: fix the value."),
    entry(132008, "Not on Meta's error-codes page (seen in the wild)", Template, Never, 400,
        UNDOCUMENTED),
    entry(132012, "Template Parameter Format Mismatch", Template, Never, 400,
        "Give each parameter the format the template expects."),
    entry(132015, "Template is Paused", Template, Never, 400,
        "The template was paused for low quality: edit it or use another."),
    entry(132016, "Template is Disabled", Template, Never, 400,
        "The template was disabled for low quality: create a new one."),
    entry(132018, "There was an issue with the parameters in your template", Template, Never, 400,
        "Fix the template parameters named in the error details."),
    entry(132068, "Flow is in blocked state", Template, Never, 400,
        "The flow is blocked: fix it in the Flow Builder."),
    entry(132069, "Flow is in throttled state", Template, Later(Some(Duration::from_secs(HOUR))), 400,
        "The flow is throttled (10 messages an hour): wait before sending it again."),
    entry(133000, "Incomplete deregistration", Registration, Never, 500,
        "A previous deregistration failed: deregister again before registering."),
    entry(133004, "Server temporarily unavailable", Other, Transient, 503,
        "The server is temporarily unavailable: retry later; check Meta's status page."),
    entry(133005, "Two step verification PIN Mismatch", Registration, Never, 400,
        "Use the right two-step verification PIN."),
    entry(133006, "Phone number re-verification needed", Registration, Never, 400,
        "Verify the phone number again before registering it."),
    entry(133008, "Too many two step verification PIN guesses for this phone number", Registration, Later(None), 400,
        "Wait for the time given in the error details before trying again."),
    entry(133009, "Two step verification PIN was entered too quickly", Registration, Later(None), 400,
        "Wait for the time given in the error details before trying again."),
    entry(133010, "Phone number Not Registered", Registration, Never, 400,
        "Register the phone number with the Cloud API first."),
    entry(133015, "Please wait a few minutes before attempting to register this phone number", Registration, Later(Some(Duration::from_secs(5 * MIN))), 400,
        "The number was recently deleted: wait about 5 minutes before registering it."),
    entry(133016, "Account register deregister rate limit exceeded", Throttling, Later(None), 400,
        "Too many registration attempts: wait before trying again."),
    entry(134011, "WhatsApp Payments terms not accepted", Other, Never, 400,
        "Accept the WhatsApp Payments terms in the Business Manager."),
    entry(134100, "Marketing Messages API: business not onboarded", Other, Never, 400,
        "Finish onboarding to the Marketing Messages API before using it."),
    entry(134101, "Marketing Messages API: template still syncing", Template, Later(Some(Duration::from_secs(10 * MIN))), 400,
        "The template is still being synced (about 10 minutes): wait, then send again."),
    entry(134102, "Marketing Messages API: message not allowed", Other, Never, 400,
        "This message cannot be sent through the Marketing Messages API: use the Cloud API."),
    entry(135000, "Generic user error", Other, Never, 400,
        "An unexpected error with the request parameters: check the request; contact support with the fbtrace_id if it persists."),
    entry(137000, "Recipient identity key mismatch", Other, Never, 400,
        "The user's identity key changed (new phone or reinstall) and this number checks identities: confirm who the user is before sending again."),
    CatalogueEntry {
        code: 138000,
        code_end: 138018,
        title: "Calling API error",
        category: Other,
        retry: Never,
        http_status: 400,
        guidance: "The call or call-permission request was refused (Meta's calling range 138000-138018): read error_data.details for the reason, check the number's call settings and the user's call permission, and do not repeat the same call blindly.",
    },
    entry(139100, "Failed to block/unblock some users", Other, Never, 400,
        "Some users of a block or unblock request failed (a partial failure is answered with HTTP 200 and still lists the users that succeeded): read block_users.failed_users and retry only those after fixing each one's error; a user can only be blocked within 24 hours of their last message."),
    entry(1752041, "Duplicate request", Other, Never, 400,
        "Meta saw the same request twice and ignored the second: do not resend."),
];

/// Looks up a code; ranges (200-299) are matched too. Unknown codes give `None`.
///
/// ```
/// use wacloud::error::catalogue::{lookup, RetryClass};
/// assert_eq!(lookup(2).unwrap().retry, RetryClass::Outage);
/// assert_eq!(lookup(250).unwrap().title, "API Permission");
/// assert!(lookup(999_999_999).is_none());
/// ```
pub fn lookup(code: i64) -> Option<&'static CatalogueEntry> {
    let index = CATALOGUE.partition_point(|entry| entry.code_end < code);
    CATALOGUE
        .get(index)
        .filter(|entry| entry.code <= code && code <= entry.code_end)
}

/// True for the codes the auth guidance applies to: 0, 3, 10, 190 and 200-299.
pub fn is_auth_code(code: i64) -> bool {
    lookup(code).is_some_and(|entry| entry.category == Category::Authorization)
}

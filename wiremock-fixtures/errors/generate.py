#!/usr/bin/env python3
"""Regenerates the error fixtures from src/error/catalogue.rs and the table below.

One file per catalogued code, `<code>-<slug>.json`, shaped as Meta documents a Graph error
answer, plus 190 variants per subcode and `index.json` (code, subcode, file, HTTP status) so
that the sandbox and the tests can iterate. `details` are Meta's descriptions from the Cloud
API error-codes page where it gives one; codes the page does not document say so.
Run from the repository root: python3 wiremock-fixtures/errors/generate.py
"""
import json, re, os, hashlib, base64

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCE = open(os.path.join(ROOT, "src/error/catalogue.rs")).read()

UNDOCUMENTED = "This code is not on Meta's Cloud API error-codes page; no documented details."
GROUPS_UNDOCUMENTED = "This code is not described on Meta's Groups API error page; no documented details."

# code: (slug, message title as Meta writes it in `message`, details)
TABLE = {
    0: ("auth-exception", "AuthException", "We were unable to authenticate the app user."),
    1: ("api-unknown", "API Unknown", "Invalid request or possible server error."),
    2: ("api-service", "API Service", "Temporary due to downtime or due to being overloaded."),
    3: ("api-method", "API Method", "Capability or permissions issue."),
    4: ("api-too-many-calls", "API Too Many Calls", "The app has reached its API call rate limit."),
    10: ("permission-denied", "Permission Denied", "Permission is either not granted or has been removed."),
    33: ("parameter-value-not-valid", "Parameter value is not valid", "The business phone number has been deleted."),
    100: ("invalid-parameter", "Invalid parameter", "The request included one or more unsupported or misspelled parameters."),
    190: ("access-token-expired", "Access token has expired", "Your access token has expired."),
    200: ("api-permission", "API Permission", "Permission is either not granted or has been removed."),
    368: ("temporarily-blocked", "Temporarily blocked for policies violations", "The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy."),
    80007: ("rate-limit-issues", "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: ("rate-limit-hit", "Rate limit hit", "Cloud API message throughput has been reached."),
    130472: ("number-in-experiment", "User's number is part of an experiment", "Message failed to send because the user's phone number is part of an experiment."),
    130497: ("country-restricted", "Business account is restricted from messaging users in this country", "The WhatsApp Business Account is restricted from messaging to users in certain countries."),
    131000: ("something-went-wrong", "Something went wrong", "Message failed to send due to an unknown error."),
    131005: ("access-denied", "Access denied", "Permission is either not granted or has been removed."),
    131008: ("required-parameter-missing", "Required parameter is missing", "The request is missing a required parameter."),
    131009: ("parameter-value-invalid", "Parameter value is not valid", "One or more parameter values are invalid."),
    131016: ("service-unavailable", "Service unavailable", "A service is temporarily unavailable."),
    131020: ("bad-group", "Bad group", "Cannot send messages to single member groups."),
    131021: ("recipient-cannot-be-sender", "Recipient cannot be sender", "Sender and recipient phone number is the same."),
    131026: ("message-undeliverable", "Message Undeliverable", "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; the recipient has not accepted our new Terms of Service and Privacy Policy; the recipient is using an old WhatsApp version."),
    131030: ("recipient-not-allowed", "Recipient phone number not in allowed list", "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."),
    131031: ("account-locked", "Account has been locked", "The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy, or we were unable to verify data included in the request against data set on the WhatsApp Business Account (e.g. the two-step PIN included in the request is incorrect)."),
    131037: ("display-name-approval-needed", "WhatsApp provided number needs display name approval before message can be sent.", "The 555 business phone number needs display name approval before messages can be sent from it."),
    131041: ("group-unknown", "Group unknown", "The group was not found, either because it doesn't exist or you are not a member."),
    131042: ("business-payment-issue", "Business eligibility payment issue", "Message failed to send because there were one or more errors related to your payment method."),
    131045: ("incorrect-certificate", "Incorrect certificate", "Message failed to send due to a phone number registration error."),
    131047: ("re-engagement-message", "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
    131048: ("spam-rate-limit", "Spam rate limit hit", "Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam."),
    131049: ("healthy-ecosystem", "Message not delivered to maintain healthy ecosystem engagement", "This message was not delivered to maintain healthy ecosystem engagement."),
    131050: ("marketing-opt-out", "User has stopped marketing messages", "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business."),
    131051: ("unsupported-message-type", "Unsupported message type", "Unsupported message type."),
    131052: ("media-download-error", "Media download error", "Unable to download the media sent by the user."),
    131053: ("media-upload-error", "Media upload error", "Unable to upload the media used in the message."),
    131055: ("method-not-allowed", "Method not allowed", "The method is not allowed for this endpoint or product."),
    131056: ("pair-rate-limit", "(Business Account, Consumer Account) pair rate limit hit", "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."),
    131057: ("maintenance-mode", "Account in maintenance mode", "Business Account is in maintenance mode. One reason for this could be that the account is undergoing a throughput upgrade."),
    131059: ("invalid-cursor", "Invalid cursor", "The cursor has either expired or become corrupted. Start pagination from the beginning again."),
    131062: ("bsuid-not-supported", "Business-scoped User ID (BSUID) recipients are not supported for this message", "Business-scoped user ID recipients are not supported for this message: authentication templates (one-tap, zero-tap, copy code) need the user's phone number."),
    131063: ("marketing-disabled-on-cloud-api", "Marketing templates disabled on the Cloud API", "Marketing template messages are disabled on the Cloud API for this WhatsApp Business Account; send them through the Marketing Messages API."),
    131064: ("messaging-limit-reduced", "Messaging limit reduced after template category violations", "The messaging limit of this business was reduced because templates were sent in the wrong category."),
    131201: ("partially-succeeded", "Request partially succeeded", "Not all participant-level operations in the request succeeded."),
    131202: ("duplicate-participant", "Duplicate participant", "Duplicate participants in the participant array input."),
    131203: ("groups-undocumented", "Groups API error", GROUPS_UNDOCUMENTED),
    131204: ("participant-overlimit", "Participant overlimit", "Group participant size exceeds limit."),
    131205: ("groups-undocumented", "Groups API error", GROUPS_UNDOCUMENTED),
    131207: ("group-suspended", "Group suspended", "The group violates platform policies."),
    131208: ("group-rate-limit", "Group Rate Limit Hit", "Group operation failed because there were too many group operations from this phone number in a short period."),
    131209: ("group-picture-aspect-ratio", "Invalid Group Profile Picture Aspect Ratio", "Width and height of the image must be equal."),
    131210: ("group-picture-too-small", "Image is Too Small to Process", "Image width and height must be greater than 192px."),
    131211: ("group-create-limit", "Group create limit reached", "Reached the limit for the maximum number of groups that can be created for this number."),
    131212: ("participant-not-in-group", "Participant is not a part of the group.", "The participant is not a part of the group."),
    131213: ("groups-undocumented", "Groups API error", GROUPS_UNDOCUMENTED),
    132000: ("template-param-count-mismatch", "Template Param Count Mismatch", "The number of variable parameter values included in the request did not match the number of variable parameters defined in the template."),
    132001: ("template-does-not-exist", "Template does not exist", "The template does not exist in the specified language or the template has not been approved."),
    132005: ("template-hydrated-text-too-long", "Template Hydrated Text Too Long", "Translated text is too long."),
    132007: ("template-format-policy", "Template Format Character Policy Violated", "Template content violates a WhatsApp policy."),
    132008: ("undocumented", "Undocumented error", UNDOCUMENTED),
    132012: ("template-parameter-format-mismatch", "Template Parameter Format Mismatch", "Variable parameter values formatted incorrectly."),
    132015: ("template-paused", "Template is Paused", "Template is paused due to low quality so it cannot be sent in a template message."),
    132016: ("template-disabled", "Template is Disabled", "Template has been paused too many times due to low quality and is now permanently disabled."),
    132018: ("template-parameter-issue", "There was an issue with the parameters in your template.", "One or more parameters in the template message are not valid."),
    132068: ("flow-blocked", "Flow is in blocked state", "Flow is in blocked state."),
    132069: ("flow-throttled", "Flow is in throttled state", "Flow is in throttled state and 10 messages using this flow were already sent in the last hour."),
    133000: ("incomplete-deregistration", "Incomplete Deregistration", "A previous deregistration attempt failed."),
    133004: ("server-temporarily-unavailable", "Server Temporarily Unavailable", "Server is temporarily unavailable."),
    133005: ("two-step-pin-mismatch", "Two step verification PIN Mismatch", "Two-step verification PIN incorrect."),
    133006: ("phone-reverification-needed", "Phone number re-verification needed", "Phone number needs to be verified before registering."),
    133008: ("too-many-pin-guesses", "Too Many two step verification PIN Guesses", "Too many two-step verification PIN guesses for this phone number. Try again after the amount of time specified in the details response value."),
    133009: ("pin-guessed-too-fast", "Two step verification PIN Guessed Too Fast", "Two-step verification PIN was entered too quickly. Check the details response value before trying again."),
    133010: ("phone-not-registered", "Phone number Not Registered", "Phone number not registered on the WhatsApp Business Platform."),
    133015: ("wait-before-registering", "Please wait a few minutes before attempting to register this phone number", "The phone number you are attempting to register was recently deleted, and deletion has not yet completed."),
    133016: ("register-rate-limit", "Account register deregister rate limit exceeded", "Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time."),
    134011: ("payments-terms-not-accepted", "WhatsApp Payments terms not accepted", "The business has not accepted the WhatsApp Payments terms."),
    134100: ("mm-api-not-onboarded", "Marketing Messages API: business not onboarded", "The business has not finished onboarding to the Marketing Messages API."),
    134101: ("mm-api-template-syncing", "Marketing Messages API: template still syncing", "The template is still being synced to the Marketing Messages API; try again in about 10 minutes."),
    139100: ("block-users-failed", "Failed to block/unblock users", "Failed to block some users, see the block_users response list for details."),
    134102: ("mm-api-message-not-allowed", "Marketing Messages API: message not allowed", "This message cannot be sent through the Marketing Messages API."),
    135000: ("generic-user-error", "Generic user error", "Message failed to send because of an unknown error with your request parameters."),
    137000: ("identity-key-mismatch", "Recipient identity key mismatch", "The message was not sent because the recipient's identity key changed and identity checks are on for this number."),
    138000: ("calling", "Calling API error", "The call could not be placed or changed; see Meta's calling troubleshooting page for this code."),
    1752041: ("duplicate-request", "Duplicate request", "The same request was received more than once and the duplicate was ignored."),
}

# Graph's own answers for 190 carry the reason in the message and a subcode, no error_data.
TOKEN_190 = [
    (None, "access-token-expired", "Error validating access token: Session has expired on Tuesday, 24-Nov-26 23:00:00 PST. The current time is Wednesday, 25-Nov-26 00:15:00 PST."),
    (458, "app-not-installed", "Error validating access token: The user has not authorized application 000000000000000."),
    (460, "password-changed", "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."),
    (463, "session-expired", "Error validating access token: Session has expired on Tuesday, 24-Nov-26 23:00:00 PST. The current time is Wednesday, 25-Nov-26 00:15:00 PST."),
    (467, "invalid-access-token", "Error validating access token: The session is invalid because the user logged out."),
]


def catalogue():
    """(code, code_end, http_status) for each entry of the Rust table."""
    entries = []
    for m in re.finditer(r"entry\((\d+),\s*\"[^\"]*\",\s*\w+,\s*.+?,\s*(\d+),\s*$", SOURCE, re.M):
        entries.append((int(m.group(1)), int(m.group(1)), int(m.group(2))))
    for m in re.finditer(r"code: (\d+),\s*code_end: (\d+),.*?http_status: (\d+),", SOURCE, re.S):
        entries.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return sorted(entries)


def trace_id(seed):
    raw = hashlib.sha256(seed.encode()).digest()
    return "A" + base64.urlsafe_b64encode(raw).decode()[:22]


def kind(code):
    return "OAuthException"


def write(name, body):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(body, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    for name in os.listdir(HERE):
        if name.endswith(".json"):
            os.remove(os.path.join(HERE, name))
    index = []
    for code, code_end, status in catalogue():
        slug, title, details = TABLE[code]
        if code == 190:
            for subcode, variant, message in TOKEN_190:
                name = f"190-{variant}.json" if subcode is None else f"190-{subcode}-{variant}.json"
                error = {"message": message, "type": "OAuthException", "code": 190}
                if subcode is not None:
                    error["error_subcode"] = subcode
                error["fbtrace_id"] = trace_id(name)
                write(name, {"error": error})
                index.append({"code": 190, "subcode": subcode, "file": name, "http_status": status})
            continue
        name = f"{code}-{slug}.json"
        error = {
            "message": f"(#{code}) {title}",
            "type": kind(code),
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
        }
        if code == 131056:
            error["error_subcode"] = 2494010
        error["fbtrace_id"] = trace_id(name)
        write(name, {"error": error})
        entry = {"code": code, "subcode": error.get("error_subcode"), "file": name, "http_status": status}
        if code_end != code:
            entry["code_end"] = code_end
        index.append(entry)
    missing = set(TABLE) - {e["code"] for e in index}
    assert not missing, f"table codes not in the catalogue: {sorted(missing)}"
    write("index.json", {"errors": index})
    print(f"{len(index)} fixtures")


main()

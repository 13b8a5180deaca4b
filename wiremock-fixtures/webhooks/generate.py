#!/usr/bin/env python3
"""Writes the webhook fixtures of this folder, shaped as Meta documents them.

Deterministic: run it again and the files do not change.
    python3 wiremock-fixtures/webhooks/generate.py
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
WABA = "102290129340398"
META = {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"}
USER = "16505551234"
CONTACTS = [{"profile": {"name": "Sheena Nelson"}, "wa_id": USER}]


def envelope(value, field="messages", time=None):
    entry = {"id": WABA, "changes": [{"value": value, "field": field}]}
    if time is not None:
        entry["time"] = time
    return {"object": "whatsapp_business_account", "entry": [entry]}


# Business-scoped user ids (BSUIDs), as Meta documents them.
BSUID = "US.13491208655302741918"
PARENT_BSUID = "US.ENT.11815799212886844830"
BSUID_CONTACTS = [{"profile": {"name": "Sheena Nelson", "username": "sheena.nelson"},
                   "user_id": BSUID, "parent_user_id": PARENT_BSUID}]


def bsuid_message(content_key, content, with_type=True, extra=None):
    """An inbound message from a user known only by BSUID: no `from`, no `wa_id`."""
    m = {"from_user_id": BSUID, "from_parent_user_id": PARENT_BSUID,
         "id": "wamid.HBgLVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
         "timestamp": "1775000000", content_key: content}
    if with_type:
        m["type"] = content_key
    if extra:
        m.update(extra)
    return envelope({"messaging_product": "whatsapp", "metadata": META, "contacts": BSUID_CONTACTS, "messages": [m]})


def field(name, value):
    return envelope(value, field=name, time=1775000000)


def message(kind, content, extra=None, msg_id=None):
    m = {
        "from": USER,
        "id": msg_id or "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        "timestamp": "1749416383",
        "type": kind,
    }
    if content is not None:
        m[kind] = content
    if extra:
        m.update(extra)
    return envelope({"messaging_product": "whatsapp", "metadata": META, "contacts": CONTACTS, "messages": [m]})


def status(kind, msg_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", ts="1750263773", errors=None, extra=None):
    s = {
        "id": msg_id,
        "status": kind,
        "timestamp": ts,
        "recipient_id": USER,
    }
    if kind != "failed":
        s["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}
    if errors:
        s["errors"] = errors
    if extra:
        s.update(extra)
    return s


def statuses(*items):
    return envelope({"messaging_product": "whatsapp", "metadata": META, "statuses": list(items)})


ERR_131026 = {
    "code": 131026,
    "title": "Message undeliverable",
    "message": "Message undeliverable",
    "error_data": {"details": "Message Undeliverable."},
    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
}

FIXTURES = {
    "message_text.json": message("text", {"body": "Does it come in another color?"}),
    "message_image.json": message("image", {
        "caption": "This is a caption", "mime_type": "image/jpeg",
        "sha256": "81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3", "id": "2754859441498128"}),
    "message_audio.json": message("audio", {
        "mime_type": "audio/ogg; codecs=opus",
        "sha256": "5e4d1d1b3b05e4aa5f2bd3f7d0b1e6d2b5d1f1a5a8c6c2a1e9d0e6f3c2b1a0f9", "id": "1003383421387256", "voice": True}),
    "message_video.json": message("video", {
        "caption": "A video", "mime_type": "video/mp4",
        "sha256": "a0c1f3d8e2b4c6a8e0f2d4b6c8a0e2f4d6b8c0a2e4f6d8b0c2a4e6f8d0b2c4a6", "id": "1684182392457211"}),
    "message_document.json": message("document", {
        "caption": "Lucky Shrub Invoice", "filename": "lucky-shrub-invoice.pdf", "mime_type": "application/pdf",
        "sha256": "799a4d9ba37ae5d1f1d9b7a4e5a5c5b7a7d2e0b6b1f3b6e6b4f2c3f5b3c1b8f9", "id": "1376223850470843"}),
    "message_sticker.json": message("sticker", {
        "mime_type": "image/webp", "sha256": "6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a",
        "id": "1228919158318181", "animated": False}),
    "message_location.json": message("location", {
        "address": "1 Hacker Way, Menlo Park, CA 94025", "latitude": 37.483307, "longitude": -122.148981,
        "name": "Main Street Beach", "url": "https://www.example.com"}),
    "message_contacts.json": message("contacts", [{
        "addresses": [{"city": "Menlo Park", "country": "United States", "country_code": "us", "state": "CA",
                       "street": "1 Hacker Way", "type": "HOME", "zip": "94025"}],
        "birthday": "2012-08-18",
        "emails": [{"email": "kfish@fb.com", "type": "WORK"}],
        "name": {"first_name": "Kerry", "formatted_name": "Kerry Fisher", "last_name": "Fisher"},
        "org": {"company": "Meta", "department": "Support", "title": "Manager"},
        "phones": [{"phone": "+1 (940) 555-1234", "type": "HOME"},
                   {"phone": "+1 (650) 555-1234", "type": "WORK", "wa_id": "16505551234"}],
        "urls": [{"url": "https://www.meta.com", "type": "WORK"}],
    }]),
    "message_interactive_button_reply.json": message("interactive", {
        "type": "button_reply", "button_reply": {"id": "change-button", "title": "Change"}},
        {"context": {"from": "15550783881", "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"}}),
    "message_interactive_list_reply.json": message("interactive", {
        "type": "list_reply", "list_reply": {"id": "priority_express", "title": "Express Shipping",
                                             "description": "Next Day to 2 Days"}},
        {"context": {"from": "15550783881", "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"}}),
    "message_interactive_nfm_reply.json": message("interactive", {
        "type": "nfm_reply", "nfm_reply": {"name": "flow", "body": "Sent",
                                           "response_json": "{\"flow_token\": \"AQAAAAACS5FpgQ_cAAAAAD0QI3s.\", \"optional_param1\": \"value1\"}"}},
        {"context": {"from": "15550783881", "id": "gBGGEiRVVgBPAgm7FUgc73noXjo"}}),
    "message_button.json": message("button", {"payload": "Unsubscribe from Promos", "text": "Unsubscribe from Promos"},
                                   {"context": {"from": "15550783881", "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIyNTVGN0E2MjQ5QjJCREM4NTMA"}}),
    "message_reaction.json": message("reaction", {
        "message_id": "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA=", "emoji": "\U0001F44D"}),
    "message_order.json": message("order", {
        "catalog_id": "194836987003835", "text": "Please deliver by Friday",
        "product_items": [{"product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD"},
                          {"product_retailer_id": "nqryix03ez", "quantity": 1, "item_price": 25.5, "currency": "USD"}]}),
    "message_system.json": message("system", {
        "body": "NAME changed from 16505551234 to 16505559999", "new_wa_id": "16505559999",
        "type": "customer_changed_number"}),
    "message_unsupported.json": message("unsupported", {"type": "edit"}, {"errors": [{
        "code": 131051, "title": "Message type unknown", "message": "Message type unknown",
        "error_data": {"details": "Message type is currently not supported."},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}),
    "message_unknown_type.json": message("hologram", {"beam": {"intensity": 9}},
                                         {"brand_new_field": [1, 2, 3]}),
    "status_sent.json": statuses(status("sent", extra={
        "biz_opaque_callback_data": "order-4711",
        "conversation": {"id": "0ad3e3c57f0a1cd6d0a18f6b3e6f3f30", "expiration_timestamp": "1750350173",
                         "origin": {"type": "utility"}}})),
    "status_delivered.json": statuses(status("delivered", ts="1750263774")),
    "status_read.json": statuses(status("read", ts="1750263800")),
    "status_played.json": statuses(status("played", ts="1750263900")),
    "status_failed.json": statuses(status("failed", ts="1750263780", errors=[ERR_131026])),
    "status_unknown.json": statuses(status("teleported", ts="1750263790", extra={"new_status_field": {"x": 1}})),
    "status_conflict_delivered.json": statuses(status("delivered", msg_id="wamid.CONFLICT1", ts="1750263801")),
    "status_conflict_failed.json": statuses(status("failed", msg_id="wamid.CONFLICT1", ts="1750263802", errors=[{
        "code": 131000, "title": "Something went wrong", "message": "Something went wrong",
        "error_data": {"details": "Message failed to send on a linked device."},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}])),
    "system_error.json": envelope({"messaging_product": "whatsapp", "metadata": META, "errors": [{
        "code": 131042, "title": "Business eligibility payment issue",
        "message": "Business eligibility payment issue",
        "error_data": {"details": "Message failed to send because there were one or more errors related to your payment method."},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}),
    "unknown_field.json": envelope({"event": "APPROVED", "message_template_id": 594425479261596,
                                    "message_template_name": "order_confirmation",
                                    "message_template_language": "en_US", "reason": None},
                                   field="brand_new_field"),
    # BSUID users (since April 2026): no phone number, a business-scoped user id instead.
    "message_bsuid_text.json": bsuid_message("text", {"body": "Hi, it's me without a number"}),
    "message_bsuid_no_type.json": bsuid_message("image", {
        "mime_type": "image/jpeg", "sha256": "3f9d94d399fa61c191bc1d4ca71375a035cd9b9f5b1128e1f0963a415c16b0cc",
        "id": "24230790383178626"}, with_type=False),
    "message_bsuid_group.json": bsuid_message("text", {"body": "Hello group"},
                                              extra={"group_id": "120363041234567890@g.us"}),
    "message_bsuid_and_phone.json": envelope({"messaging_product": "whatsapp", "metadata": META,
        "contacts": [{"profile": {"name": "Sheena Nelson", "username": "sheena.nelson"}, "wa_id": USER,
                      "user_id": BSUID, "parent_user_id": PARENT_BSUID}],
        "messages": [{"from": USER, "from_user_id": BSUID, "from_parent_user_id": PARENT_BSUID,
                      "id": "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                      "timestamp": "1775000000", "type": "text", "text": {"body": "Both ids"}}]}),
    "message_system_user_changed_user_id.json": envelope({"messaging_product": "whatsapp", "metadata": META,
        "messages": [{"id": "wamid.HBgLVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgB=",
                      "timestamp": "1775000001", "type": "system",
                      "system": {"body": "User Sheena Nelson changed from %s to US.24817305912873645029" % BSUID,
                                 "user_id": "US.24817305912873645029", "type": "user_changed_user_id"}}]}),
    "status_bsuid_delivered.json": statuses({
        "id": "wamid.HBgLVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", "status": "delivered",
        "timestamp": "1775000100", "recipient_user_id": BSUID, "parent_recipient_user_id": PARENT_BSUID,
        "pricing": {"billable": False, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"}}),
    "status_bsuid_failed_no_contacts.json": statuses({
        "id": "wamid.HBgLVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0ZB", "status": "failed",
        "timestamp": "1775000101", "recipient_user_id": BSUID, "recipient_parent_user_id": PARENT_BSUID,
        "errors": [{"code": 131062, "title": "Business-scoped user ID recipients not supported",
                    "message": "Business-scoped user ID recipients not supported",
                    "error_data": {"details": "Authentication templates need a phone number."}}]}),
    "status_pricing_new_values.json": statuses(status("sent", ts="1775000200", extra={
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "marketing_lite", "type": "regular"}}),
        status("sent", msg_id="wamid.PRICING2", ts="1775000201", extra={
        "pricing": {"pricing_model": "PMP", "category": "authentication_international", "type": "free_entry_point"}}),
        status("sent", msg_id="wamid.PRICING3", ts="1775000202", extra={
        "pricing": {"pricing_model": "FUTURE_MODEL", "category": "brand_new_category", "type": "brand_new_type"}})),
    # Every other webhook field, shaped as Meta's webhook reference pages show them.
    "field_message_template_status_update.json": field("message_template_status_update", {
        "event": "REJECTED", "message_template_id": 1689556908129835, "message_template_name": "abandoned_cart",
        "message_template_language": "en", "reason": "INVALID_FORMAT", "message_template_category": "MARKETING",
        "rejection_info": {"reason": "Your template has parameters placed next to each other.",
                           "recommendation": "Separate parameters with descriptive text."}}),
    "field_message_template_quality_update.json": field("message_template_quality_update", {
        "previous_quality_score": "GREEN", "new_quality_score": "YELLOW", "message_template_id": 806312974732579,
        "message_template_name": "welcome_template", "message_template_language": "en-US"}),
    "field_message_template_components_update.json": field("message_template_components_update", {
        "message_template_id": 1315502779341834, "message_template_name": "order_confirmation",
        "message_template_language": "en_US", "message_template_title": "Your order is confirmed!",
        "message_template_element": "Thank you for your order, {{1}}! Your order number is {{2}}.",
        "message_template_footer": "Lucky Shrub: the Succulent Specialists!",
        "message_template_buttons": [
            {"message_template_button_type": "PHONE_NUMBER", "message_template_button_text": "Phone support",
             "message_template_button_phone_number": "+15550783881"},
            {"message_template_button_type": "URL", "message_template_button_text": "Email support",
             "message_template_button_url": "https://www.luckyshrub.com/support"}]}),
    "field_template_category_update.json": field("template_category_update", {
        "message_template_id": 278077987957091, "message_template_name": "welcome_template",
        "message_template_language": "en-US", "new_category": "UTILITY", "correct_category": "MARKETING",
        "category_update_timestamp": 1746169200}),
    "field_phone_number_quality_update.json": field("phone_number_quality_update", {
        "display_phone_number": "15550783881", "event": "DOWNGRADE", "old_limit": "TIER_10K",
        "current_limit": "TIER_2K", "max_daily_conversations_per_business": "TIER_2K"}),
    "field_phone_number_name_update.json": field("phone_number_name_update", {
        "display_phone_number": "15550783881", "decision": "APPROVED", "requested_verified_name": "Lucky Shrub",
        "rejection_reason": None}),
    "field_account_update.json": field("account_update", {
        "event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "REINSTATE", "waba_ban_date": "April 17, 2025"}}),
    "field_account_review_update.json": field("account_review_update", {"decision": "APPROVED"}),
    "field_account_alerts.json": field("account_alerts", {
        "entity_type": "BUSINESS", "entity_id": "506914307656634", "alert_info": {
            "alert_severity": "WARNING", "alert_status": "ACTIVE",
            "alert_type": "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
            "alert_description": "Limits cannot be increased for your business."}}),
    "field_business_capability_update.json": field("business_capability_update", {
        "max_daily_conversations_per_business": 2000, "max_phone_numbers_per_waba": 25}),
    "field_user_preferences.json": field("user_preferences", {
        "messaging_product": "whatsapp", "metadata": META, "contacts": [{"wa_id": USER}],
        "user_preferences": [{"wa_id": USER, "detail": "User requested to stop marketing messages",
                              "category": "marketing_messages", "value": "stop", "timestamp": 1731705721}]}),
    "field_security.json": field("security", {
        "display_phone_number": "15550783881", "event": "PIN_RESET_REQUEST", "requester": "61555822107539"}),
    "field_user_id_update.json": field("user_id_update", {
        "messaging_product": "whatsapp", "metadata": META,
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505559999"}],
        "user_id_update": [{"wa_id": "16505559999", "detail": "User id for Sheena Nelson has been updated.",
                            "user_id": {"previous": BSUID, "current": "US.24817305912873645029"},
                            "timestamp": "1775000300"}]}),
    "field_business_username_update.json": field("business_username_update", {
        "display_phone_number": "15550783881", "username": "luckyshrub", "status": "approved"}),
    "field_calls.json": field("calls", {
        "messaging_product": "whatsapp", "metadata": META,
        "contacts": [{"profile": {"name": "Sheena Nelson", "username": "sheena.nelson"}, "user_id": BSUID}],
        "calls": [{"id": "wacid.HBgLMTY1MDU1NTEyMzQVAgARGBI", "from_user_id": BSUID, "to": "15550783881",
                   "event": "connect", "direction": "USER_INITIATED", "timestamp": "1775000400",
                   "session": {"sdp_type": "offer", "sdp": "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n"}}]}),
    "field_group_lifecycle_update.json": field("group_lifecycle_update", {
        "messaging_product": "whatsapp", "metadata": META,
        "groups": [{"timestamp": "1775000500", "group_id": "120363041234567890@g.us", "type": "group_create",
                    "request_id": "req-1", "subject": "Order 4711", "invite_link": "https://chat.whatsapp.com/LINK_ID",
                    "join_approval_mode": "auto_approve"}]}),
    "field_group_participants_update.json": field("group_participants_update", {
        "messaging_product": "whatsapp", "metadata": META,
        "groups": [{"timestamp": "1775000501", "group_id": "120363041234567890@g.us",
                    "type": "group_participants_add", "request_id": "req-2",
                    "added_participants": [{"input": BSUID, "user_id": BSUID}],
                    "failed_participants": [{"input": "16505550000", "errors": [{"code": 131215,
                                             "title": "Participant cannot be added"}]}]}]}),
    "field_group_settings_update.json": field("group_settings_update", {
        "messaging_product": "whatsapp", "metadata": META,
        "groups": [{"timestamp": "1775000502", "group_id": "120363041234567890@g.us",
                    "type": "group_settings_update", "request_id": "req-3", "subject": "Order 4711 (shipped)"}]}),
    "field_group_status_update.json": field("group_status_update", {
        "messaging_product": "whatsapp", "metadata": META,
        "groups": [{"timestamp": "1775000503", "group_id": "120363041234567890@g.us", "type": "group_suspend"}]}),
    "field_smb_message_echoes.json": field("smb_message_echoes", {
        "messaging_product": "whatsapp", "metadata": META,
        "message_echoes": [{"from": "15550783881", "to": USER,
                            "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIyNDlBOEI5QUQ4NDc0N0FCNjMA",
                            "timestamp": "1775000600", "type": "text",
                            "text": {"body": "Here's the info you requested!"}}]}),
    "field_smb_app_state_sync.json": field("smb_app_state_sync", {
        "messaging_product": "whatsapp", "metadata": META,
        "state_sync": [{"type": "contact", "contact": {"full_name": "Pablo Morales", "first_name": "Pablo",
                                                       "phone_number": "16505551234"},
                        "action": "add", "metadata": {"timestamp": "1775000700"}}]}),
    "field_history.json": field("history", {
        "messaging_product": "whatsapp", "metadata": META,
        "history": [{"metadata": {"phase": 0, "chunk_order": 1, "progress": 55},
                     "threads": [{"id": USER, "messages": [
                         {"from": "15550783881", "to": USER, "id": "wamid.HIST1", "timestamp": "1739230955",
                          "type": "text", "text": {"body": "Here's the info you requested!"},
                          "history_context": {"status": "READ"}},
                         {"from": "15550783881", "id": "wamid.HIST2", "timestamp": "1739230970",
                          "type": "media_placeholder", "history_context": {"status": "PLAYED"}},
                         {"from": USER, "id": "wamid.HIST3", "timestamp": "1739230970", "type": "text",
                          "text": {"body": "Thanks!"}, "history_context": {"status": "READ"}}]}]}]}),
}


def batch():
    """1,000 status updates in one webhook, about 3 MB (Meta's documented maximum size)."""
    rng = random.Random(20250601)
    kinds = ["sent", "delivered", "read", "failed", "played"]
    items = []
    for i in range(1000):
        kind = kinds[i % 5]
        msg_id = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI%024d" % (i // 3)
        extra = {
            # Meta caps this near 512 characters; a realistic payload filler.
            "biz_opaque_callback_data": "campaign=%d;" % i + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(500)),
            "conversation": {"id": "%032x" % rng.getrandbits(128), "expiration_timestamp": str(1750350173 + i),
                             "origin": {"type": "marketing"}},
        }
        errors = None
        if kind == "failed":
            errors = [{
                "code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
                "error_data": {"details": "Message Undeliverable: the recipient \u201c%d\u201d could not be reached. " % i + "x" * 1500},
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }]
        s = status(kind, msg_id=msg_id, ts=str(1750263773 + i), errors=errors, extra=extra)
        s["recipient_id"] = "1650555%04d" % (i % 10000)
        # Pad every update to about 3 KB with a field the SDK does not know.
        s["x_padding"] = "p" * max(0, 2950 - len(json.dumps(s)))
        items.append(s)
    return statuses(*items)


def main():
    for name, doc in sorted(FIXTURES.items()):
        with open(os.path.join(HERE, name), "w") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
    with open(os.path.join(HERE, "batch_1000_statuses.json"), "w") as f:
        json.dump(batch(), f, separators=(",", ":"), ensure_ascii=False)
    print("wrote %d fixtures + batch_1000_statuses.json" % len(FIXTURES))


if __name__ == "__main__":
    main()

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


def envelope(value, field="messages"):
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA, "changes": [{"value": value, "field": field}]}],
    }


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
                                   field="message_template_status_update"),
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

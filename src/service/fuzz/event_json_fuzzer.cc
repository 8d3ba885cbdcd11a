// Fuzzes the JSON request bodies of the service: the bytes are a body as
// RiskService receives it (json::parse without exceptions), decoded as a score
// request (DecodeOrder, DecodeReturn) and as an event (DecodeEvent), whole and
// line by line as `POST /v1/events` reads NDJSON.
//
// Besides never crashing, leaking or tripping UBSan, it checks what the service
// relies on:
//  - an error is InvalidArgument and its message is valid UTF-8, since the
//    service embeds it in JSON bodies (an NDJSON reply lists every rejected
//    line's message, and nlohmann::json::dump throws on invalid UTF-8);
//  - an accepted event survives the event log: EncodeEvent's output decodes
//    again, whatever `now` is, to the same event id and event, and encodes to
//    the same bytes. The service stores EncodeEvent(DefaultEventId(e), e) for a
//    scored order or return, and replays the log through DecodeEvent at start:
//    an event that does not decode again stops the server from starting.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/field_error.h"
#include "service/event_json.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr Timestamp kNow = 1'790'000'000;        // 2026-09-21
constexpr Timestamp kReplayNow = 1'900'000'000;  // a later start: must not matter

[[noreturn]] void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "event_json_fuzzer: %.*s\n  %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Embeds `text` in a JSON document the way the service does.
bool DumpsAsJson(std::string_view text) {
  try {
    (void)json{{"error", text}}.dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

void CheckError(const Status& status) {
  if (status.ok()) Fail("an error status is OK", "");
  if (!absl::IsInvalidArgument(status)) Fail("an error is not InvalidArgument", status.ToString());
  const std::string message(status.message());
  if (!DumpsAsJson(message)) Fail("an error message is not valid UTF-8", message);
  if (auto field = FieldOf(status); field && !DumpsAsJson(*field)) {
    Fail("an error's field is not valid UTF-8", *field);
  }
}

bool SameEvent(const RawEvent& a, const RawEvent& b) {
  return a.at == b.at && a.type == b.type && a.payment == b.payment && a.qc == b.qc &&
         a.reason == b.reason && a.label_target == b.label_target && a.label == b.label &&
         a.customer_id == b.customer_id && a.product_id == b.product_id &&
         a.seller_id == b.seller_id && a.category == b.category && a.order_id == b.order_id &&
         a.return_id == b.return_id && a.device_id == b.device_id && a.pincode == b.pincode &&
         a.size == b.size && a.amount == b.amount && a.discount == b.discount &&
         a.quantity == b.quantity && a.registered_at == b.registered_at;
}

// What the event log does with an accepted event: store EncodeEvent's output,
// decode it at the next start.
void CheckRoundTrip(const std::string& event_id, const RawEvent& event) {
  const std::string encoded = EncodeEvent(event_id, event);
  const json stored = json::parse(encoded, nullptr, /*allow_exceptions=*/false);
  if (stored.is_discarded()) Fail("EncodeEvent wrote invalid JSON", encoded);
  auto replayed = DecodeEvent(stored, kReplayNow);
  if (!replayed.ok()) {
    Fail("an accepted event does not decode from the event log",
         encoded + "\n  " + replayed.status().ToString());
  }
  if (replayed->event_id != event_id) Fail("the event id changed in the event log", encoded);
  if (!SameEvent(replayed->event, event)) Fail("the event changed in the event log", encoded);
  const std::string again = EncodeEvent(replayed->event_id, replayed->event);
  if (again != encoded) Fail("EncodeEvent is not canonical", encoded + "\n  " + again);
}

// One JSON body, as each request that carries one.
void DecodeBody(std::string_view body, bool as_score_request) {
  const json object = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return;

  auto event = DecodeEvent(object, kNow);
  if (event.ok()) {
    if (event->event_id.empty()) Fail("an accepted event has no id", std::string(body));
    CheckRoundTrip(event->event_id, event->event);
  } else {
    CheckError(event.status());
  }
  if (!as_score_request) return;

  for (const bool order : {true, false}) {
    auto raw = order ? DecodeOrder(object, kNow) : DecodeReturn(object, kNow);
    if (!raw.ok()) {
      CheckError(raw.status());
      continue;
    }
    const EventType want = order ? EventType::kOrderPlaced : EventType::kReturnRequested;
    if (raw->type != want) Fail("a score request decoded to another type", std::string(body));
    // RiskService::Score stores the request under its default id.
    CheckRoundTrip(DefaultEventId(*raw), *raw);
  }
}

}  // namespace
}  // namespace vigil

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  vigil::DecodeBody(body, /*as_score_request=*/true);
  // NDJSON, split as RiskService::Ingest splits it.
  if (body.find('\n') != std::string_view::npos) {
    vigil::ForEachNdjsonLine(body, [](int64_t, std::string_view line) {
      vigil::DecodeBody(line, /*as_score_request=*/false);
    });
  }
  return 0;
}

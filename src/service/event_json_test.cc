#include "service/event_json.h"

#include <gtest/gtest.h>

#include "common/field_error.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr Timestamp kNow = 1'790'000'000;

json Order() {
  return {{"order_id", "ORD1"},      {"customer_id", "C1"},
          {"product_id", "P1"},      {"amount", 1299.5},
          {"payment_method", "COD"}, {"delivery_pincode", "560001"},
          {"device_id", "D1"},       {"ordered_at", "2026-10-20T10:30:00+05:30"}};
}

std::string FieldOfError(const StatusOr<RawEvent>& r) {
  EXPECT_FALSE(r.ok());
  return FieldOf(r.status()).value_or("<none>");
}

TEST(DecodeOrder, ReadsEveryOrderColumn) {
  auto e = DecodeOrder(Order(), kNow);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->type, EventType::kOrderPlaced);
  EXPECT_EQ(e->order_id, "ORD1");
  EXPECT_EQ(e->customer_id, "C1");
  EXPECT_EQ(e->payment, PaymentMethod::kCod);
  EXPECT_FLOAT_EQ(e->amount, 1299.5f);
  EXPECT_EQ(e->pincode, "560001");
  EXPECT_EQ(e->at, *ParseTimestamp("2026-10-20T05:00:00Z"));
  EXPECT_FLOAT_EQ(e->quantity, 1.0f);
}

TEST(DecodeOrder, MissingTimeMeansNow) {
  json order = Order();
  order.erase("ordered_at");
  EXPECT_EQ(DecodeOrder(order, kNow)->at, kNow);
}

TEST(DecodeOrder, AtAndOrderedAtMayBothBeSentOnlyWhenTheyAgree) {
  json order = Order();
  order["at"] = "2026-10-20T05:00:00Z";  // the same instant as ordered_at
  EXPECT_EQ(DecodeOrder(order, kNow)->at, *ParseTimestamp("2026-10-20T05:00:00Z"));
  order["at"] = "2026-10-20T06:00:00Z";
  EXPECT_EQ(FieldOfError(DecodeOrder(order, kNow)), "at");
  json event = order;
  event["type"] = "order.placed";
  auto decoded = DecodeEvent(event, kNow);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(FieldOf(decoded.status()), "ordered_at");
}

TEST(DecodeOrder, NamesTheFieldThatIsWrong) {
  json missing = Order();
  missing.erase("customer_id");
  EXPECT_EQ(FieldOfError(DecodeOrder(missing, kNow)), "customer_id");

  json mistyped = Order();
  mistyped["amount"] = "a lot";
  EXPECT_EQ(FieldOfError(DecodeOrder(mistyped, kNow)), "amount");

  json negative = Order();
  negative["amount"] = -5;
  EXPECT_EQ(FieldOfError(DecodeOrder(negative, kNow)), "amount");

  json method = Order();
  method["payment_method"] = "barter";
  EXPECT_EQ(FieldOfError(DecodeOrder(method, kNow)), "payment_method");

  json pincode = Order();
  pincode["delivery_pincode"] = "5600";
  EXPECT_EQ(FieldOfError(DecodeOrder(pincode, kNow)), "delivery_pincode");

  json time = Order();
  time["ordered_at"] = "yesterday";
  EXPECT_EQ(FieldOfError(DecodeOrder(time, kNow)), "ordered_at");

  json id = Order();
  id["order_id"] = 42;
  EXPECT_EQ(FieldOfError(DecodeOrder(id, kNow)), "order_id");
}

TEST(DecodeOrder, AcceptsANumericPincode) {
  json order = Order();
  order["delivery_pincode"] = 110001;
  EXPECT_EQ(DecodeOrder(order, kNow)->pincode, "110001");
}

TEST(DecodeEvent, DefaultsTheEventIdToTypeAndSubject) {
  auto e = DecodeEvent({{"type", "order.rto"}, {"order_id", "ORD9"}}, kNow);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->event_id, "order.rto:ORD9");
  EXPECT_EQ(e->event.at, kNow);
}

TEST(DecodeEvent, UnknownTypeNamesTheTypeField) {
  auto e = DecodeEvent({{"type", "order.teleported"}, {"order_id", "ORD9"}}, kNow);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(FieldOf(e.status()), "type");
}

TEST(DecodeEvent, LabelMustBeZeroOrOne) {
  auto e = DecodeEvent({{"type", "label"}, {"return_id", "R1"}, {"label", 2}}, kNow);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(FieldOf(e.status()), "label");
}

TEST(EncodeEvent, RoundTripsEveryType) {
  std::vector<json> events = {
      {{"type", "customer.upserted"},
       {"customer_id", "C1"},
       {"registered_at", "2024-01-02"},
       {"pincode", "400001"}},
      {{"type", "product.upserted"},
       {"product_id", "P1"},
       {"category", "Fashion"},
       {"price", 999},
       {"seller_id", "S1"}},
      Order(),
      {{"type", "order.delivered"}, {"order_id", "ORD1"}, {"at", "2026-10-22T10:00:00Z"}},
      {{"type", "return.requested"},
       {"return_id", "R1"},
       {"order_id", "ORD1"},
       {"reason", "Size too small"},
       {"refund_amount", 999}},
      {{"type", "return.qc_completed"}, {"return_id", "R1"}, {"qc_result", "empty"}},
      {{"type", "label"}, {"target", "return"}, {"return_id", "R1"}, {"label", 1}},
  };
  events[2]["type"] = "order.placed";
  events[2]["event_id"] = "custom-id";
  for (const json& original : events) {
    auto first = DecodeEvent(original, kNow);
    ASSERT_TRUE(first.ok()) << original.dump() << ": " << first.status();
    const std::string encoded = EncodeEvent(first->event_id, first->event);
    auto second = DecodeEvent(json::parse(encoded), kNow + 100);
    ASSERT_TRUE(second.ok()) << encoded << ": " << second.status();
    EXPECT_EQ(EncodeEvent(second->event_id, second->event), encoded);
    EXPECT_EQ(second->event.at, first->event.at) << encoded;
    EXPECT_EQ(second->event.reason, first->event.reason) << encoded;
  }
}

// Found by the fuzzer: -2e-35809 underflows to -0.0, which the log wrote as
// "-0" and read back as 0, so the event's encoding was not canonical.
TEST(EncodeEvent, NegativeZeroIsWrittenAsZero) {
  for (const char* zero : {"-0.0", "-2e-35809", "-0"}) {
    json order = Order();
    order["discount"] = json::parse(zero);
    auto first = DecodeOrder(order, kNow);
    ASSERT_TRUE(first.ok()) << zero << ": " << first.status();
    const std::string encoded = EncodeEvent("e1", *first);
    EXPECT_NE(encoded.find("\"discount\":0,"), std::string::npos) << zero << ": " << encoded;
    auto second = DecodeEvent(json::parse(encoded), kNow);
    ASSERT_TRUE(second.ok()) << encoded << ": " << second.status();
    EXPECT_EQ(EncodeEvent(second->event_id, second->event), encoded);
  }
}

TEST(EncodeEvent, BytesThatAreNotUtf8BecomeReplacementCharactersNotBrokenJson) {
  // Events from CSV files (vigil ingest) carry whatever bytes the file had;
  // the log must still parse when it is replayed.
  RawEvent e;
  e.type = EventType::kOrderPlaced;
  e.at = kNow;
  e.order_id =
      "ORD\xff"
      "1";
  e.customer_id = "C\xc3";
  e.product_id = "P1";
  e.amount = 0.1f;
  const std::string encoded = EncodeEvent(
      "order.placed:ORD\xff"
      "1",
      e);
  const json parsed = json::parse(encoded);  // throws on invalid UTF-8
  EXPECT_EQ(parsed["order_id"], "ORD\uFFFD1");
  EXPECT_EQ(parsed["customer_id"], "C\uFFFD");
  EXPECT_EQ(parsed["amount"].dump(), "0.1");
  auto decoded = DecodeEvent(parsed, kNow);
  EXPECT_TRUE(decoded.ok()) << decoded.status() << " " << encoded;
}

// Found by src/service/fuzz/event_json_fuzzer: every accepted event must come
// back from the event log, where it is stored under its (default) id.
StatusOr<DecodedEvent> FromEventLog(const DecodedEvent& accepted) {
  return DecodeEvent(json::parse(EncodeEvent(accepted.event_id, accepted.event)), kNow + 100);
}

TEST(DecodeEvent, ADefaultIdOfALongestSubjectIdDecodesAgain) {
  const std::string id(128, 'R');
  auto e = DecodeEvent({{"type", "return.qc_completed"}, {"return_id", id}, {"qc_result", "pass"}},
                       kNow);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->event_id, "return.qc_completed:" + id);
  auto again = FromEventLog(*e);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->event_id, e->event_id);

  // A scored order is stored under its default id too.
  json order = Order();
  order["order_id"] = std::string(128, 'O');
  auto raw = DecodeOrder(order, kNow);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_TRUE(FromEventLog({DefaultEventId(*raw), *raw}).ok());

  // Longer than any default id is still too long.
  auto too_long = DecodeEvent(
      {{"type", "order.rto"}, {"order_id", "O"}, {"event_id", std::string(149, 'e')}}, kNow);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(FieldOf(too_long.status()), "event_id");
}

TEST(DecodeEvent, TimesOutsideFourDigitYearsInUtcAreRejected) {
  // 0000-01-01 in IST is in year -1 in UTC, which EncodeEvent cannot write
  // for DecodeEvent to read back; likewise past 9999-12-31T23:59:59Z.
  for (const char* at : {"0000-01-01", "0000-01-01T05:29:59+05:30", "9999-12-31T23:59:59-00:01",
                         "9999-12-31T23:59:60Z"}) {
    auto e = DecodeEvent({{"type", "order.rto"}, {"order_id", "O"}, {"at", at}}, kNow);
    ASSERT_FALSE(e.ok()) << at;
    EXPECT_EQ(FieldOf(e.status()), "at") << at;
  }
  for (const char* at : {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    auto e = DecodeEvent({{"type", "order.rto"}, {"order_id", "O"}, {"at", at}}, kNow);
    ASSERT_TRUE(e.ok()) << at << ": " << e.status();
    auto again = FromEventLog(*e);
    ASSERT_TRUE(again.ok()) << at << ": " << again.status();
    EXPECT_EQ(again->event.at, e->event.at);
  }
}

TEST(DecodeEvent, ABadTimeMessageStaysValidUtf8) {
  // The message quotes the first 40 bytes of the text; byte 40 is inside "é".
  const std::string at = std::string(39, 'a') + "\xc3\xa9";
  auto e = DecodeEvent({{"type", "order.rto"}, {"order_id", "O"}, {"at", at}}, kNow);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(FieldOf(e.status()), "at");
  const std::string message(e.status().message());
  EXPECT_NE(message.find(std::string(39, 'a') + "'"), std::string::npos) << message;
  // NDJSON replies embed the message in JSON; dump() throws on invalid UTF-8.
  EXPECT_NO_THROW((void)json(message).dump());
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST(ForEachNdjsonLine, SkipsBlankLinesButCountsThemAndDropsCarriageReturns) {
  std::vector<std::pair<int64_t, std::string>> seen;
  ForEachNdjsonLine("{\"a\":1}\r\n\n  \t\n{\"b\":2}", [&](int64_t n, std::string_view text) {
    seen.emplace_back(n, std::string(text));
  });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], (std::pair<int64_t, std::string>{1, "{\"a\":1}"}));
  EXPECT_EQ(seen[1], (std::pair<int64_t, std::string>{4, "{\"b\":2}"}));
}

}  // namespace
}  // namespace vigil

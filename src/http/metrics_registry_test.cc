#include "http/metrics_registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace vigil {
namespace {

TEST(MetricsRegistryTest, RendersExactExpositionText) {
  MetricsRegistry registry;
  registry.GetCounter("requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}})
      ->Increment(3);
  registry.GetCounter("requests_total", "Requests.", {{"route", "/a"}, {"status", "404"}})
      ->Increment();
  registry.GetGauge("open", "Open now.\nSecond \\ line.")->Set(2.5);
  Histogram* latency =
      registry.GetHistogram("latency_seconds", "Latency.", {0.001, 0.01, 0.1}, {{"route", "/a"}});
  latency->Observe(0.0005);
  latency->Observe(0.01);  // le is inclusive
  latency->Observe(0.05);
  latency->Observe(2);
  registry.GetCounter("escaped_total", "Escapes.", {{"v", "a\"b\\c\nd"}});
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP escaped_total Escapes.\n"
            "# TYPE escaped_total counter\n"
            "escaped_total{v=\"a\\\"b\\\\c\\nd\"} 0\n"
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.001\"} 1\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.01\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 3\n"
            "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/a\"} 2.0605\n"
            "latency_seconds_count{route=\"/a\"} 4\n"
            "# HELP open Open now.\\nSecond \\\\ line.\n"
            "# TYPE open gauge\n"
            "open 2.5\n"
            "# HELP requests_total Requests.\n"
            "# TYPE requests_total counter\n"
            "requests_total{route=\"/a\",status=\"200\"} 3\n"
            "requests_total{route=\"/a\",status=\"404\"} 1\n");
}

TEST(MetricsRegistryTest, UnlabelledHistogramHasOnlyLeLabel) {
  MetricsRegistry registry;
  registry.GetHistogram("h", "H.", {1})->Observe(0.5);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP h H.\n# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n");
}

TEST(MetricsRegistryTest, SameSeriesReturnsSamePointer) {
  MetricsRegistry registry;
  Counter* a = registry.GetCounter("c_total", "C.", {{"k", "v"}});
  EXPECT_EQ(registry.GetCounter("c_total", "C.", {{"k", "v"}}), a);
  EXPECT_NE(registry.GetCounter("c_total", "C.", {{"k", "w"}}), a);
}

TEST(MetricsRegistryTest, GaugeAddsAndFormatsSpecialValues) {
  MetricsRegistry registry;
  Gauge* gauge = registry.GetGauge("g", "G.");
  gauge->Add(3);
  gauge->Add(-1);
  EXPECT_EQ(gauge->value(), 2);
  EXPECT_EQ(FormatMetricValue(2), "2");
  EXPECT_EQ(FormatMetricValue(0.00005), "5e-05");
  EXPECT_EQ(FormatMetricValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatMetricValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatMetricValue(NAN), "NaN");
}

TEST(MetricsRegistryTest, CountsFromManyThreads) {
  MetricsRegistry registry;
  Counter* counter = registry.GetCounter("c_total", "C.");
  Histogram* histogram = registry.GetHistogram("h", "H.", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter->Increment();
        histogram->Observe(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter->value(), 40000u);
  EXPECT_EQ(histogram->bucket_count(0), 40000u);
  EXPECT_EQ(histogram->sum(), 40000);
}

TEST(MetricsRegistryDeathTest, MisuseAborts) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "X.");
  EXPECT_DEATH(registry.GetGauge("x_total", "X."), "another type");
  EXPECT_DEATH(registry.GetCounter("bad-name", "X."), "invalid metric name");
  EXPECT_DEATH(registry.GetCounter("y_total", "Y.", {{"le", "1"}}), "invalid label name");
  EXPECT_DEATH(registry.GetHistogram("h", "H.", {2, 1}), "strictly increasing");
}

}  // namespace
}  // namespace vigil

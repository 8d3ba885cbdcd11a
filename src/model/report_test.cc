#include "model/report.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

ModelManifest Manifest() {
  ModelManifest m;
  m.kind = "order";
  m.version = "v3";
  m.model_version = "order-v3";
  m.feature_names = {"amount", "<script>"};
  m.train_from = "2026-01-01T00:00:00Z";
  m.train_to = "2026-02-01T00:00:00Z";
  m.checksum = "sha256:abc";
  return m;
}

Evaluation SmallEvaluation() {
  std::vector<float> labels = {0, 0, 1, 1, 0, 1};
  std::vector<double> p = {0.1, 0.4, 0.35, 0.8, 0.2, 0.9};
  return Evaluate(labels, p);
}

TEST(RenderReportTest, TitleNamesKindAndVersion) {
  std::string html = RenderReport(Manifest(), SmallEvaluation(), {{"amount", 1.0}});
  EXPECT_NE(html.find("<title>Vigil order model order-v3</title>"), std::string::npos);
  EXPECT_NE(html.find("<h1>Vigil order model order-v3</h1>"), std::string::npos);
}

TEST(RenderReportTest, DrawsFourInlineSvgCharts) {
  std::string html =
      RenderReport(Manifest(), SmallEvaluation(), {{"amount", 0.7}, {"<script>", 0.3}});
  EXPECT_EQ(Count(html, "<svg "), 4u);
  EXPECT_NE(html.find(R"(<svg id="roc")"), std::string::npos);
  EXPECT_NE(html.find(R"(<svg id="pr")"), std::string::npos);
  EXPECT_NE(html.find(R"(<svg id="calibration")"), std::string::npos);
  EXPECT_NE(html.find(R"(<svg id="importance")"), std::string::npos);
  EXPECT_EQ(Count(html, "<polyline"), 3u);
  EXPECT_EQ(Count(html, R"(<rect class="bar")"), 2u);
  EXPECT_GE(Count(html, "<circle"), 1u);
}

TEST(RenderReportTest, EscapesFeatureNamesAndHasNoScriptsOrExternalResources) {
  std::string html = RenderReport(Manifest(), SmallEvaluation(), {{"<script>", 1.0}});
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
}

TEST(RenderReportTest, ShowsUndefinedMetricsAsNotAvailable) {
  std::string html = RenderReport(Manifest(), Evaluate({}, {}), {});
  EXPECT_NE(html.find("<tr><th>Validation ROC-AUC</th><td>n/a</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>Validation period</th><td>none</td></tr>"), std::string::npos);
}

TEST(RenderReportTest, ListsThresholdRows) {
  std::string html = RenderReport(Manifest(), SmallEvaluation(), {});
  // threshold 0.5 flags 0.8 and 0.9: both positive.
  EXPECT_NE(html.find("<tr><td>0.50</td><td>100.0%</td><td>66.7%</td><td>2 (33.3%)</td></tr>"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil

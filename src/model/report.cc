#include "model/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/markup.h"

namespace vigil {
namespace {

constexpr size_t kMaxImportanceBars = 20;

std::string Num(double value, int digits = 4) {
  if (!std::isfinite(value)) return "n/a";
  return fmt::format("{:.{}f}", value, digits);
}

std::string Percent(double share) {
  if (!std::isfinite(share)) return "n/a";
  return fmt::format("{:.1f}%", 100 * share);
}

// A square chart with both axes running over [0, 1].
struct UnitPlot {
  static constexpr double kSize = 320, kLeft = 48, kTop = 12, kInner = 260;

  double X(double x) const { return kLeft + std::clamp(x, 0.0, 1.0) * kInner; }
  double Y(double y) const { return kTop + (1 - std::clamp(y, 0.0, 1.0)) * kInner; }
};

std::string AxesSvg(const UnitPlot& p, std::string_view x_label, std::string_view y_label) {
  std::string svg =
      fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#888"/>)",
                  p.X(0), p.Y(1), UnitPlot::kInner, UnitPlot::kInner);
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    svg += fmt::format(
        R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="#eee"/>)"
        R"(<line x1="{3:.1f}" y1="{4:.1f}" x2="{5:.1f}" y2="{4:.1f}" stroke="#eee"/>)"
        R"(<text x="{0:.1f}" y="{6:.1f}" text-anchor="middle">{7}</text>)"
        R"(<text x="{8:.1f}" y="{9:.1f}" text-anchor="end">{7}</text>)",
        p.X(t), p.Y(0), p.Y(1), p.X(0), p.Y(t), p.X(1), p.Y(0) + 14, t, p.X(0) - 4, p.Y(t) + 4);
  }
  svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)", p.X(0.5),
                     p.Y(0) + 30, EscapeMarkup(x_label));
  svg += fmt::format(
      R"svg(<text transform="translate(12 {:.1f}) rotate(-90)" text-anchor="middle">{}</text>)svg",
      p.Y(0.5), EscapeMarkup(y_label));
  return svg;
}

std::string PolylineSvg(const UnitPlot& p, const std::vector<CurvePoint>& points,
                        std::string_view css_class) {
  std::string coords;
  for (const CurvePoint& point : points) {
    coords += fmt::format("{:.1f},{:.1f} ", p.X(point.x), p.Y(point.y));
  }
  return fmt::format(R"(<polyline class="{}" fill="none" points="{}"/>)", css_class, coords);
}

std::string DashedLineSvg(const UnitPlot& p, double x1, double y1, double x2, double y2) {
  return fmt::format(
      R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#999" stroke-dasharray="4 4"/>)",
      p.X(x1), p.Y(y1), p.X(x2), p.Y(y2));
}

std::string Figure(std::string_view title, std::string_view id, const std::string& body,
                   double width = UnitPlot::kSize, double height = UnitPlot::kSize) {
  return fmt::format(
      R"(<figure><figcaption>{}</figcaption><svg id="{}" xmlns="http://www.w3.org/2000/svg" )"
      R"(width="{}" height="{}" viewBox="0 0 {} {}" role="img">{}</svg></figure>)",
      title, id, width, height, width, height, body);
}

std::string RocSvg(const Evaluation& e) {
  UnitPlot p;
  std::string body = AxesSvg(p, "false positive rate", "true positive rate");
  body += DashedLineSvg(p, 0, 0, 1, 1);
  body += PolylineSvg(p, e.roc_curve, "curve");
  return Figure(fmt::format("ROC curve (AUC {})", Num(e.roc_auc)), "roc", body);
}

std::string PrSvg(const Evaluation& e) {
  UnitPlot p;
  std::string body = AxesSvg(p, "recall", "precision");
  if (std::isfinite(e.positive_rate)) {
    body += DashedLineSvg(p, 0, e.positive_rate, 1, e.positive_rate);
  }
  body += PolylineSvg(p, e.pr_curve, "curve");
  return Figure(fmt::format("Precision-recall curve (average precision {})", Num(e.pr_auc)), "pr",
                body);
}

std::string CalibrationSvg(const Evaluation& e) {
  UnitPlot p;
  std::string body = AxesSvg(p, "mean predicted probability", "observed positive rate");
  body += DashedLineSvg(p, 0, 0, 1, 1);
  std::vector<CurvePoint> points;
  for (const ReliabilityBin& b : e.reliability)
    points.push_back({b.mean_predicted, b.observed_rate, 0});
  body += PolylineSvg(p, points, "curve");
  for (const ReliabilityBin& b : e.reliability) {
    const double radius =
        2.5 + 6 * std::sqrt(static_cast<double>(b.count) / std::max<size_t>(e.rows, 1));
    body += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="{:.1f}" class="dot"><title>{} rows: predicted {}, observed {}</title></circle>)",
        p.X(b.mean_predicted), p.Y(b.observed_rate), radius, b.count, Num(b.mean_predicted, 3),
        Num(b.observed_rate, 3));
  }
  return Figure(fmt::format("Calibration (Brier {})", Num(e.brier)), "calibration", body);
}

std::string ImportanceSvg(const std::vector<std::pair<std::string, double>>& importance) {
  const size_t n = std::min(importance.size(), kMaxImportanceBars);
  constexpr double kRow = 18, kLabelWidth = 220, kBarWidth = 150, kWidth = 430;
  double top = 0;
  for (size_t i = 0; i < n; ++i) top = std::max(top, importance[i].second);
  std::string body;
  for (size_t i = 0; i < n; ++i) {
    const auto& [name, share] = importance[i];
    const double y = 6 + i * kRow;
    const double width = top > 0 ? kBarWidth * share / top : 0;
    body += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end">{}</text>)"
                        R"(<rect class="bar" x="{}" y="{:.1f}" width="{:.1f}" height="{}"/>)"
                        R"(<text x="{:.1f}" y="{:.1f}">{}</text>)",
                        kLabelWidth - 6, y + 12, EscapeMarkup(name), kLabelWidth, y + 2, width,
                        kRow - 5, kLabelWidth + width + 4, y + 12, Percent(share));
  }
  return Figure("Feature importance (share of total split gain)", "importance", body, kWidth,
                std::max(40.0, 12 + n * kRow));
}

std::string Row(std::string_view name, const std::string& value) {
  return fmt::format("<tr><th>{}</th><td>{}</td></tr>", name, value);
}

std::string SummaryTable(const ModelManifest& m, const Evaluation& e) {
  std::string rows;
  rows += Row("Training period", EscapeMarkup(m.train_from + " to " + m.train_to));
  rows += Row("Validation period",
              m.valid_from.empty() ? "none" : EscapeMarkup(m.valid_from + " to " + m.valid_to));
  rows += Row("Rows", fmt::format("{} training ({} fitted, {} held out for calibration), {} "
                                  "validation",
                                  m.train_rows, m.fit_rows, m.calibration_rows, m.valid_rows));
  rows += Row("Trees", fmt::format("{} rounds kept (best of {})", m.best_iteration + 1, m.rounds));
  rows += Row("Validation ROC-AUC", Num(e.roc_auc));
  rows += Row("Validation PR-AUC", Num(e.pr_auc));
  rows += Row("Log loss", Num(e.log_loss));
  rows += Row("Brier score", Num(e.brier));
  rows += Row("Positive rate / mean prediction",
              Percent(e.positive_rate) + " / " + Percent(e.mean_predicted));
  rows += Row("Calibration", EscapeMarkup(fmt::format("{} a={} b={}", m.calibration.method,
                                                      Num(m.calibration.a), Num(m.calibration.b))));
  rows +=
      Row("Libraries",
          EscapeMarkup(fmt::format("XGBoost {}, Vigil {}", m.xgboost_version, m.vigil_version)));
  rows += Row("Checksum", "<code>" + EscapeMarkup(m.checksum) + "</code>");
  return "<table class=\"summary\">" + rows + "</table>";
}

std::string ThresholdTable(const Evaluation& e) {
  std::string html =
      "<table><tr><th>threshold</th><th>precision</th><th>recall</th><th>flagged</th></tr>";
  for (const ThresholdMetrics& t : e.thresholds) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
                        Num(t.threshold, 2), Percent(t.precision), Percent(t.recall), t.flagged,
                        Percent(t.flagged_share));
  }
  return html + "</table>";
}

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;margin:24px;color:#222}"
    "table{border-collapse:collapse;margin:12px 0}"
    "th,td{border:1px solid #ddd;padding:4px 10px;text-align:left}"
    "figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}"
    "figcaption{font-weight:600;margin-bottom:4px}"
    "svg text{font-size:11px;fill:#333}"
    ".curve{stroke:#1f5fbf;stroke-width:2}.dot{fill:#1f5fbf;opacity:.75}.bar{fill:#1f8f6f}";

}  // namespace

std::string RenderReport(const ModelManifest& manifest, const Evaluation& validation,
                         const std::vector<std::pair<std::string, double>>& importance) {
  const std::string title =
      EscapeMarkup(fmt::format("Vigil {} model {}", manifest.kind, manifest.model_version));
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += fmt::format("<title>{}</title><style>{}</style></head><body>", title, kStyle);
  html += fmt::format("<h1>{}</h1><p>Created {}</p>", title, EscapeMarkup(manifest.created_at));
  html += SummaryTable(manifest, validation);
  html += "<h2>Precision and recall at thresholds (validation)</h2>" + ThresholdTable(validation);
  html += "<h2>Curves (validation)</h2>";
  html += RocSvg(validation) + PrSvg(validation) + CalibrationSvg(validation);
  html += "<h2>Features</h2>" + ImportanceSvg(importance);
  return html + "</body></html>\n";
}

}  // namespace vigil

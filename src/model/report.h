// RenderReport: the self-contained report.html of a model version: title
// with kind and version, training facts, validation metrics, precision and
// recall at thresholds, ROC curve, precision-recall curve, calibration plot
// and feature importance, all as inline SVG drawn here (no scripts, no
// external resources). Every text taken from the model is HTML-escaped.
// Pure functions; thread-safe.
#ifndef VIGIL_MODEL_REPORT_H_
#define VIGIL_MODEL_REPORT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/evaluation.h"
#include "model/model_manifest.h"

namespace vigil {

// `importance` is (feature, share of total gain), highest first; the top 20
// are drawn.
std::string RenderReport(const ModelManifest& manifest, const Evaluation& validation,
                         const std::vector<std::pair<std::string, double>>& importance);

}  // namespace vigil

#endif  // VIGIL_MODEL_REPORT_H_

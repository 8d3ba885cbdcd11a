#include "narrate/narration_config.h"

#include "narrate/url.h"

namespace vigil {
namespace {

Status FieldError(std::string_view field, std::string_view message) {
  return absl::InvalidArgumentError(fmt::format("narration.{}: {}", field, message));
}

Status ValidateNumbers(const NarrationConfig& c) {
  if (c.budget_ms < 1 || c.budget_ms > 60000) return FieldError("budget_ms", "must be 1..60000");
  if (c.async_budget_ms < 1 || c.async_budget_ms > 600000) {
    return FieldError("async_budget_ms", "must be 1..600000");
  }
  if (c.cache_capacity < 0) return FieldError("cache_capacity", "must be >= 0");
  if (c.max_tokens < 1 || c.max_tokens > 8192) return FieldError("max_tokens", "must be 1..8192");
  if (!(c.temperature >= 0.0 && c.temperature <= 2.0)) {
    return FieldError("temperature", "must be 0..2");
  }
  if (c.async_workers < 1 || c.async_workers > 64) {
    return FieldError("async_workers", "must be 1..64");
  }
  if (c.async_queue_capacity < 0) return FieldError("async_queue_capacity", "must be >= 0");
  return absl::OkStatus();
}

Status ValidateEndpoint(const NarrationConfig& c) {
  if (c.endpoint.empty()) {
    if (c.provider == NarrationProvider::kOpenAi) return FieldError("endpoint", "is required");
    return absl::OkStatus();
  }
  const StatusOr<Url> url = ParseUrl(c.endpoint);
  if (!url.ok()) return FieldError("endpoint", std::string(url.status().message()));
  return absl::OkStatus();
}

Status ValidateBedrock(const NarrationConfig& c) {
  if (c.region.empty()) return FieldError("region", "is required for bedrock");
  for (char ch : c.region) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-')) {
      return FieldError("region", fmt::format("'{}' is not a region name", c.region));
    }
  }
  if (c.access_key_id.empty()) return FieldError("access_key_id", "is required for bedrock");
  if (c.secret_access_key.empty()) {
    return FieldError("secret_access_key", "is required for bedrock");
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view NarrationProviderName(NarrationProvider provider) {
  switch (provider) {
    case NarrationProvider::kNone:
      return "none";
    case NarrationProvider::kOpenAi:
      return "openai";
    case NarrationProvider::kBedrock:
      return "bedrock";
  }
  return "none";
}

StatusOr<NarrationProvider> ParseNarrationProvider(std::string_view name) {
  if (name == "none" || name.empty()) return NarrationProvider::kNone;
  if (name == "openai") return NarrationProvider::kOpenAi;
  if (name == "bedrock") return NarrationProvider::kBedrock;
  return FieldError("provider", fmt::format("'{}' is not one of none, openai, bedrock", name));
}

Status ValidateNarrationConfig(const NarrationConfig& config) {
  RETURN_IF_ERROR(ValidateNumbers(config));
  if (config.provider == NarrationProvider::kNone) return absl::OkStatus();
  if (config.model.empty()) return FieldError("model", "is required");
  RETURN_IF_ERROR(ValidateEndpoint(config));
  if (config.provider == NarrationProvider::kBedrock) RETURN_IF_ERROR(ValidateBedrock(config));
  return absl::OkStatus();
}

}  // namespace vigil

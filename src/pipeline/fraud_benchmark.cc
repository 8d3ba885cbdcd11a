#include "pipeline/fraud_benchmark.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/csv_reader.h"
#include "data/transaction_log.h"
#include "fmt/format.h"
#include "model/metrics.h"

namespace vigil {
namespace {

int64_t DayOf(Timestamp at, int32_t offset) {
  const Timestamp local = at + offset;
  return local >= 0 ? local / kSecondsPerDay : (local - kSecondsPerDay + 1) / kSecondsPerDay;
}

// One day's card precision; adds the day's caught cards to `caught`.
double DayCardPrecision(std::span<const ScoredTransaction> day, size_t k,
                        absl::flat_hash_set<uint32_t>* caught) {
  absl::flat_hash_map<uint32_t, std::pair<double, bool>> cards;
  for (const ScoredTransaction& row : day) {
    if (caught->contains(row.card)) continue;
    auto [it, fresh] = cards.try_emplace(row.card, row.score, row.fraud);
    if (!fresh) {
      it->second.first = std::max(it->second.first, row.score);
      it->second.second = it->second.second || row.fraud;
    }
  }
  std::vector<std::pair<uint32_t, std::pair<double, bool>>> ranked(cards.begin(), cards.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.second.first != b.second.first) return a.second.first > b.second.first;
    return a.first < b.first;
  });
  size_t frauds = 0;
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) {
    if (!ranked[i].second.second) continue;
    ++frauds;
    caught->insert(ranked[i].first);
  }
  return static_cast<double>(frauds) / static_cast<double>(k);
}

StatusOr<absl::flat_hash_map<std::string, double>> ReadScores(const std::string& path) {
  ASSIGN_OR_RETURN(auto csv, CsvReader::Open(path));
  const int id = csv->ColumnIndex("id"), score = csv->ColumnIndex("risk_score");
  if (id < 0 || score < 0) {
    return absl::InvalidArgumentError(fmt::format("{}: want columns id and risk_score", path));
  }
  absl::flat_hash_map<std::string, double> scores;
  CsvRecord record;
  while (true) {
    ASSIGN_OR_RETURN(const bool more, csv->Next(&record));
    if (!more) break;
    if (record.fields.size() <= static_cast<size_t>(std::max(id, score))) {
      return absl::InvalidArgumentError(fmt::format("{}:{}: too few fields", path, record.line));
    }
    scores[record.fields[id]] = std::strtod(record.fields[score].c_str(), nullptr);
  }
  return scores;
}

StatusOr<int64_t> FlagDay(const std::string& flag, const std::string& text, int32_t offset) {
  auto parsed = ParseTimestamp(text, offset);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", flag, parsed.status().message()));
  }
  return DayOf(*parsed, offset);
}

}  // namespace

double CardPrecisionAtK(std::span<const ScoredTransaction> rows, size_t k,
                        std::vector<double>* daily) {
  absl::flat_hash_set<uint32_t> caught;
  double sum = 0;
  int days = 0;
  for (size_t begin = 0; begin < rows.size();) {
    size_t end = begin;
    while (end < rows.size() && rows[end].day == rows[begin].day) ++end;
    const double precision = DayCardPrecision(rows.subspan(begin, end - begin), k, &caught);
    if (daily != nullptr) daily->push_back(precision);
    sum += precision;
    ++days;
    begin = end;
  }
  return days == 0 ? 0 : sum / days;
}

StatusOr<FraudBenchmarkResult> RunFraudBenchmark(const FraudBenchmarkRequest& request) {
  const int32_t offset = request.load.transaction_offset_seconds;
  ASSIGN_OR_RETURN(const int64_t known_from, FlagDay("--known-from", request.known_from, offset));
  ASSIGN_OR_RETURN(const int64_t test_from, FlagDay("--test-from", request.test_from, offset));
  const int64_t test_until = test_from + request.test_days;
  Catalog catalog;
  ASSIGN_OR_RETURN(const TransactionLog log,
                   LoadTransactions(request.data_dir, &catalog, request.load));
  absl::flat_hash_map<std::string, double> scores;
  if (!request.scores_path.empty()) {
    ASSIGN_OR_RETURN(scores, ReadScores(request.scores_path));
  }
  // The day of each card's frauds, to tell when it became known compromised.
  absl::flat_hash_map<uint32_t, std::vector<int64_t>> fraud_days;
  for (const Transaction& tx : log.transactions) {
    const int64_t day = DayOf(tx.at, offset);
    if (tx.label == 1 && day >= known_from) fraud_days[tx.card].push_back(day);
  }
  auto known_compromised = [&](uint32_t card, int64_t day) {
    const auto it = fraud_days.find(card);
    return it != fraud_days.end() && it->second.front() <= day - request.delay_days - 1;
  };
  FraudBenchmarkResult result;
  std::vector<ScoredTransaction> rows;
  for (const Transaction& tx : log.transactions) {
    const int64_t day = DayOf(tx.at, offset);
    if (day < test_from || day >= test_until || tx.label == kLabelUnknown) continue;
    if (known_compromised(tx.card, day)) {
      ++result.removed;
      continue;
    }
    double score = 0.5;
    if (!request.scores_path.empty()) {
      const auto it = scores.find(log.ids[tx.row]);
      if (it == scores.end()) {
        return absl::InvalidArgumentError(
            fmt::format("{}: no score for transaction {}", request.scores_path, log.ids[tx.row]));
      }
      score = it->second;
    }
    rows.push_back({day, tx.card, score, tx.label == 1});
  }
  std::vector<float> labels;
  std::vector<double> values;
  for (const ScoredTransaction& row : rows) {
    labels.push_back(row.fraud ? 1.0f : 0.0f);
    values.push_back(row.score);
    result.frauds += row.fraud;
  }
  result.transactions = rows.size();
  result.roc_auc = RocAuc(labels, values);
  result.average_precision = AveragePrecision(labels, values);
  result.card_precision = CardPrecisionAtK(rows, request.top_k, &result.daily_card_precision);
  return result;
}

}  // namespace vigil

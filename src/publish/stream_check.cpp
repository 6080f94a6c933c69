#include "publish/stream_check.h"

#include <fmt/format.h>
#include <nats/nats.h>

#include <chrono>

#include "publish/nats_error.h"
#include "publish/publisher.h"

namespace gw::publish {
namespace {

std::vector<std::string_view> tokens(std::string_view subject) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= subject.size(); ++i) {
    if (i == subject.size() || subject[i] == '.') {
      out.push_back(subject.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// What the stream takes: everything under the prefix.
std::string all_subjects(std::string_view prefix) { return fmt::format("{}.>", prefix); }

std::expected<void, std::string> create(jsCtx* js, const PublisherSettings& settings) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const std::string subjects = all_subjects(settings.subject_prefix);
  const char* subject_list[] = {subjects.c_str()};
  config.Name = settings.stream.c_str();
  config.Subjects = subject_list;
  config.SubjectsLen = 1;
  config.Retention = js_LimitsPolicy;
  config.Storage = js_FileStorage;
  config.Duplicates =
      std::chrono::duration_cast<std::chrono::nanoseconds>(settings.duplicate_window).count();
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddStream(&info, js, &config, nullptr, &code);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (s != NATS_OK) {
    return std::unexpected(fmt::format("cannot create NATS stream {} for {}: {}", settings.stream,
                                       subjects, nats_error(s)));
  }
  return {};
}

}  // namespace

bool subject_matches(std::string_view filter, std::string_view subject) {
  const auto want = tokens(filter);
  const auto have = tokens(subject);
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == ">") return i < have.size() && i + 1 == want.size();
    if (i >= have.size()) return false;
    if (want[i] != "*" && want[i] != have[i]) return false;
  }
  return want.size() == have.size();
}

std::vector<std::string> subjects_not_taken(const std::vector<std::string>& filters,
                                            std::string_view prefix) {
  // One subject of each shape gracewire publishes (subjects.h).
  const std::vector<std::string> examples = {
      fmt::format("{}.events.close", prefix), fmt::format("{}.events.command", prefix),
      fmt::format("{}.changes.db.table", prefix), fmt::format("{}.changes.db", prefix),
      fmt::format("{}.changes", prefix)};
  std::vector<std::string> missing;
  for (const auto& example : examples) {
    bool taken = false;
    for (const auto& filter : filters) taken = taken || subject_matches(filter, example);
    if (!taken) missing.push_back(example);
  }
  return missing;
}

std::expected<void, std::string> check_stream(jsCtx* js, const PublisherSettings& settings) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&info, js, settings.stream.c_str(), nullptr, &code);
  if (s == NATS_NOT_FOUND || code == JSStreamNotFoundErr) {
    if (settings.create_stream) return create(js, settings);
    return std::unexpected(fmt::format(
        "NATS stream {} does not exist: create it for subjects {} (nats stream add), or set "
        "publish.create_stream = true",
        settings.stream, all_subjects(settings.subject_prefix)));
  }
  if (s == NATS_NO_RESPONDERS) {
    return std::unexpected(
        std::string("the NATS server has no JetStream: start nats-server with -js (or "
                    "jetstream {} in its configuration)"));
  }
  if (s != NATS_OK) {
    return std::unexpected(
        fmt::format("cannot read NATS stream {}: {}", settings.stream, nats_error(s)));
  }
  std::vector<std::string> filters;
  for (int i = 0; i < info->Config->SubjectsLen; ++i)
    filters.emplace_back(info->Config->Subjects[i]);
  const std::int64_t window = info->Config->Duplicates;
  jsStreamInfo_Destroy(info);
  if (const auto missing = subjects_not_taken(filters, settings.subject_prefix); !missing.empty()) {
    return std::unexpected(fmt::format(
        "NATS stream {} does not take {} (its subjects: {}): add {} to its subjects, or change "
        "publish.subject_prefix",
        settings.stream, fmt::join(missing, ", "), fmt::join(filters, ", "),
        all_subjects(settings.subject_prefix)));
  }
  if (window <= 0) {
    return std::unexpected(fmt::format(
        "NATS stream {} has no duplicate window: a record sent again would be stored twice",
        settings.stream));
  }
  return {};
}

}  // namespace gw::publish

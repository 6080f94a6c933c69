#include "eventlog/rotated_files.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>

namespace gw::eventlog {
namespace {

struct Member {
  std::string base;
  std::uint64_t number = 0;  // 0 = the base file itself, the newest
  std::string path;
};

// "x.log.3" -> {"x.log", 3}; anything else is its own base.
Member parse(const std::string& path) {
  const auto dot = path.rfind('.');
  if (dot != std::string::npos && dot + 1 < path.size()) {
    std::uint64_t number = 0;
    const char* const end = path.data() + path.size();
    const auto [stop, ec] = std::from_chars(path.data() + dot + 1, end, number);
    if (ec == std::errc{} && stop == end && number > 0) return {path.substr(0, dot), number, path};
  }
  return {path, 0, path};
}

}  // namespace

std::vector<std::string> with_rotated(const std::vector<std::string>& paths) {
  std::vector<std::string> bases;  // in the order first named
  std::vector<Member> members;
  for (const auto& path : paths) {
    Member member = parse(path);
    if (std::find(bases.begin(), bases.end(), member.base) == bases.end()) {
      bases.push_back(member.base);
    }
    if (member.number == 0) {
      std::error_code ec;
      for (std::uint64_t n = 1; std::filesystem::exists(path + "." + std::to_string(n), ec); ++n) {
        members.push_back({path, n, path + "." + std::to_string(n)});
      }
    }
    members.push_back(std::move(member));
  }
  std::vector<std::string> ordered;
  for (const auto& base : bases) {
    std::vector<const Member*> family;
    for (const auto& member : members) {
      if (member.base == base) family.push_back(&member);
    }
    // Oldest first: the highest number first, the base file last.
    std::stable_sort(family.begin(), family.end(),
                     [](const Member* a, const Member* b) { return a->number > b->number; });
    for (const Member* member : family) {
      if (std::find(ordered.begin(), ordered.end(), member->path) == ordered.end()) {
        ordered.push_back(member->path);
      }
    }
  }
  return ordered;
}

}  // namespace gw::eventlog

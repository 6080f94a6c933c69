#include "eventlog/close_kinds.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace gw::eventlog {
namespace {

// The backquoted words of README's sentence that starts with `<field>`: and runs to the next
// field's sentence or the paragraph's end, without the words in parentheses (those are notes).
std::vector<std::string> readme_words(const std::string& field, const std::string& next) {
  std::ifstream in(GW_README_PATH);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::string start = "`" + field + "`:";
  std::size_t pos = text.find(start);
  EXPECT_NE(pos, std::string::npos) << start << " not in " << GW_README_PATH;
  if (pos == std::string::npos) return {};
  pos += start.size();
  std::size_t end = next.empty() ? text.find("\n\n", pos) : text.find("`" + next + "`:", pos);
  std::string sentence = text.substr(pos, end - pos);
  if (next.empty()) sentence = sentence.substr(0, sentence.find(". "));
  std::vector<std::string> words;
  int depth = 0;
  for (std::size_t i = 0; i < sentence.size(); ++i) {
    const char c = sentence[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c != '`' || depth > 0) continue;
    const std::size_t close = sentence.find('`', i + 1);
    if (close == std::string::npos) break;
    words.push_back(sentence.substr(i + 1, close - i - 1));
    i = close;
  }
  return words;
}

template <typename Words>
std::vector<std::string> as_strings(const Words& words) {
  return {words.begin(), words.end()};
}

TEST(CloseKinds, ReadmeDocumentsExactlyTheWordsTheSessionProduces) {
  EXPECT_EQ(readme_words("close_kind", "upstream_close"), as_strings(close_kind::kAll));
  EXPECT_EQ(readme_words("upstream_close", ""), as_strings(upstream_close::kAll));
}

// Every enumerator that has a word is in the list the event log derives from: a new
// CloseReason or UpstreamEnd cannot be left out of the documented vocabulary.
TEST(CloseKinds, EveryEnumeratorWithAWordIsListed) {
  std::size_t reasons = 0;
  std::size_t ends = 0;
  for (unsigned i = 0; i < 256; ++i) {
    const auto word = session::to_string(static_cast<session::CloseReason>(i));
    if (word != "open" && word != "unknown") {
      ++reasons;
      EXPECT_NE(std::ranges::find(close_kind::kAll, word), close_kind::kAll.end()) << word;
    }
    const auto end_word = session::to_string(static_cast<session::UpstreamEnd>(i));
    if (end_word != "open" && end_word != "unknown") {
      ++ends;
      EXPECT_NE(std::ranges::find(upstream_close::kAll, end_word), upstream_close::kAll.end())
          << end_word;
    }
  }
  EXPECT_EQ(reasons, close_kind::kAll.size());
  EXPECT_EQ(ends, upstream_close::kAll.size());
}

TEST(CloseKinds, NoIdleTimeoutAndTheProducedOnesAreThere) {
  EXPECT_EQ(std::ranges::find(close_kind::kAll, "idle_timeout"), close_kind::kAll.end());
  EXPECT_EQ(session::to_string(session::UpstreamEnd::Killed), "kill");
  EXPECT_EQ(session::to_string(session::CloseReason::Unsupported), "unsupported");
}

}  // namespace
}  // namespace gw::eventlog

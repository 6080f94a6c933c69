// The stream check's subject matching: a stream whose subjects would not take some record is
// refused at start, so it must match the way nats-server does.

#include "publish/stream_check.h"

#include <gtest/gtest.h>

namespace gw::publish {
namespace {

TEST(SubjectMatches, WildcardsAsTheServerMatchesThem) {
  EXPECT_TRUE(subject_matches("gracewire.>", "gracewire.changes"));
  EXPECT_TRUE(subject_matches("gracewire.>", "gracewire.changes.shop.orders"));
  EXPECT_FALSE(subject_matches("gracewire.>", "gracewire")) << "'>' needs at least one token";
  EXPECT_TRUE(subject_matches("gracewire.*", "gracewire.changes"));
  EXPECT_FALSE(subject_matches("gracewire.*", "gracewire.changes.shop"));
  EXPECT_TRUE(subject_matches("gracewire.changes.*.*", "gracewire.changes.shop.orders"));
  EXPECT_TRUE(subject_matches("gracewire.events.close", "gracewire.events.close"));
  EXPECT_FALSE(subject_matches("gracewire.events.close", "gracewire.events.closer"));
  EXPECT_FALSE(subject_matches("gracewire.events", "gracewire.events.close"));
  EXPECT_TRUE(subject_matches(">", "anything.at.all"));
  EXPECT_FALSE(subject_matches("other.>", "gracewire.changes"));
}

TEST(SubjectsNotTaken, NamesEachKindAStreamWouldLose) {
  EXPECT_TRUE(subjects_not_taken({"gracewire.>"}, "gracewire").empty());
  EXPECT_TRUE(subjects_not_taken({">"}, "gracewire").empty());
  // Events only: every kind of change is missing, the commit's subject among them.
  EXPECT_EQ(subjects_not_taken({"gracewire.events.>"}, "gracewire"),
            (std::vector<std::string>{"gracewire.changes.db.table", "gracewire.changes.db",
                                      "gracewire.changes"}));
  // The usual mistake: "changes.>" does not take the commits' own subject.
  EXPECT_EQ(subjects_not_taken({"gracewire.events.*", "gracewire.changes.>"}, "gracewire"),
            (std::vector<std::string>{"gracewire.changes"}));
  EXPECT_EQ(subjects_not_taken({}, "a.b").size(), 5u);
}

}  // namespace
}  // namespace gw::publish

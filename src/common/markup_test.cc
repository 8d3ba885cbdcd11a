#include "common/markup.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(EscapeMarkupTest, EscapesMarkupCharactersAndKeepsUtf8) {
  EXPECT_EQ(EscapeMarkup(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(EscapeMarkup("हाँ ₹1"), "हाँ ₹1");
}

}  // namespace
}  // namespace vigil

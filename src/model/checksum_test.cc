#include "model/checksum.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(Sha256HexTest, MatchesFipsTestVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ArtifactChecksumTest, PrefixesTheAlgorithm) {
  EXPECT_EQ(ArtifactChecksum("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace vigil

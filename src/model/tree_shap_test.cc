#include "model/tree_shap.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {}  // namespace
}  // namespace vigil

# The flat forest evaluator and TreeSHAP (owned by the forest helper).
# Included at the end of src/model/CMakeLists.txt. The forest is its own static library, linked into vigil_model: it needs only
# vigil_common and nlohmann_json (XGBoost is the tests' oracle, not a dependency),
# and it builds and tests on its own while the rest of the layer changes.
add_library(vigil_forest STATIC ${CMAKE_CURRENT_LIST_DIR}/flat_forest.cc
                                ${CMAKE_CURRENT_LIST_DIR}/tree_shap.cc
                                ${CMAKE_CURRENT_LIST_DIR}/tree_shap_avx2.cc
                                ${CMAKE_CURRENT_LIST_DIR}/tree_shap_avx512.cc)
# TreeShap's SIMD kernels are built for their instruction sets file by file
# and chosen at run time; the rest of the build stays generic.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/tree_shap_avx2.cc
                              PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
  set_source_files_properties(
    ${CMAKE_CURRENT_LIST_DIR}/tree_shap_avx512.cc
    PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512vl;-mavx512bw;-mavx512dq;-mavx2;-mfma")
endif()
target_link_libraries(vigil_forest PUBLIC vigil_common nlohmann_json::nlohmann_json)
get_target_property(_vigil_model_type vigil_model TYPE)
if(_vigil_model_type STREQUAL "INTERFACE_LIBRARY")
  target_link_libraries(vigil_model INTERFACE vigil_forest)
else()
  target_link_libraries(vigil_model PUBLIC vigil_forest)
endif()

vigil_tests(vigil_forest_tests ${CMAKE_CURRENT_LIST_DIR}/flat_forest_test.cc
                               ${CMAKE_CURRENT_LIST_DIR}/tree_shap_test.cc)
target_include_directories(vigil_forest_tests PRIVATE ${XGBOOST_INCLUDE_DIR})
target_link_libraries(vigil_forest_tests PRIVATE vigil_forest ${XGBOOST_LIBRARY})

# FlatForest and TreeShap side by side with XGBoost's own predictor. The top
# level looks for Google Benchmark only after the layers, so look here too.
if(VIGIL_BENCHMARKS AND NOT VIGIL_SANITIZE)
  find_package(benchmark QUIET)
  if(TARGET benchmark::benchmark)
    add_executable(flat_forest_benchmark ${CMAKE_CURRENT_LIST_DIR}/flat_forest_benchmark.cc)
    target_include_directories(flat_forest_benchmark PRIVATE ${XGBOOST_INCLUDE_DIR})
    target_link_libraries(flat_forest_benchmark PRIVATE vigil_forest ${XGBOOST_LIBRARY}
                                                        benchmark::benchmark)
  endif()
endif()

# The dashboard's charting library (uPlot, pinned by package-lock.json and installed into
# node_modules by `npm ci`, which scripts/install-deps.sh runs) copied into web/assets/vendor,
# which git ignores. The build's vigil_web target then copies web/ beside the binary, so the
# server serves it as /assets/vendor/... like the dashboard's own files (no CDN).
#
#   cmake -DREPO=<checkout> -P scripts/vendor_web.cmake
cmake_minimum_required(VERSION 3.25)
set(src "${REPO}/node_modules/uplot/dist")
set(dst "${REPO}/web/assets/vendor")
if(NOT EXISTS "${src}/uPlot.esm.js")
  message(FATAL_ERROR "The dashboard's charting library is missing (${src}): run `npm ci` in ${REPO} "
                      "(scripts/install-deps.sh does it; `make build` runs that).")
endif()
file(MAKE_DIRECTORY "${dst}")
foreach(f uPlot.esm.js uPlot.min.css)
  file(COPY_FILE "${src}/${f}" "${dst}/${f}" ONLY_IF_DIFFERENT)
endforeach()
file(COPY_FILE "${REPO}/node_modules/uplot/LICENSE" "${dst}/uPlot.LICENSE" ONLY_IF_DIFFERENT)

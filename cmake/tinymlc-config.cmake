# tinymlc-config.cmake - find_package(tinymlc) for an installed tinymlc
# (<prefix>/share/tinymlc/cmake/). Defines tinymlc_add_model() and
# tinymlc_add_firmware() (TinymlcFunctions.cmake) and:
#   TINYMLC_EXECUTABLE    <prefix>/bin/tinymlc (a cache variable; override to use another)
#   TINYMLC_TARGETS_DIR   <prefix>/share/tinymlc/targets (descriptions and board support)
#   TINYMLC_TOOLCHAIN_FILE  the toolchain file for cross builds
# A build tree of tinymlc has its own generated tinymlc-config.cmake, so
# -Dtinymlc_DIR=<tinymlc build dir> works without installing.
get_filename_component(_tinymlc_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(TINYMLC_EXECUTABLE "${_tinymlc_prefix}/bin/tinymlc" CACHE FILEPATH "the tinymlc compiler")
get_filename_component(TINYMLC_TARGETS_DIR "${CMAKE_CURRENT_LIST_DIR}/../targets" ABSOLUTE)
set(TINYMLC_TOOLCHAIN_FILE "${CMAKE_CURRENT_LIST_DIR}/tinymlc-toolchain.cmake")
if(NOT EXISTS "${TINYMLC_EXECUTABLE}")
  set(tinymlc_FOUND FALSE)
  set(tinymlc_NOT_FOUND_MESSAGE "no tinymlc executable at ${TINYMLC_EXECUTABLE}")
  return()
endif()
include("${CMAKE_CURRENT_LIST_DIR}/TinymlcFunctions.cmake")

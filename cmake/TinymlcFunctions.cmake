# TinymlcFunctions.cmake - tinymlc_add_model(), tinymlc_add_firmware() and
# tinymlc_firmware_report().
# Included by tinymlc-config.cmake (find_package(tinymlc)) and by tinymlc's
# own CMakeLists.txt (add_subdirectory). Expects:
#   TINYMLC_EXECUTABLE   the compiler: a path, or the target name `tinymlc`
#   TINYMLC_EXECUTABLE_TARGET  (optional) a target that builds the compiler at
#                        that path (add_subdirectory in a cross build)
#   TINYMLC_TARGETS_DIR  the target descriptions (*.json) and boards/
cmake_minimum_required(VERSION 3.20)

# The C identifier tinymlc derives from a model file name (Driver.cpp:
# defaultModelName): non-identifier characters become '_', a leading digit
# gets a '_' prefix.
function(_tinymlc_identifier out text)
  string(MAKE_C_IDENTIFIER "${text}" id)
  set(${out} "${id}" PARENT_SCOPE)
endfunction()

# tinymlc_add_model(<lib> MODEL <file.onnx> [TARGET <name>|<file.json>]
#                   [QUANTIZE int8 CALIBRATION <dir>] [NAME <prefix>]
#                   [WEIGHTS_SECTION <section>] [OPTIONS <tinymlc compile flags>...])
# Compiles the model into ${CMAKE_CURRENT_BINARY_DIR}/<lib>.tinymlc/ and
# makes <lib> a static library of the generated sources with that directory
# as its public include directory. The compiler runs again only when the
# model, the calibration files, the target file, the flags or the compiler
# itself change. <lib> gets the properties TINYMLC_NAME (the symbol prefix),
# TINYMLC_DIR (the generated directory) and TINYMLC_REPORT (report.json).
function(tinymlc_add_model lib)
  cmake_parse_arguments(PARSE_ARGV 1 A "" "MODEL;TARGET;QUANTIZE;CALIBRATION;NAME;WEIGHTS_SECTION"
                        "OPTIONS")
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tinymlc_add_model(${lib}): unexpected arguments: ${A_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT A_MODEL)
    message(FATAL_ERROR "tinymlc_add_model(${lib}): MODEL <file.onnx> is required")
  endif()
  if(NOT TINYMLC_EXECUTABLE)
    message(FATAL_ERROR "tinymlc_add_model(${lib}): TINYMLC_EXECUTABLE is not set; use "
                        "find_package(tinymlc) or add_subdirectory(<tinymlc source>)")
  endif()
  get_filename_component(model "${A_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "tinymlc_add_model(${lib}): MODEL '${A_MODEL}' does not exist")
  endif()
  if(NOT A_TARGET)
    set(A_TARGET host)
  endif()
  set(depends "${model}")
  set(target "${A_TARGET}")
  if(target MATCHES "\\.json$")
    get_filename_component(target "${target}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND depends "${target}")
  endif()
  if(A_NAME)
    set(name "${A_NAME}")
  else()
    get_filename_component(stem "${model}" NAME_WE)
    _tinymlc_identifier(name "${stem}")
  endif()
  set(args compile "${model}" --target "${target}" --name "${name}")
  if(A_QUANTIZE OR A_CALIBRATION)
    if(NOT A_QUANTIZE STREQUAL "int8" OR NOT A_CALIBRATION)
      message(FATAL_ERROR "tinymlc_add_model(${lib}): QUANTIZE int8 needs CALIBRATION <dir>, "
                          "and CALIBRATION needs QUANTIZE int8")
    endif()
    get_filename_component(calib "${A_CALIBRATION}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    file(GLOB_RECURSE calib_files CONFIGURE_DEPENDS "${calib}/*")
    list(APPEND depends ${calib_files})
    list(APPEND args --quantize int8 --calibration "${calib}")
  endif()
  list(APPEND args ${A_OPTIONS})

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${lib}.tinymlc")
  # The flags, in a file rewritten only when they change: a new flag reruns
  # the compiler with every generator, not only those that track commands.
  string(REPLACE ";" "\n" flags_text "${args}")
  file(CONFIGURE OUTPUT "${dir}.flags" CONTENT "${flags_text}\n" @ONLY)
  list(APPEND depends "${dir}.flags")
  if(TARGET ${TINYMLC_EXECUTABLE})
    list(APPEND depends ${TINYMLC_EXECUTABLE}) # add_subdirectory: the target, rebuilt first
  else()
    list(APPEND depends "${TINYMLC_EXECUTABLE}")
  endif()
  set(outputs "${dir}/${name}.h" "${dir}/${name}.cpp" "${dir}/${name}_weights.cpp"
              "${dir}/${name}.report.json")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${TINYMLC_EXECUTABLE} ${args} -o "${dir}" --quiet
    DEPENDS ${depends}
    COMMENT "tinymlc: compiling ${A_MODEL} for ${A_TARGET} (${lib})"
    VERBATIM)
  add_library(${lib} STATIC "${dir}/${name}.cpp" "${dir}/${name}_weights.cpp")
  if(TINYMLC_EXECUTABLE_TARGET)
    add_dependencies(${lib} ${TINYMLC_EXECUTABLE_TARGET})
  endif()
  target_include_directories(${lib} PUBLIC "${dir}")
  target_compile_features(${lib} PRIVATE cxx_std_11)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # -ffp-contract=off: a*b+c rounds twice on every target, as on the host
    # and in the compiler's evaluator, whether or not the core has an FMA.
    target_compile_options(${lib} PRIVATE -fno-exceptions -fno-rtti -ffp-contract=off)
    target_link_libraries(${lib} PUBLIC m)
  endif()
  if(A_WEIGHTS_SECTION)
    string(TOUPPER "${name}" upper)
    target_compile_definitions(${lib} PRIVATE
      "${upper}_WEIGHTS_ATTRIBUTE=__attribute__((section(\"${A_WEIGHTS_SECTION}\")))")
  endif()
  set_target_properties(${lib} PROPERTIES TINYMLC_NAME "${name}" TINYMLC_DIR "${dir}"
                                          TINYMLC_REPORT "${dir}/${name}.report.json")
  set_property(GLOBAL APPEND PROPERTY TINYMLC_MODEL_LIBRARIES ${lib})
endfunction()

# Reads targets/<name>.json (or a .json path) into the caller's variables
# <prefix>_ARCH, <prefix>_CFLAGS (a list), <prefix>_QEMU_MACHINE.
function(tinymlc_read_target prefix target)
  if(target MATCHES "\\.json$")
    set(file "${target}")
  else()
    set(file "${TINYMLC_TARGETS_DIR}/${target}.json")
  endif()
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "tinymlc: no target description '${file}' ('tinymlc targets' lists them)")
  endif()
  file(READ "${file}" json)
  string(JSON arch GET "${json}" arch)
  string(JSON n ERROR_VARIABLE err LENGTH "${json}" cflags)
  set(flags)
  if(NOT err AND n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON f GET "${json}" cflags ${i})
      list(APPEND flags "${f}")
    endforeach()
  endif()
  string(JSON machine ERROR_VARIABLE err GET "${json}" board qemu_machine)
  if(err)
    set(machine "")
  endif()
  set(${prefix}_ARCH "${arch}" PARENT_SCOPE)
  set(${prefix}_CFLAGS "${flags}" PARENT_SCOPE)
  set(${prefix}_QEMU_MACHINE "${machine}" PARENT_SCOPE)
endfunction()

# tinymlc_add_firmware(<exe> BOARD <target> SOURCES <files>...)
# An executable for one of the QEMU boards (a target with board support in
# targets/boards/: mps2-an386, mps3-an547, riscv32-virt), or for the host
# (BOARD host): start-up code, linker script, console (tmc_board.h), a linker
# map <exe>.map, and a target run_<exe> that runs it (under QEMU, whose exit
# status is the firmware's).
function(tinymlc_add_firmware exe)
  cmake_parse_arguments(PARSE_ARGV 1 A "" "BOARD" "SOURCES")
  set(boards "${TINYMLC_TARGETS_DIR}/boards")
  tinymlc_read_target(T "${A_BOARD}")
  add_executable(${exe} ${A_SOURCES})
  target_include_directories(${exe} PRIVATE "${boards}")
  if(T_ARCH STREQUAL "host")
    target_sources(${exe} PRIVATE "${boards}/board_host.c")
    add_custom_target(run_${exe} COMMAND $<TARGET_FILE:${exe}> DEPENDS ${exe} USES_TERMINAL VERBATIM)
    return()
  endif()
  if(NOT EXISTS "${boards}/${A_BOARD}.ld")
    message(FATAL_ERROR "tinymlc_add_firmware(${exe}): no board support for '${A_BOARD}' "
                        "(boards: mps2-an386, mps3-an547, riscv32-virt, host)")
  endif()
  if(T_ARCH STREQUAL "arm")
    target_sources(${exe} PRIVATE "${boards}/board.c" "${boards}/startup_cortexm.c")
    target_link_options(${exe} PRIVATE --specs=nano.specs)
    set(qemu qemu-system-arm -M ${T_QEMU_MACHINE})
  else()
    target_sources(${exe} PRIVATE "${boards}/board.c" "${boards}/startup_riscv.S")
    set(qemu qemu-system-riscv32 -M ${T_QEMU_MACHINE} -bios none)
  endif()
  target_link_options(${exe} PRIVATE -nostartfiles -Wl,--gc-sections -Wl,--no-warn-rwx-segments
                      "-L${boards}" "-T${boards}/${A_BOARD}.ld"
                      "-Wl,-Map=$<TARGET_FILE:${exe}>.map")
  set_target_properties(${exe} PROPERTIES TINYMLC_MAP "$<TARGET_FILE:${exe}>.map")
  # Link with the C driver: the generated code needs no C++ library, and
  # Debian's RISC-V toolchain has none.
  set_target_properties(${exe} PROPERTIES LINKER_LANGUAGE C
                        LINK_DEPENDS "${boards}/${A_BOARD}.ld;${boards}/sections.ld")
  list(APPEND qemu -nographic -monitor none -semihosting-config enable=on,target=native,chardev=con0
       -chardev stdio,mux=on,id=con0 -serial chardev:con0 -kernel)
  add_custom_target(run_${exe} COMMAND ${qemu} $<TARGET_FILE:${exe}> DEPENDS ${exe} USES_TERMINAL
                    VERBATIM)
endfunction()

# tinymlc_firmware_report(<exe> [OUTPUT <file.json>] [MAP <file.map>] [MODELS <lib>...])
# After every link of <exe>, runs `tinymlc size` on it: the build prints what
# the firmware costs (flash: each model's code and weights, the rest; RAM:
# each model's arena, the stack, the rest) beside the compiler's prediction,
# and writes the figures to OUTPUT (default: <exe file>.cost.json). The
# models are the tinymlc_add_model() libraries <exe> links directly (looked
# up at the end of the directory, so call this before or after
# target_link_libraries), or those given with MODELS. The map is <exe>'s
# from tinymlc_add_firmware(), or MAP; without one, bytes are attributed by
# symbol. With GCC (10 or later) the models are compiled with -fstack-usage
# and -fcallgraph-info=su, so the report also gives the static worst-case
# stack of each <name>_run().
function(tinymlc_firmware_report exe)
  cmake_parse_arguments(PARSE_ARGV 1 A "" "OUTPUT;MAP" "MODELS")
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tinymlc_firmware_report(${exe}): unexpected arguments: "
                        "${A_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${exe})
    message(FATAL_ERROR "tinymlc_firmware_report(${exe}): no target '${exe}'; call it after "
                        "add_executable() or tinymlc_add_firmware()")
  endif()
  if(A_OUTPUT)
    get_filename_component(A_OUTPUT "${A_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(A_OUTPUT "$<TARGET_FILE:${exe}>.cost.json")
  endif()
  if(A_MAP)
    get_filename_component(A_MAP "${A_MAP}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  cmake_language(EVAL CODE "
    cmake_language(DEFER DIRECTORY [[${CMAKE_CURRENT_SOURCE_DIR}]]
                   CALL _tinymlc_firmware_report [[${exe}]] [[${A_OUTPUT}]] [[${A_MAP}]]
                        [[${A_MODELS}]])")
endfunction()

function(_tinymlc_firmware_report exe output map models)
  if(NOT models)
    get_property(all GLOBAL PROPERTY TINYMLC_MODEL_LIBRARIES)
    get_target_property(linked ${exe} LINK_LIBRARIES)
    foreach(lib IN LISTS linked)
      if(lib IN_LIST all)
        list(APPEND models ${lib})
      endif()
    endforeach()
  endif()
  if(NOT models)
    message(FATAL_ERROR "tinymlc_firmware_report(${exe}): ${exe} links no library made by "
                        "tinymlc_add_model(); link them with target_link_libraries(), or name "
                        "them with MODELS")
  endif()
  set(args size "$<TARGET_FILE:${exe}>" -o "${output}")
  foreach(lib IN LISTS models)
    get_target_property(report ${lib} TINYMLC_REPORT)
    if(NOT report)
      message(FATAL_ERROR "tinymlc_firmware_report(${exe}): '${lib}' is not a library made by "
                          "tinymlc_add_model()")
    endif()
    list(APPEND args --model "${report}")
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 10)
      # The call graph with frame sizes (.ci) and the frames (.su) land beside
      # the objects, under CMakeFiles/<lib>.dir.
      set_property(TARGET ${lib} APPEND PROPERTY COMPILE_OPTIONS -fstack-usage
                                                                 -fcallgraph-info=su)
      get_target_property(bin ${lib} BINARY_DIR)
      list(APPEND args --stack-usage "${bin}/CMakeFiles/${lib}.dir")
    endif()
  endforeach()
  if(NOT map)
    get_target_property(map ${exe} TINYMLC_MAP)
  endif()
  if(map)
    list(APPEND args --map "${map}")
  endif()
  add_custom_command(TARGET ${exe} POST_BUILD
    COMMAND ${TINYMLC_EXECUTABLE} ${args}
    COMMENT "tinymlc: what ${exe} costs"
    VERBATIM)
endfunction()

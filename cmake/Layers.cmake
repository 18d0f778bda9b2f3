# The library's layers: one CMake target each, exported as a component of the package.
#
#   report      pyheap::report      MemoryRecorder's HTML page (the chart code is private to it)
#      │
#   introspect  pyheap::introspect  heap graph, why-alive, dominators, snapshots, growth
#      │
#   containers  pyheap::containers  Str, Int, Float, Tuple, List, Dict, Record, Instance, Array, Table
#      │
#   core        pyheap::core        allocator, objects and Refs, weak references, collector, tracing
#
# A layer may include the headers of the layers below it, never those above (the `layer_check`
# test reads the manifest written here and checks every #include of include/ and src/).
# pyheap::pyheap links them all; the command-line program (tools/) sits above everything.
set(PYHEAP_LAYERS "")

# pyheap_add_layer(NAME RANK n DEPENDS lower... HEADERS public headers... SOURCE_DIRS dirs...)
# HEADERS are names under include/pyheap/; SOURCE_DIRS are directories under src/ whose .cpp files
# make the library and whose private headers belong to the layer.
function(pyheap_add_layer name)
  cmake_parse_arguments(L "" "RANK" "DEPENDS;HEADERS;SOURCE_DIRS" ${ARGN})
  set(sources "")
  foreach(dir ${L_SOURCE_DIRS})
    file(GLOB dir_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${dir}/*.cpp)
    list(APPEND sources ${dir_sources})
    file(APPEND ${PYHEAP_LAYER_MANIFEST} "${name} ${L_RANK} src/${dir}/\n")
  endforeach()
  foreach(header ${L_HEADERS})
    file(APPEND ${PYHEAP_LAYER_MANIFEST} "${name} ${L_RANK} include/pyheap/${header}\n")
  endforeach()

  set(target pyheap_${name})
  add_library(${target} ${sources})
  add_library(pyheap::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${name}
    POSITION_INDEPENDENT_CODE ON
    # Only what is marked PYHEAP_API (pyheap/internal/export.hpp) leaves a shared library.
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE ${PYHEAP_WARNINGS})
  foreach(dep ${L_DEPENDS})
    target_link_libraries(${target} PUBLIC pyheap_${dep})
  endforeach()

  list(TRANSFORM L_HEADERS PREPEND ${PROJECT_SOURCE_DIR}/include/pyheap/)
  set_property(TARGET ${target} PROPERTY PYHEAP_PUBLIC_HEADERS ${L_HEADERS})
  set(PYHEAP_LAYERS ${PYHEAP_LAYERS} ${name} PARENT_SCOPE)
endfunction()

set(PYHEAP_LAYER_MANIFEST ${PROJECT_BINARY_DIR}/pyheap_layers.txt)
file(WRITE ${PYHEAP_LAYER_MANIFEST}
  "# layer rank path (written by cmake/Layers.cmake; read by cmake/check_layers.py)\n")

# Installing the library as a package with one component per layer (cmake/Layers.cmake):
#   find_package(pyheap CONFIG REQUIRED)                      -> every installed layer, pyheap::pyheap
#   find_package(pyheap CONFIG REQUIRED COMPONENTS core)     -> pyheap::core alone
# `cmake --install build --component core` installs the core alone (headers, library, package
# files); each higher component adds its layer. pkg-config: pyheap-core.pc ... pyheap.pc (all).
include(CMakePackageConfigHelpers)

set(PYHEAP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/pyheap)
# The .pc files find their prefix relative to themselves, so that an install moved with --prefix
# (or DESTDIR) still works.
file(RELATIVE_PATH PYHEAP_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" PYHEAP_PC_TO_PREFIX "${PYHEAP_PC_TO_PREFIX}")

set(lower "")
foreach(layer ${PYHEAP_LAYERS})
  install(TARGETS pyheap_${layer} EXPORT pyheap-${layer}-targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ${layer}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ${layer}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  get_target_property(headers pyheap_${layer} PYHEAP_PUBLIC_HEADERS)
  foreach(h ${headers})
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/include ${h})
    get_filename_component(dir ${rel} DIRECTORY)
    install(FILES ${h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir} COMPONENT ${layer})
  endforeach()
  install(EXPORT pyheap-${layer}-targets NAMESPACE pyheap:: DESTINATION ${PYHEAP_CMAKE_DIR}
          COMPONENT ${layer})

  set(PYHEAP_PC_NAME pyheap-${layer})
  set(PYHEAP_PC_LIB pyheap_${layer})
  set(PYHEAP_PC_REQUIRES "")
  if(lower)
    set(PYHEAP_PC_REQUIRES "Requires: pyheap-${lower}")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/pyheap-layer.pc.in ${PROJECT_BINARY_DIR}/pyheap-${layer}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pyheap-${layer}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
          COMPONENT ${layer})
  set(lower ${layer})
endforeach()

# pyheap::pyheap: every layer, shipped with the top one.
install(TARGETS pyheap EXPORT pyheap-all-targets COMPONENT ${lower})
install(EXPORT pyheap-all-targets NAMESPACE pyheap:: DESTINATION ${PYHEAP_CMAKE_DIR} COMPONENT ${lower})
configure_file(${PROJECT_SOURCE_DIR}/cmake/pyheap.pc.in ${PROJECT_BINARY_DIR}/pyheap.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pyheap.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT ${lower})

# The package files go with the core: every install has them.
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/pyheapConfig.cmake.in
  ${PROJECT_BINARY_DIR}/pyheapConfig.cmake
  INSTALL_DESTINATION ${PYHEAP_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pyheapConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pyheapConfig.cmake ${PROJECT_BINARY_DIR}/pyheapConfigVersion.cmake
  DESTINATION ${PYHEAP_CMAKE_DIR} COMPONENT core)

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS pyheap EXPORT pyheapTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS pyheap-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/pyheap DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT pyheapTargets NAMESPACE pyheap:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pyheap)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/pyheapConfig.cmake.in
  ${PROJECT_BINARY_DIR}/pyheapConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pyheap)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pyheapConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pyheapConfig.cmake ${PROJECT_BINARY_DIR}/pyheapConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pyheap)

# The .pc file finds its prefix relative to itself, so that an install moved with --prefix (or
# DESTDIR) still works.
file(RELATIVE_PATH PYHEAP_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" PYHEAP_PC_TO_PREFIX "${PYHEAP_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/pyheap.pc.in ${PROJECT_BINARY_DIR}/pyheap.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pyheap.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# What `cmake --install` puts where, the CMake package a consumer finds with
# find_package(omnicut), and the Debian package `cpack -G DEB` makes of the same tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(OMNICUT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/omnicut)

install(TARGETS omnicut RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS omnicut_library EXPORT omnicutTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# `cmake --install --strip` and cpack strip the tool; the archive keeps its symbols and loses only
# its debug info (RelWithDebInfo: over 200 MB of it), which stays in the build tree.
install(CODE "if(CMAKE_INSTALL_DO_STRIP)
  execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
    \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/libomnicut.a\" COMMAND_ERROR_IS_FATAL ANY)
endif()")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/api/include/omnicut DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/api/include/omnicut/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/omnicut)
install(EXPORT omnicutTargets NAMESPACE omnicut:: DESTINATION ${OMNICUT_CMAKE_DIR})

# The pkg-config module lists, as the config file's `pkg_check_modules` arguments.
list(JOIN OMNICUT_FFMPEG_MODULES " " OMNICUT_CONFIG_FFMPEG_MODULES)
list(JOIN OMNICUT_HTTPLIB_MODULES " " OMNICUT_CONFIG_HTTPLIB_MODULES)
configure_package_config_file(${PROJECT_SOURCE_DIR}/api/omnicutConfig.cmake.in
  ${PROJECT_BINARY_DIR}/omnicutConfig.cmake INSTALL_DESTINATION ${OMNICUT_CMAKE_DIR})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/omnicutConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/omnicutConfig.cmake ${PROJECT_BINARY_DIR}/omnicutConfigVersion.cmake
  DESTINATION ${OMNICUT_CMAKE_DIR})

# One package: the tool, and the library with its headers and CMake package. It runs on Debian 12's
# FFmpeg 5.1 and libcurl; building against the library also takes their -dev packages (Recommends).
set(CPACK_PACKAGE_NAME omnicut)
set(CPACK_PACKAGE_VENDOR omnicut)
set(CPACK_PACKAGE_CONTACT "omnicut maintainers <omnicut@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "prepare, estimate and edit footage with fal's gemini-omni-flash/edit (tool and C++ library)")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libavformat59 (>= 7:5.1), libavcodec59 (>= 7:5.1), libavfilter8 (>= 7:5.1), libswscale6 (>= 7:5.1), \
libswresample4 (>= 7:5.1), libavutil57 (>= 7:5.1), libcurl4 (>= 7.88), libcpp-httplib0.11, libstdc++6 (>= 12), libc6 (>= 2.36)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
  "libavformat-dev, libavcodec-dev, libavfilter-dev, libswscale-dev, libswresample-dev, libavutil-dev, \
libcurl4-openssl-dev, libcpp-httplib-dev, pkg-config")
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo: the debug info stays in the build tree
set(CPACK_GENERATOR DEB)
include(CPack)

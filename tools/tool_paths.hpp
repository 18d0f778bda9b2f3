// Where the pyheap program finds its data files (the tour's CPython half, ...): beside its own
// executable, never in the source tree it was built from, so an installed program keeps working
// once the sources are gone.
#pragma once

#include <filesystem>
#include <string_view>

namespace pyheap::tools {

// The first that exists of: $PYHEAP_DATA_DIR/NAME, <dir of the executable>/share/pyheap/NAME (the
// build tree) and <dir of the executable>/../share/pyheap/NAME (an install prefix). When none
// does, the install location, so that the error names where the file was expected.
std::filesystem::path data_file(std::string_view name);

}  // namespace pyheap::tools

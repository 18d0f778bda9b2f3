// view/page_assets.hpp — the page's template, style sheet and script (tools/view/page/), compiled
// in at build time by embed_page.cmake, so the program writes pages without finding files.
#pragma once

#include <string_view>

namespace pyheap::view::assets {
extern const std::string_view kPageHtml;
extern const std::string_view kPageCss;
extern const std::string_view kPageJs;
}  // namespace pyheap::view::assets

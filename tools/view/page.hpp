// view/page.hpp — the viewer's HTML page: one self-contained file (inline CSS, SVG drawn by an
// inline script of the project's own, the recording as JSON inside it), which opens from disk
// and fetches nothing.
//
// The data block (<script type="application/json" id="pyheap-view-data">) holds:
//   objects, kinds, variables   labels / kinds (picture.hpp's Kind) / variable names, by id
//   source                      the script's lines
//   scenes                      per scene: w, h, o [[id,x,y,w,h]], v [[id,x,y,w,h]],
//                               r [[from,slot,to,path,label_x,label_y]] (slot -1 weak, -2 binding)
//   steps                       per statement: line, scene, out (printed lines), error,
//                               d (the picture, as changes from the previous step's),
//                               c (its collections), chain (how reference counting freed objects),
//                               many (live objects when too many to draw)
//   frames                      [step, phase, collection, text], in slider order
// A picture change set: o [[id,refcount,generation,finalized]] new or changed, x [ids] gone,
// e / ex [[from,slot,to]] references added / removed, b [[variable,id]] bound, bx [variables]
// unbound. A collection: g, pic (the picture it started from, as changes from the previous
// step's), ex, refs [[id,gc_refs]], r, u, wg, wo, wc (weak references: garbage / outside /
// called), fin, res, free, wf (weak reference objects freed by their callbacks), n.
#pragma once

#include <string>
#include <vector>

#include "view/layout.hpp"
#include "view/recorder.hpp"
#include "view/story.hpp"

namespace pyheap::view {

struct PageInput {
  std::string title;
  std::string source;  // the script's text
  const Recorder* recording = nullptr;
  const Layout* layout = nullptr;
  const std::vector<Frame>* frames = nullptr;
};

std::string page_html(const PageInput& in);

// The data block alone (what page_html embeds).
std::string page_data_json(const PageInput& in);

}  // namespace pyheap::view

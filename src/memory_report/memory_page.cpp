// MemoryRecorder::html: the recording drawn with the report module.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "memory_report/recording.hpp"
#include "pyheap/advise.hpp"
#include "pyheap/memory_report.hpp"
#include "report/bar_chart.hpp"
#include "report/grid_map.hpp"
#include "report/html.hpp"
#include "report/line_chart.hpp"

namespace pyheap {

namespace {

using report::format_bytes;
using report::format_number;
using report::format_seconds;

// Series shown individually in the stacked chart; the other size classes are summed, because
// more distinct colours than this cannot be told apart.
constexpr std::size_t kShownClasses = 7;
constexpr std::size_t kChartedCollections = 40;
constexpr std::size_t kTabledCollections = 200;
constexpr std::size_t kShownTypes = 12;

std::string collection_label(const CollectionRecord& c) {
  return "gen " + std::to_string(c.generation) + ": " + format_number(static_cast<double>(c.collected)) +
         " collected, " + format_bytes(static_cast<double>(c.bytes_before) - static_cast<double>(c.bytes_after)) +
         " freed, " + format_seconds(c.seconds);
}

void memory_over_time(const MemoryRecording& rec, report::Document& doc) {
  const auto& samples = rec.samples;
  const std::size_t classes = samples.front().class_bytes.size();
  // Size classes ranked by their largest bytes held over the run.
  std::vector<std::uint64_t> peak(classes, 0);
  for (const auto& s : samples)
    for (std::size_t c = 0; c < classes; ++c) peak[c] = std::max(peak[c], s.class_bytes[c]);
  std::vector<std::size_t> order(classes);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return peak[a] > peak[b]; });
  std::vector<std::size_t> shown;
  for (std::size_t c : order)
    if (peak[c] > 0 && shown.size() < kShownClasses) shown.push_back(c);
  std::sort(shown.begin(), shown.end());  // smallest blocks at the bottom of the stack

  report::LineChart chart;
  chart.id = "memory-over-time";
  chart.title = "Bytes held after each statement, by size class";
  chart.description = "Stacked areas: the allocator's bytes held in each size class and in large blocks; dashed "
                      "lines: collections.";
  chart.x_label = "sample (statement)";
  chart.y_label = "bytes held";
  chart.stacked = true;
  chart.format_y = format_bytes;
  chart.ticks_y = report::nice_byte_ticks;
  for (std::size_t i = 0; i < samples.size(); ++i) chart.x.push_back(static_cast<double>(i + 1));
  for (std::size_t c : shown) {
    report::LineSeries s{format_number(static_cast<double>(samples.front().class_block_size[c])) + " B blocks", {}};
    for (const auto& m : samples) s.values.push_back(static_cast<double>(m.class_bytes[c]));
    chart.series.push_back(std::move(s));
  }
  report::LineSeries other{"other size classes", {}}, large{"large blocks (> 512 B)", {}};
  bool any_other = false, any_large = false;
  for (const auto& m : samples) {
    std::uint64_t rest = 0;
    for (std::size_t c = 0; c < classes; ++c)
      if (std::find(shown.begin(), shown.end(), c) == shown.end()) rest += m.class_bytes[c];
    any_other |= rest > 0;
    any_large |= m.large_bytes > 0;
    other.values.push_back(static_cast<double>(rest));
    large.values.push_back(static_cast<double>(m.large_bytes));
  }
  if (any_other) chart.series.push_back(std::move(other));
  if (any_large || chart.series.empty()) chart.series.push_back(std::move(large));
  // A collection during statement k shows between samples k-1 and k.
  for (const auto& c : rec.collections)
    chart.markers.push_back({static_cast<double>(c.during_sample) + 0.5,
                             "gen " + std::to_string(c.generation) + ": " + std::to_string(c.collected),
                             collection_label(c)});
  doc.heading("Memory over the run");
  doc.figure(report::render_line_chart(chart),
             "Each sample is taken after a statement. Hover a dashed line for the collection it marks.");
}

void collections(const MemoryRecording& rec, report::Document& doc) {
  doc.heading("Collections");
  if (rec.collections.empty()) {
    doc.paragraph("No collection ran.");
    return;
  }
  double pause = 0;
  std::size_t collected = 0;
  for (const auto& c : rec.collections) {
    pause += c.seconds;
    collected += c.collected;
  }
  doc.paragraph(format_number(static_cast<double>(rec.collections.size())) + " collections found " +
                format_number(static_cast<double>(collected)) + " unreachable objects in " + format_seconds(pause) +
                " of pauses in total.");
  report::BarChart pauses;
  pauses.id = "collection-pauses";
  pauses.title = "Pause of each collection";
  pauses.value_label = "pause";
  pauses.format = format_seconds;
  report::BarChart yields;
  yields.id = "collection-yields";
  yields.title = "Objects collected by each collection";
  yields.value_label = "objects";
  report::BarSeries p{"pause", {}}, y{"objects collected", {}};
  const std::size_t n = std::min(rec.collections.size(), kChartedCollections);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& c = rec.collections[i];
    std::string cat = "#";  // built by appending: GCC 12's -Wrestrict misfires on "#" + string
    cat += std::to_string(i + 1);
    cat += " gen ";
    cat += std::to_string(c.generation);
    pauses.categories.push_back(cat);
    yields.categories.push_back(cat);
    p.values.push_back(c.seconds);
    y.values.push_back(static_cast<double>(c.collected));
  }
  pauses.series.push_back(std::move(p));
  yields.series.push_back(std::move(y));
  pauses.show_values = yields.show_values = n <= 12;
  const std::string shown_note = rec.collections.size() > n ? " (the first " + std::to_string(n) + ")" : "";
  doc.figure(report::render_bar_chart(pauses), "Time from the collector's start callback to its stop" + shown_note + ".");
  doc.figure(report::render_bar_chart(yields), "What collect() returned: unreachable objects found" + shown_note + ".");

  report::TableData t;
  t.header = {"#", "after sample", "at (since start)", "generation", "collected", "bytes freed", "pause"};
  t.numeric_columns = {0, 1, 2, 3, 4, 5, 6};
  for (std::size_t i = 0; i < rec.collections.size() && i < kTabledCollections; ++i) {
    const auto& c = rec.collections[i];
    t.rows.push_back({std::to_string(i + 1), std::to_string(c.during_sample), format_seconds(c.at_seconds),
                      std::to_string(c.generation),
                      format_number(static_cast<double>(c.collected)),
                      format_bytes(static_cast<double>(c.bytes_before) - static_cast<double>(c.bytes_after)),
                      format_seconds(c.seconds)});
  }
  doc.table(t);
}

// The by-type and pool views are of detail_sample, which is the peak unless the heap was large
// (memory_recorder.cpp); say so when they differ rather than call them the peak.
std::string detail_heading(const MemoryRecording& rec, const std::string& what) {
  return what + (rec.detail_sample == rec.peak_sample ? " at the peak" : " near the peak");
}

void note_detail_sample(const MemoryRecording& rec, report::Document& doc) {
  if (rec.detail_sample == rec.peak_sample) return;
  doc.paragraph("Taken at sample " + std::to_string(rec.detail_sample + 1) + " (" +
                format_bytes(static_cast<double>(rec.samples[rec.detail_sample].total())) +
                " held); the peak, " + format_bytes(static_cast<double>(rec.samples[rec.peak_sample].total())) +
                ", came at sample " + std::to_string(rec.peak_sample + 1) +
                ". A heap this large is walked again only when its peak grows by a sixteenth.");
}

void largest_types(const MemoryRecording& rec, report::Document& doc) {
  doc.heading(detail_heading(rec, "Largest types"));
  note_detail_sample(rec, doc);
  if (rec.peak_types.empty()) {
    doc.paragraph("No live objects at that sample.");
    return;
  }
  report::BarChart chart;
  chart.id = "largest-types";
  chart.title = "Live bytes by type at sample " + std::to_string(rec.detail_sample + 1);
  chart.value_label = "bytes";
  chart.format = format_bytes;
  chart.ticks = report::nice_byte_ticks;
  report::BarSeries s{"live bytes (getsizeof)", {}};
  report::TableData t;
  t.header = {"type", "objects", "bytes", "bytes per object"};
  t.numeric_columns = {1, 2, 3};
  for (std::size_t i = 0; i < rec.peak_types.size() && i < kShownTypes; ++i) {
    const auto& ty = rec.peak_types[i];
    chart.categories.push_back(ty.name);
    s.values.push_back(static_cast<double>(ty.bytes));
    t.rows.push_back({ty.name, format_number(static_cast<double>(ty.count)), format_number(static_cast<double>(ty.bytes)),
                      format_number(std::round(static_cast<double>(ty.bytes) / static_cast<double>(ty.count) * 10) / 10)});
  }
  chart.series.push_back(std::move(s));
  chart.width = std::max(760.0, 110.0 * static_cast<double>(chart.categories.size()));
  doc.figure(report::render_bar_chart(chart), "getsizeof of every live object, summed by type (objects only: buffers "
                                              "they own are included, shared objects counted once).");
  doc.table(t);
}

// pyheap advise on the heap as it is when the page is written (the end of a `pyheap run`).
void advice(const Advice& a, report::Document& doc) {
  doc.heading("What to change");
  doc.paragraph("pyheap advise, on the heap as it is now (" + format_number(static_cast<double>(a.objects)) +
                " objects, " + format_bytes(static_cast<double>(a.heap_bytes)) +
                "): each estimate is computed from these objects and the containers' size rules. "
                "The last finding, the objects that retain the most, is always shown.");
  report::BarChart chart;
  chart.id = "advice-savings";
  chart.title = "Bytes each change would save";
  chart.value_label = "bytes saved";
  chart.format = format_bytes;
  chart.ticks = report::nice_byte_ticks;
  report::BarSeries s{"estimated saving", {}};
  report::TableData t;
  t.header = {"#", "finding", "change (pyheap / C++)", "change (Python)", "saves", "share of the heap", "where"};
  t.numeric_columns = {0, 4, 5};
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    const Finding& f = a.findings[i];
    std::string where;
    for (const auto& o : f.origins) {
      if (!where.empty()) where += "; ";
      where += o.where + " (" + format_number(static_cast<double>(o.count)) + ")";
    }
    std::string kind = "#";  // built by appending: GCC 12's -Wrestrict misfires on "#" + string
    kind += std::to_string(i + 1);
    kind += ' ';
    kind += finding_kind_name(f.kind);
    chart.categories.push_back(kind);
    s.values.push_back(static_cast<double>(f.saving));
    t.rows.push_back({std::to_string(i + 1), f.title, f.change_cpp, f.change_python,
                      format_bytes(static_cast<double>(f.saving)), format_number(std::round(f.share * 1000) / 10) + "%", where});
  }
  chart.series.push_back(std::move(s));
  chart.width = std::max(760.0, 140.0 * static_cast<double>(chart.categories.size()));
  doc.figure(report::render_bar_chart(chart), "Estimated bytes freed by each change; hover a bar for its value.");
  doc.table(t);
}

void pool_map(const MemoryRecording& rec, report::Document& doc) {
  doc.heading(detail_heading(rec, "Arenas and pools"));
  note_detail_sample(rec, doc);
  if (rec.peak_arenas.empty()) {
    doc.paragraph("No arena was mapped at that sample.");
    return;
  }
  report::GridMap map;
  map.id = "pool-map";
  map.title = "Pool occupancy at sample " + std::to_string(rec.detail_sample + 1);
  map.description = "One row per arena, one cell per pool; the darker, the more of its blocks are in use.";
  map.columns = rec.peak_arenas.front().pools.size();
  map.cell_size = map.columns > 64 ? 8 : 12;
  map.low_label = "empty";
  map.high_label = "full";
  map.empty_label = "decommitted or never used";
  std::size_t a = 0;
  for (const auto& arena : rec.peak_arenas) {
    map.row_labels.push_back("arena " + std::to_string(a++));
    std::size_t p = 0;
    for (const auto& pool : arena.pools) {
      const std::string where = "arena " + std::to_string(a - 1) + ", pool " + std::to_string(p++) + ": ";
      switch (pool.state) {
        case PoolOccupancy::State::InUse:
          map.cells.push_back({static_cast<double>(pool.blocks_in_use) / static_cast<double>(pool.capacity),
                               where + std::to_string(pool.block_size) + "-byte blocks, " +
                                   std::to_string(pool.blocks_in_use) + " of " + std::to_string(pool.capacity) +
                                   " in use"});
          break;
        case PoolOccupancy::State::Empty:
          map.cells.push_back({0.0, where + "empty, kept committed for reuse"});
          break;
        case PoolOccupancy::State::Decommitted:
          map.cells.push_back({std::numeric_limits<double>::quiet_NaN(), where + "returned to the OS (madvise)"});
          break;
        case PoolOccupancy::State::Untouched:
          map.cells.push_back({std::numeric_limits<double>::quiet_NaN(), where + "never used"});
          break;
      }
    }
  }
  doc.figure(report::render_grid_map(map), "Hover a cell for its pool's size class and blocks in use.");
}

}  // namespace

std::string MemoryRecorder::html(const std::string& title) const {
  const MemoryRecording& rec = state_->rec;
  report::Document doc(title);
  if (rec.samples.empty()) {
    doc.paragraph("Nothing was sampled.");
    return doc.html();
  }
  const MemorySample& peak = rec.samples[rec.peak_sample];
  report::TableData summary;
  summary.header = {"samples", "peak bytes held", "peak at sample", "live objects at the peak", "collections"};
  summary.numeric_columns = {0, 1, 2, 3, 4};
  summary.rows.push_back({format_number(static_cast<double>(rec.samples.size())),
                          format_bytes(static_cast<double>(peak.total())), std::to_string(rec.peak_sample + 1) +
                          (peak.label.empty() ? "" : " (" + peak.label + ")"),
                          format_number(static_cast<double>(peak.live_objects)),
                          format_number(static_cast<double>(rec.collections.size()))});
  doc.table(summary);
  memory_over_time(rec, doc);
  collections(rec, doc);
  largest_types(rec, doc);
  advice(advise(heap_), doc);
  pool_map(rec, doc);
  return doc.html();
}

void MemoryRecorder::write_html(const std::string& path, const std::string& title) const {
  report::write_text_file(path, html(title));
}

}  // namespace pyheap

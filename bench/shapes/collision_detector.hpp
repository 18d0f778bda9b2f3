// A collision detector on red-black trees, in the shape of the CD benchmark (after Kalibera et
// al.'s CDx, "A family of real-time Java benchmarks", 2009): a simulator moves aircraft on
// known paths frame after frame; the detector keeps every aircraft's last position in a
// red-black tree keyed by call sign, turns each frame into motions (last position to new one),
// hashes every motion into the 2-D voxels it crosses (a red-black tree from voxel to the motions
// in it, and one tree per motion of the voxels already seen), and tests every pair of motions
// that share a voxel for a closest approach within the proximity radius. An aircraft i is missing
// from frame f when (i + f) % 32 == 0 (it lands and comes back next frame), so the state tree
// also removes entries. Positions, motions and collisions are values; the trees' nodes are the
// heap objects (red_black_tree.hpp). A run: kRounds rounds of kFrames frames of kAircraft
// aircraft; the checksum sums the collisions found and their rounded positions.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "red_black_tree.hpp"

namespace shapes {

template <class P>
struct CollisionDetector {
  template <class T>
  using Vec = typename P::template Vec<T>;

  static constexpr int kAircraft = 1000;
  static constexpr int kFrames = 100;
  static constexpr int kRounds = 12;
  static constexpr double kMinX = 0, kMinY = 0, kMaxX = 1000, kMaxY = 1000, kMinZ = 0, kMaxZ = 10;
  static constexpr double kProximityRadius = 1;
  static constexpr double kGoodVoxelSize = kProximityRadius * 2;

  struct Vector2D {
    double x, y;
    friend bool operator<(const Vector2D& a, const Vector2D& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); }
    Vector2D plus(const Vector2D& o) const { return {x + o.x, y + o.y}; }
    Vector2D minus(const Vector2D& o) const { return {x - o.x, y - o.y}; }
  };
  struct Vector3D {
    double x, y, z;
    Vector3D plus(const Vector3D& o) const { return {x + o.x, y + o.y, z + o.z}; }
    Vector3D minus(const Vector3D& o) const { return {x - o.x, y - o.y, z - o.z}; }
    Vector3D times(double a) const { return {x * a, y * a, z * a}; }
    double dot(const Vector3D& o) const { return x * o.x + y * o.y + z * o.z; }
    double squared_magnitude() const { return dot(*this); }
    double magnitude() const { return std::sqrt(squared_magnitude()); }
  };
  struct CallSign {
    int value;
    friend bool operator<(const CallSign& a, const CallSign& b) { return a.value < b.value; }
  };
  struct Aircraft {
    CallSign callsign;
    Vector3D position;
  };
  struct Motion {
    CallSign callsign;
    Vector3D pos_one, pos_two;
    Vector3D delta() const { return pos_two.minus(pos_one); }

    // Where this motion and `other` come within the proximity radius during the frame, if they do.
    std::optional<Vector3D> find_intersection(const Motion& other) const {
      const Vector3D init1 = pos_one, init2 = other.pos_one;
      const Vector3D vec1 = delta(), vec2 = other.delta();
      const double radius = kProximityRadius;
      const double a = vec2.minus(vec1).squared_magnitude();
      if (a != 0) {
        const double b = 2 * init1.minus(init2).dot(vec1.minus(vec2));
        const double c = -radius * radius + init2.minus(init1).squared_magnitude();
        const double discr = b * b - 4 * a * c;
        if (discr < 0) return std::nullopt;
        const double v1 = (-b - std::sqrt(discr)) / (2 * a);
        const double v2 = (-b + std::sqrt(discr)) / (2 * a);
        if (v1 <= v2 && ((v1 <= 1 && 1 <= v2) || (v1 <= 0 && 0 <= v2) || (0 <= v1 && v2 <= 1))) {
          const double v = v1 <= 0 ? 0 : v1;
          const Vector3D result = init1.plus(vec1.times(v)).plus(init2.plus(vec2.times(v))).times(0.5);
          if (result.x >= kMinX && result.x <= kMaxX && result.y >= kMinY && result.y <= kMaxY && result.z >= kMinZ &&
              result.z <= kMaxZ)
            return result;
        }
        return std::nullopt;
      }
      if (init2.minus(init1).magnitude() <= radius) return init1.plus(init2).times(0.5);
      return std::nullopt;
    }
  };
  struct Collision {
    CallSign a, b;
    Vector3D position;
  };

  static Vec<Aircraft> simulate(int frame, double time) {
    Vec<Aircraft> out;
    for (int i = 0; i < kAircraft; i += 2) {
      if ((i + frame) % 32 != 0) out.push_back({{i}, {time, std::cos(time) * 2 + i * 3, 10}});
      if ((i + 1 + frame) % 32 != 0) out.push_back({{i + 1}, {time, std::sin(time) * 2 + i * 3, 10}});
    }
    return out;
  }

  using Motions = Vec<Motion>;
  using VoxelMap = RedBlackTree<P, Vector2D, Motions>;
  using Seen = RedBlackTree<P, Vector2D, bool>;

  static Vector2D voxel_hash(const Vector3D& position) {
    const int x_div = static_cast<int>(position.x / kGoodVoxelSize);
    const int y_div = static_cast<int>(position.y / kGoodVoxelSize);
    Vector2D r{kGoodVoxelSize * x_div, kGoodVoxelSize * y_div};
    if (position.x < 0) r.x -= kGoodVoxelSize;
    if (position.y < 0) r.y -= kGoodVoxelSize;
    return r;
  }

  // Whether the motion passes within half the proximity radius of the voxel.
  static bool is_in_voxel(const Vector2D& voxel, const Motion& motion) {
    if (voxel.x > kMaxX || voxel.x < kMinX || voxel.y > kMaxY || voxel.y < kMinY) return false;
    const Vector3D& init = motion.pos_one;
    const Vector3D& fin = motion.pos_two;
    const double v_s = kGoodVoxelSize;
    const double r = kProximityRadius / 2;
    const double v_x = voxel.x, x0 = init.x, xv = fin.x - init.x;
    const double v_y = voxel.y, y0 = init.y, yv = fin.y - init.y;
    double low_x = (v_x - r - x0) / xv, high_x = (v_x + v_s + r - x0) / xv;
    if (xv < 0) std::swap(low_x, high_x);
    double low_y = (v_y - r - y0) / yv, high_y = (v_y + v_s + r - y0) / yv;
    if (yv < 0) std::swap(low_y, high_y);
    return ((xv == 0 && v_x <= x0 + r && x0 - r <= v_x + v_s) || (low_x <= 1 && 1 <= high_x) ||
            (low_x <= 0 && 0 <= high_x) || (0 <= low_x && high_x <= 1)) &&
           ((yv == 0 && v_y <= y0 + r && y0 - r <= v_y + v_s) || (low_y <= 1 && 1 <= high_y) ||
            (low_y <= 0 && 0 <= high_y) || (0 <= low_y && high_y <= 1)) &&
           (xv == 0 || yv == 0 || (low_y <= high_x && high_x <= high_y) || (low_y <= low_x && low_x <= high_y) ||
            (low_x <= low_y && high_y <= high_x));
  }

  static void put_into_map(VoxelMap& map, const Motion& motion, const Vector2D& voxel) {
    if (Motions* in = map.find(voxel)) {
      in->push_back(motion);
      return;
    }
    Motions m;
    m.push_back(motion);
    map.put(voxel, std::move(m));
  }

  static void recurse(VoxelMap& map, Seen& seen, const Vector2D& next, const Motion& motion) {
    if (!is_in_voxel(next, motion)) return;
    if (seen.put(next, true)) return;
    put_into_map(map, motion, next);
    const Vector2D horizontal{kGoodVoxelSize, 0}, vertical{0, kGoodVoxelSize};
    recurse(map, seen, next.minus(horizontal), motion);
    recurse(map, seen, next.plus(horizontal), motion);
    recurse(map, seen, next.minus(vertical), motion);
    recurse(map, seen, next.plus(vertical), motion);
    recurse(map, seen, next.minus(horizontal).minus(vertical), motion);
    recurse(map, seen, next.minus(horizontal).plus(vertical), motion);
    recurse(map, seen, next.plus(horizontal).minus(vertical), motion);
    recurse(map, seen, next.plus(horizontal).plus(vertical), motion);
  }

  // The motions of every voxel that holds more than one.
  static Vec<Motions> reduce_collision_set(const Motions& motions) {
    VoxelMap map;
    for (const Motion& m : motions) {
      Seen seen;
      recurse(map, seen, voxel_hash(m.pos_one), m);
    }
    Vec<Motions> out;
    map.for_each([&](const Vector2D&, const Motions& in) {
      if (in.size() > 1) out.push_back(in);
    });
    return out;
  }

  struct Detector {
    RedBlackTree<P, CallSign, Vector3D> state;

    Vec<Collision> handle_new_frame(const Vec<Aircraft>& frame) {
      Motions motions;
      RedBlackTree<P, CallSign, bool> seen;
      for (const Aircraft& a : frame) {
        std::optional<Vector3D> old = state.put(a.callsign, a.position);
        seen.put(a.callsign, true);
        motions.push_back({a.callsign, old ? *old : a.position, a.position});
      }
      Vec<CallSign> to_remove;
      state.for_each([&](const CallSign& c, const Vector3D&) {
        if (!seen.find(c)) to_remove.push_back(c);
      });
      for (const CallSign& c : to_remove) state.remove(c);

      Vec<Collision> collisions;
      for (const Motions& in : reduce_collision_set(motions))
        for (std::size_t i = 0; i < in.size(); ++i)
          for (std::size_t j = i + 1; j < in.size(); ++j)
            if (std::optional<Vector3D> p = in[i].find_intersection(in[j]))
              collisions.push_back({in[i].callsign, in[j].callsign, *p});
      return collisions;
    }
  };

  static std::uint64_t run(int scale) {
    std::uint64_t total = 0;
    for (int round = 0; round < kRounds * scale; ++round) {
      Detector detector;
      for (int f = 0; f < kFrames; ++f) {
        const double time = f / 10.0;
        for (const Collision& c : detector.handle_new_frame(simulate(f, time)))
          total += 1 + static_cast<std::uint64_t>(std::llround(c.position.x * 1000 + c.position.y * 10));
      }
    }
    return total;
  }
};

}  // namespace shapes

// Richards: Martin Richards' operating-system simulation (the classic BCPL benchmark, as its
// public descriptions and object-oriented ports give it): six task control blocks (an idle task,
// a worker, two handlers, two devices) in a priority-ordered list, exchanging packets through
// work queues; the scheduler runs the highest-priority task that is neither held nor waiting.
// Each task's behaviour is a std::function callback, made from a lambda that captures the
// scheduler and the task's own data (what a C++ program passes for a callback); the data objects
// hold the packets a handler or a device keeps. A round makes the tasks and packets and schedules
// until the idle task has run kCount times; kCount = 10,000 must give 23,246 packets queued and
// 9,297 holds (the published figures), which every round checks. Nothing is allocated while
// scheduling: the memory manager's cost is the packets and tasks passed, returned and stored
// (count traffic). The checksum is, over every round, queued packets + holds.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <utility>

namespace shapes {

template <class P>
struct Richards {
  template <class T>
  using Ptr = typename P::template Ptr<T>;
  using Tracer = typename P::Tracer;

  enum TaskId { kIdle = 0, kWorker = 1, kHandlerA = 2, kHandlerB = 3, kDeviceA = 4, kDeviceB = 5, kNumIds = 6 };
  enum PacketKind { kDevicePacket = 0, kWorkPacket = 1 };
  static constexpr int kDataSize = 4;
  static constexpr int kCount = 10000;
  static constexpr int kExpectedQueued = 23246;
  static constexpr int kExpectedHolds = 9297;
  static constexpr int kRounds = 840;

  struct Packet : P::template Base<Packet> {
    Packet(Ptr<Packet> l, int i, int k) : link(std::move(l)), id(i), kind(k) {}
    Ptr<Packet> link{};
    int id;
    int kind;
    int a1 = 0;
    std::array<int, kDataSize> a2{};
    void trace(Tracer& t) { t(link); }
  };

  // Appends packet at the end of queue; returns the queue's head.
  static Ptr<Packet> add_to(Ptr<Packet> packet, Ptr<Packet> queue) {
    packet->link = Ptr<Packet>();
    if (!queue) return packet;
    Ptr<Packet> peek = queue;
    for (Ptr<Packet> next = peek->link; next; next = peek->link) peek = std::move(next);
    peek->link = std::move(packet);
    return queue;
  }

  struct Tcb;
  using TaskFn = std::function<Ptr<Tcb>(Ptr<Packet>)>;

  // The states: bit 0 runnable (a packet waits), bit 1 suspended, bit 2 held.
  static constexpr int kRunning = 0, kRunnable = 1, kSuspended = 2, kHeld = 4;
  static constexpr int kSuspendedRunnable = kSuspended | kRunnable;

  struct Tcb : P::template Base<Tcb> {
    Tcb(Ptr<Tcb> l, int i, int pri, Ptr<Packet> q, TaskFn f)
        : link(std::move(l)), id(i), priority(pri), queue(std::move(q)), fn(std::move(f)) {
      state = queue ? kSuspendedRunnable : kSuspended;
    }
    Ptr<Tcb> link{};
    int id;
    int priority;
    Ptr<Packet> queue{};
    int state = kSuspended;
    TaskFn fn;  // holds the task's data: what it leads to is packets, never back to a task
    void trace(Tracer& t) { t(link, queue); }

    bool held_or_suspended() const { return (state & kHeld) != 0 || state == kSuspended; }
    Ptr<Tcb> run() {
      Ptr<Packet> packet{};
      if (state == kSuspendedRunnable) {
        packet = queue;
        queue = packet->link;
        state = queue ? kRunnable : kRunning;
      }
      return fn(std::move(packet));
    }
    // A packet for this task arrives while `task` runs: which task runs next.
    Ptr<Tcb> check_priority_add(Ptr<Tcb> task, Ptr<Packet> packet) {
      if (!queue) {
        queue = std::move(packet);
        state |= kRunnable;
        if (priority > task->priority) return P::self(this);
      } else {
        queue = add_to(std::move(packet), std::move(queue));
      }
      return task;
    }
  };

  struct IdleData : P::template Base<IdleData> {
    IdleData(int v, int c) : v1(v), count(c) {}
    int v1;
    int count;
  };
  struct WorkerData : P::template Base<WorkerData> {
    int destination = kHandlerA;
    int v2 = 0;
  };
  struct HandlerData : P::template Base<HandlerData> {
    Ptr<Packet> work{}, device{};
    void trace(Tracer& t) { t(work, device); }
  };
  struct DeviceData : P::template Base<DeviceData> {
    Ptr<Packet> pending{};
    void trace(Tracer& t) { t(pending); }
  };

  struct Scheduler {
    int queue_count = 0;
    int hold_count = 0;
    std::array<Ptr<Tcb>, kNumIds> blocks{};
    Ptr<Tcb> list{}, current{};
    int current_id = 0;
    // The hand-written program's owner lists: what it deletes when the round ends.
    std::vector<Packet*> packets_made;
    std::vector<void*> data_made;

    void add_task(int id, int priority, Ptr<Packet> queue, TaskFn fn) {
      current = P::template make<Tcb>(std::move(list), id, priority, std::move(queue), std::move(fn));
      list = current;
      blocks[static_cast<std::size_t>(id)] = current;
    }

    Ptr<Packet> packet(Ptr<Packet> link, int id, int kind) {
      Ptr<Packet> p = P::template make<Packet>(std::move(link), id, kind);
      if constexpr (P::kByHand) packets_made.push_back(p);
      return p;
    }

    void schedule() {
      current = list;
      while (current) {
        if (current->held_or_suspended()) {
          current = current->link;
        } else {
          current_id = current->id;
          current = current->run();
        }
      }
    }
    Ptr<Tcb> release(int id) {
      const Ptr<Tcb>& t = blocks[static_cast<std::size_t>(id)];
      if (!t) return t;
      t->state &= ~kHeld;
      return t->priority > current->priority ? t : current;
    }
    Ptr<Tcb> hold_current() {
      ++hold_count;
      current->state |= kHeld;
      return current->link;
    }
    Ptr<Tcb> suspend_current() {
      current->state |= kSuspended;
      return current;
    }
    Ptr<Tcb> queue(Ptr<Packet> packet) {
      const Ptr<Tcb>& t = blocks[static_cast<std::size_t>(packet->id)];
      if (!t) return t;
      ++queue_count;
      packet->link = Ptr<Packet>();
      packet->id = current_id;
      return t->check_priority_add(current, std::move(packet));
    }
  };

  template <class D, class... A>
  static Ptr<D> data(Scheduler& s, A&&... a) {
    Ptr<D> d = P::template make<D>(std::forward<A>(a)...);
    if constexpr (P::kByHand) s.data_made.push_back(d);
    return d;
  }

  static TaskFn idle_task(Scheduler* s, Ptr<IdleData> d) {
    return [s, d](Ptr<Packet>) -> Ptr<Tcb> {
      if (--d->count == 0) return s->hold_current();
      if ((d->v1 & 1) == 0) {
        d->v1 >>= 1;
        return s->release(kDeviceA);
      }
      d->v1 = (d->v1 >> 1) ^ 0xD008;
      return s->release(kDeviceB);
    };
  }
  static TaskFn worker_task(Scheduler* s, Ptr<WorkerData> d) {
    return [s, d](Ptr<Packet> packet) -> Ptr<Tcb> {
      if (!packet) return s->suspend_current();
      d->destination = d->destination == kHandlerA ? kHandlerB : kHandlerA;
      packet->id = d->destination;
      packet->a1 = 0;
      for (int i = 0; i < kDataSize; ++i) {
        if (++d->v2 > 26) d->v2 = 1;
        packet->a2[static_cast<std::size_t>(i)] = d->v2;
      }
      return s->queue(std::move(packet));
    };
  }
  static TaskFn handler_task(Scheduler* s, Ptr<HandlerData> d) {
    return [s, d](Ptr<Packet> packet) -> Ptr<Tcb> {
      if (packet) {
        if (packet->kind == kWorkPacket) d->work = add_to(std::move(packet), std::move(d->work));
        else d->device = add_to(std::move(packet), std::move(d->device));
      }
      if (d->work) {
        const int count = d->work->a1;
        if (count < kDataSize) {
          if (d->device) {
            Ptr<Packet> v = d->device;
            d->device = v->link;
            v->a1 = d->work->a2[static_cast<std::size_t>(count)];
            d->work->a1 = count + 1;
            return s->queue(std::move(v));
          }
        } else {
          Ptr<Packet> v = d->work;
          d->work = v->link;
          return s->queue(std::move(v));
        }
      }
      return s->suspend_current();
    };
  }
  static TaskFn device_task(Scheduler* s, Ptr<DeviceData> d) {
    return [s, d](Ptr<Packet> packet) -> Ptr<Tcb> {
      if (!packet) {
        if (!d->pending) return s->suspend_current();
        Ptr<Packet> v = std::move(d->pending);
        d->pending = Ptr<Packet>();
        return s->queue(std::move(v));
      }
      d->pending = std::move(packet);
      return s->hold_current();
    };
  }

  static std::uint64_t one_round() {
    Scheduler s;
    s.add_task(kIdle, 0, Ptr<Packet>(), idle_task(&s, data<IdleData>(s, 1, kCount)));
    s.current->state = kRunning;
    Ptr<Packet> q = s.packet(Ptr<Packet>(), kWorker, kWorkPacket);
    q = s.packet(std::move(q), kWorker, kWorkPacket);
    s.add_task(kWorker, 1000, std::move(q), worker_task(&s, data<WorkerData>(s)));
    q = s.packet(Ptr<Packet>(), kDeviceA, kDevicePacket);
    q = s.packet(std::move(q), kDeviceA, kDevicePacket);
    q = s.packet(std::move(q), kDeviceA, kDevicePacket);
    s.add_task(kHandlerA, 2000, std::move(q), handler_task(&s, data<HandlerData>(s)));
    q = s.packet(Ptr<Packet>(), kDeviceB, kDevicePacket);
    q = s.packet(std::move(q), kDeviceB, kDevicePacket);
    q = s.packet(std::move(q), kDeviceB, kDevicePacket);
    s.add_task(kHandlerB, 3000, std::move(q), handler_task(&s, data<HandlerData>(s)));
    s.add_task(kDeviceA, 4000, Ptr<Packet>(), device_task(&s, data<DeviceData>(s)));
    s.add_task(kDeviceB, 5000, Ptr<Packet>(), device_task(&s, data<DeviceData>(s)));
    s.schedule();
    if (s.queue_count != kExpectedQueued || s.hold_count != kExpectedHolds) {
      std::fprintf(stderr, "richards: %d packets queued and %d holds, expected %d and %d\n", s.queue_count,
                   s.hold_count, kExpectedQueued, kExpectedHolds);
      std::exit(1);
    }
    const std::uint64_t sum = static_cast<std::uint64_t>(s.queue_count + s.hold_count);
    if constexpr (P::kByHand) {
      for (Tcb* t = s.list; t != nullptr;) {
        Tcb* next = t->link;
        P::destroy(t);
        t = next;
      }
      for (Packet* p : s.packets_made) P::destroy(p);
      // The data objects, by their types (the order they were made in).
      P::destroy(static_cast<IdleData*>(s.data_made[0]));
      P::destroy(static_cast<WorkerData*>(s.data_made[1]));
      P::destroy(static_cast<HandlerData*>(s.data_made[2]));
      P::destroy(static_cast<HandlerData*>(s.data_made[3]));
      P::destroy(static_cast<DeviceData*>(s.data_made[4]));
      P::destroy(static_cast<DeviceData*>(s.data_made[5]));
    }
    return sum;
  }

  static std::uint64_t run(int scale) {
    std::uint64_t total = 0;
    for (int round = 0; round < kRounds * scale; ++round) total += one_round();
    return total;
  }
};

}  // namespace shapes

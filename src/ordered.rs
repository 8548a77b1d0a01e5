//! Work on a list done by every thread of rayon's pool at once, its results handed on in the
//! list's order on a thread of their own.
//!
//! Pages are rendered in parallel but must be written, recorded and indexed in job order (the
//! search index and the output must be the same bytes on every run). Rendering them in chunks,
//! each a parallel iterator collected before the next starts, left a core idle at the end of
//! every chunk, while its last pages finished on the other core. Here each thread takes the next
//! item as soon as it is done with one: no thread waits for another, and the consumer keeps a
//! window of items queued ahead of it, which bounds the results held in memory.

use std::sync::{Condvar, Mutex, MutexGuard};

/// Calls `work` on every item of `items` on rayon's threads, and `consume` on each item with
/// its result, in the items' order, on a thread of its own. At most `window` items are worked
/// on or waiting for `consume` beyond the one it is handed.
///
/// Each item is a task of its own in rayon's queue, queued by the consumer as it goes, so that
/// a rayon thread never waits here: other parallel work (the search index's, from its own
/// thread) runs between the items. A panic in `work` or `consume` is passed on once the items
/// queued have been worked on. Called from a rayon thread, it works on one item after the
/// other, on that thread.
pub fn map_in_order<T, R, W, C>(items: &[T], window: usize, work: W, mut consume: C)
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> R + Sync,
    C: FnMut(&T, R) + Send,
{
    if rayon::current_thread_index().is_some() {
        // Called from a rayon thread: it would wait for tasks that, in a pool of one thread,
        // only it could run. One item after the other instead.
        for item in items {
            consume(item, work(item));
        }
        return;
    }
    // The item being consumed and `window` more.
    let slots = window.max(1) + 1;
    let refill = (slots / 4).max(1);
    let made = Made::new(slots);
    let (made, work) = (&made, &work);
    let consumed = rayon::in_place_scope(|scope| {
        std::thread::scope(|threads| {
            let consumer = threads.spawn(move || {
                let mut queued = 0;
                for (at, item) in items.iter().enumerate() {
                    // Item `queued` takes the slot of item `queued - slots`, consumed already.
                    // Items are queued a quarter of the window at a time: queued one by one
                    // when the consumer is the slower, each woke a sleeping rayon thread.
                    let free = at + slots - queued;
                    if free >= refill {
                        while queued < items.len() && queued < at + slots {
                            let next = queued;
                            scope.spawn(move |_| {
                                let result =
                                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                        work(&items[next])
                                    }));
                                made.put(next % slots, result);
                            });
                            queued += 1;
                        }
                    }
                    match made.take(at % slots) {
                        Ok(result) => consume(item, result),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
            });
            consumer.join()
        })
    });
    if let Err(panic) = consumed {
        std::panic::resume_unwind(panic);
    }
}

/// The results made and not yet consumed.
struct Made<R> {
    slots: Mutex<Slots<R>>,
    /// Signalled when the result the consumer waits for is put.
    put: Condvar,
}

struct Slots<R> {
    /// Item `i`'s result, or its panic, at `i % slots`.
    results: Vec<Option<std::thread::Result<R>>>,
    /// The slot the consumer is waiting on, if it is.
    ///
    /// Only that slot's result wakes it: a condition variable's signal is a system call even
    /// with no thread waiting, and each result put while the consumer waited for an earlier
    /// one woke it for nothing (two context switches). On the 2,000-document corpus the build
    /// made 35,700 futex calls with a signal for every result, 10,500 with this (`strace -c`).
    awaited: Option<usize>,
}

impl<R> Made<R> {
    fn new(slots: usize) -> Self {
        Made {
            slots: Mutex::new(Slots {
                results: (0..slots).map(|_| None).collect(),
                awaited: None,
            }),
            put: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slots<R>> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn put(&self, slot: usize, result: std::thread::Result<R>) {
        let mut slots = self.lock();
        slots.results[slot] = Some(result);
        if slots.awaited == Some(slot) {
            slots.awaited = None;
            drop(slots);
            self.put.notify_one();
        }
    }

    /// The result in `slot`, once it is there.
    fn take(&self, slot: usize) -> std::thread::Result<R> {
        let mut slots = self.lock();
        loop {
            // `put` cleared `awaited` when it put this result, if it was awaited.
            if let Some(result) = slots.results[slot].take() {
                return result;
            }
            slots.awaited = Some(slot);
            slots = self
                .put
                .wait(slots)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Some work whose time varies from item to item, so that results come out of order.
    fn uneven(n: usize) -> usize {
        let mut x = n as u64;
        for _ in 0..(n * 7919 % 23) * 500 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        n * 2
    }

    #[test]
    fn every_result_is_handed_on_in_order() {
        let items: Vec<usize> = (0..2000).collect();
        let mut seen = Vec::new();
        map_in_order(
            &items,
            16,
            |&n| uneven(n),
            |&n, doubled| {
                assert_eq!(doubled, n * 2);
                seen.push(n);
            },
        );
        assert_eq!(seen, items);
    }

    #[test]
    fn no_more_than_a_window_is_worked_on_ahead() {
        let items: Vec<usize> = (0..1000).collect();
        let started = AtomicUsize::new(0);
        let mut consumed = 0;
        let window = 8;
        map_in_order(
            &items,
            window,
            |&n| {
                started.fetch_add(1, Ordering::SeqCst);
                uneven(n)
            },
            |_, _| {
                // This item, and at most `window` items after it.
                assert!(started.load(Ordering::SeqCst) <= consumed + 1 + window);
                std::thread::yield_now();
                consumed += 1;
            },
        );
        assert_eq!(consumed, items.len());
        assert_eq!(started.load(Ordering::SeqCst), items.len());
    }

    #[test]
    fn an_empty_list_and_a_window_of_one_work() {
        map_in_order(&[] as &[usize], 4, |&n| n, |_, _| panic!("no items"));
        let items: Vec<usize> = (0..50).collect();
        let mut seen = Vec::new();
        map_in_order(&items, 0, |&n| n, |_, n| seen.push(n));
        assert_eq!(seen, items);
    }

    #[test]
    fn a_rayon_thread_of_a_pool_of_one_does_the_work_itself() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let items: Vec<usize> = (0..100).collect();
        let seen = pool.install(|| {
            let mut seen = Vec::new();
            map_in_order(
                &items,
                4,
                |&n| uneven(n),
                |_, doubled| seen.push(doubled / 2),
            );
            seen
        });
        assert_eq!(seen, items);
    }

    #[test]
    fn a_panic_in_the_work_is_passed_on_without_hanging() {
        let items: Vec<usize> = (0..500).collect();
        let outcome = std::panic::catch_unwind(|| {
            map_in_order(&items, 4, |&n| assert_ne!(n, 100, "item 100"), |_, _| {});
        });
        assert!(outcome.is_err());
    }

    #[test]
    fn a_panic_in_the_consumer_is_passed_on_without_hanging() {
        let items: Vec<usize> = (0..500).collect();
        let outcome = std::panic::catch_unwind(|| {
            map_in_order(&items, 4, |&n| n, |_, n| assert_ne!(n, 100, "item 100"));
        });
        assert!(outcome.is_err());
    }
}

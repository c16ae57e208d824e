//! The expansion allocates nothing: a block over a manager that allocates
//! nothing runs with zero heap allocations, on every path but a panic.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use async_with::{AsyncContextManager, Outcome, async_with};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Counts enters and exits in place.
struct Tally {
    open: u32,
    exits: u32,
}

impl AsyncContextManager for Tally {
    type Target<'a> = &'a mut u32;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<&mut u32, Infallible> {
        self.open += 1;
        Ok(&mut self.open)
    }

    async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), Infallible> {
        self.open -= 1;
        self.exits += 1;
        Ok(())
    }

    fn cancel(&mut self) {
        self.open -= 1;
    }
}

/// Polls a future that never waits to completion, on this thread.
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

async fn every_path(tally: &mut Tally) -> Result<u32, u32> {
    let mut sum = 0;
    for i in 0..4u32 {
        let step = async_with!(&mut *tally => open {
            *open += 0;
            if i == 1 {
                continue;
            }
            if i == 3 {
                Err(i)?;
            }
            i
        });
        sum += step;
    }
    Ok(sum)
}

#[test]
fn a_block_allocates_nothing_on_completion_continue_and_question_mark() {
    let mut tally = Tally { open: 0, exits: 0 };
    let before = ALLOCATIONS.with(Cell::get);
    let result = run(every_path(&mut tally));
    let after = ALLOCATIONS.with(Cell::get);
    assert_eq!(result, Err(3));
    assert_eq!((tally.open, tally.exits), (0, 4));
    assert_eq!(after - before, 0, "heap allocations during four blocks");
}

//! The smallest executor that is enough here: poll the one future, sleep
//! until the next interrupt (`wfi`), poll again. Every future in this
//! firmware becomes ready only after an interrupt (the SysTick), so no
//! wake-up is lost and no waker needs to be kept.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

/// Runs `future` to its end on this core.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        cortex_m::asm::wfi();
    }
}

//! Functions whose futures are measured by `examples/future_size.rs` and
//! bounded by `tests/macro_behaviour/future_size.rs`: the same body inside 1, 3 and 8
//! managers, through `async_with!`, the hand-written correct sequence and the
//! raw floor.
#![allow(dead_code, unreachable_pub)]

use std::hint::black_box;

use async_with::async_with;

use crate::common::{Noop, YieldOnce};
use crate::{hand, raw};

// A body that keeps a local across a suspension, as real bodies do.
macro_rules! body {
    () => {{
        let local = black_box([1u8; 24]);
        YieldOnce::default().await;
        black_box(&local);
        1u64
    }};
}

fn n() -> Noop {
    Noop::default()
}

pub async fn macro_1() -> u64 {
    async_with!(n() { body!() })
}

pub async fn macro_3() -> u64 {
    async_with!(n(), n(), n() { body!() })
}

pub async fn macro_8() -> u64 {
    async_with!(n(), n(), n(), n(), n(), n(), n(), n() { body!() })
}

pub async fn hand_1() -> u64 {
    hand!(n(); { body!() })
}

pub async fn hand_3() -> u64 {
    hand!(n(), n(), n(); { body!() })
}

pub async fn hand_8() -> u64 {
    hand!(n(), n(), n(), n(), n(), n(), n(), n(); { body!() })
}

pub async fn raw_1() -> u64 {
    raw!(n(); { body!() })
}

pub async fn raw_3() -> u64 {
    raw!(n(), n(), n(); { body!() })
}

pub async fn raw_8() -> u64 {
    raw!(n(), n(), n(), n(), n(), n(), n(), n(); { body!() })
}
/// `(managers, async_with!, hand-written correct, raw floor)`, in bytes.
pub fn sizes() -> [(usize, usize, usize, usize); 3] {
    use std::mem::size_of_val;
    [
        (
            1,
            size_of_val(&macro_1()),
            size_of_val(&hand_1()),
            size_of_val(&raw_1()),
        ),
        (
            3,
            size_of_val(&macro_3()),
            size_of_val(&hand_3()),
            size_of_val(&raw_3()),
        ),
        (
            8,
            size_of_val(&macro_8()),
            size_of_val(&hand_8()),
            size_of_val(&raw_8()),
        ),
    ]
}

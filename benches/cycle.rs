//! One enter/body/exit cycle of a no-op manager: `async_with!` against the
//! raw sequence (the floor), the hand-written correct sequence, a sync
//! `scopeguard` and the spawn-and-block "async drop" of async-dropper-simple,
//! for one and three managers, on the completed, failed (`?`) and panicked
//! paths.
//!
//! `cargo bench -p async-with-benches --bench cycle`. With `ASYNC_WITH_COUNT=GROUP/VARIANT:N` the
//! binary runs that case N times and exits, for `callgrind` (see
//! `benches/callgrind.sh`): instruction counts do not care how busy the
//! machine is.

use std::future::Future;
use std::hint::black_box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::time::Duration;

use async_dropper_simple::{AsyncDrop, AsyncDropper};
use async_with::{AsyncContextManager, Outcome, async_with};
use criterion::Criterion;
use tokio::runtime::Runtime;

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::{Noop, Oops, block_on, fallible};

// The bodies, identical in every variant.
macro_rules! completed {
    () => {
        black_box(1u64)
    };
}
macro_rules! failed {
    () => {{
        let value = fallible(false)?;
        Ok::<u64, Oops>(value)
    }};
}
macro_rules! panicked {
    () => {{
        if black_box(true) {
            panic!("boom");
        }
        black_box(1u64)
    }};
}

async fn macro_one_completed() -> u64 {
    async_with!(Noop::default() { completed!() })
}

// `?` written out: the macro cannot see a `?` inside another macro's tokens.
async fn macro_one_failed() -> Result<u64, Oops> {
    async_with!(Noop::default() {
        let value = fallible(false)?;
        Ok::<u64, Oops>(value)
    })
}

async fn macro_one_panicked() -> u64 {
    async_with!(Noop::default() { panicked!() })
}

async fn macro_three_completed() -> u64 {
    async_with!(Noop::default(), Noop::default(), Noop::default() { completed!() })
}

async fn macro_three_failed() -> Result<u64, Oops> {
    async_with!(Noop::default(), Noop::default(), Noop::default() {
        let value = fallible(false)?;
        Ok::<u64, Oops>(value)
    })
}

async fn macro_three_panicked() -> u64 {
    async_with!(Noop::default(), Noop::default(), Noop::default() { panicked!() })
}

/// The async-drop approach: the manager's `exit` runs from `Drop`, which
/// spawns it on the Tokio runtime and blocks this thread until it is done
/// (`block_in_place` + a scoped spawn). It never learns the outcome.
#[derive(Debug, Default)]
struct ExitOnDrop(Noop);

impl AsyncDrop for ExitOnDrop {
    // What `#[async_trait]` would write; spelled out to need no extra crate.
    fn async_drop<'a, 'f>(&'a mut self) -> Pin<Box<dyn Future<Output = ()> + Send + 'f>>
    where
        'a: 'f,
        Self: 'f,
    {
        Box::pin(async move {
            let Ok(()) = self.0.exit(Outcome::Completed).await;
        })
    }
}

async fn async_drop<F: Future>(body: F) -> F::Output {
    let mut manager = Noop::default();
    let Ok(()) = manager.enter().await;
    let _exit = AsyncDropper::new(ExitOnDrop(manager));
    body.await
}

async fn async_drop3<F: Future>(body: F) -> F::Output {
    async_drop(async_drop(async_drop(body))).await
}

fn n() -> Noop {
    Noop::default()
}

/// Runs a case whose body panics; the panic is expected.
fn expect_panic<R>(f: impl FnOnce() -> R) {
    assert!(catch_unwind(AssertUnwindSafe(f)).is_err());
}

/// Each case once per variant, so criterion and the instruction counter run
/// exactly the same code.
macro_rules! cases {
    ($($group:literal => { $($variant:literal => $run:expr),* $(,)? })*) => {
        fn criterion_benches(c: &mut Criterion, rt: &Runtime) {
            $({
                let mut group = c.benchmark_group($group);
                $(group.bench_function($variant, |b| b.iter(|| ($run)(rt)));)*
                group.finish();
            })*
        }

        /// Runs `case` `times` times; false if there is no such case.
        fn count(case: &str, times: u64, rt: &Runtime) -> bool {
            $($(
                if case == concat!($group, "/", $variant) {
                    for _ in 0..times {
                        let _ = black_box(($run)(rt));
                    }
                    return true;
                }
            )*)*
            false
        }
    };
}

cases! {
    "cycle/one/completed" => {
        "async_with" => |_| block_on(macro_one_completed()),
        "raw_floor" => |_| block_on(async { raw!(n(); { completed!() }) }),
        "hand_correct" => |_| block_on(async { hand!(n(); { completed!() }) }),
        "hand_futures" => |_| block_on(async { hand_futures!(n(); { completed!() }) }),
        "hand_guard_only" => |_| block_on(async { guard_only!(n(); { completed!() }) }),
        "scopeguard" => |_| block_on(async { sync_guard!(n(); { completed!() }) }),
        "async_with_tokio_mt" => |rt: &Runtime| rt.block_on(macro_one_completed()),
        "async_drop_tokio_mt" => |rt: &Runtime| rt.block_on(async_drop(async { completed!() })),
    }
    "cycle/one/failed" => {
        "async_with" => |_| block_on(macro_one_failed()),
        "raw_floor" => |_| block_on(async { raw!(n(); { failed!() }) }),
        "hand_correct" => |_| block_on(async { hand!(n(); { failed!() }) }),
        "scopeguard" => |_| block_on(async { sync_guard!(n(); { failed!() }) }),
        "async_with_tokio_mt" => |rt: &Runtime| rt.block_on(macro_one_failed()),
        "async_drop_tokio_mt" => |rt: &Runtime| rt.block_on(async_drop(async { failed!() })),
    }
    "cycle/one/panicked" => {
        "async_with" => |_| expect_panic(|| block_on(macro_one_panicked())),
        "raw_floor" => |_| expect_panic(|| block_on(async { raw!(n(); { panicked!() }) })),
        "hand_correct" => |_| expect_panic(|| block_on(async { hand!(n(); { panicked!() }) })),
        "scopeguard" => |_| expect_panic(|| block_on(async { sync_guard!(n(); { panicked!() }) })),
        "async_with_tokio_mt" => |rt: &Runtime| expect_panic(|| rt.block_on(macro_one_panicked())),
        "async_drop_tokio_mt" => |rt: &Runtime| {
            expect_panic(|| rt.block_on(async_drop(async { panicked!() })))
        },
    }
    "cycle/three/completed" => {
        "async_with" => |_| block_on(macro_three_completed()),
        "raw_floor" => |_| block_on(async { raw!(n(), n(), n(); { completed!() }) }),
        "hand_correct" => |_| block_on(async { hand!(n(), n(), n(); { completed!() }) }),
        "hand_futures" => |_| block_on(async { hand_futures!(n(), n(), n(); { completed!() }) }),
        "scopeguard" => |_| {
            block_on(async { sync_guard!(n(), n(), n(); { completed!() }) })
        },
        "async_with_tokio_mt" => |rt: &Runtime| rt.block_on(macro_three_completed()),
        "async_drop_tokio_mt" => |rt: &Runtime| rt.block_on(async_drop3(async { completed!() })),
    }
    "cycle/three/failed" => {
        "async_with" => |_| block_on(macro_three_failed()),
        "raw_floor" => |_| block_on(async { raw!(n(), n(), n(); { failed!() }) }),
        "hand_correct" => |_| block_on(async { hand!(n(), n(), n(); { failed!() }) }),
        "scopeguard" => |_| {
            block_on(async { sync_guard!(n(), n(), n(); { failed!() }) })
        },
        "async_with_tokio_mt" => |rt: &Runtime| rt.block_on(macro_three_failed()),
        "async_drop_tokio_mt" => |rt: &Runtime| rt.block_on(async_drop3(async { failed!() })),
    }
    "cycle/three/panicked" => {
        "async_with" => |_| expect_panic(|| block_on(macro_three_panicked())),
        "raw_floor" => |_| {
            expect_panic(|| block_on(async { raw!(n(), n(), n(); { panicked!() }) }))
        },
        "hand_correct" => |_| {
            expect_panic(|| block_on(async { hand!(n(), n(), n(); { panicked!() }) }))
        },
        "scopeguard" => |_| {
            expect_panic(|| {
                block_on(async { sync_guard!(n(), n(), n(); { panicked!() }) })
            })
        },
        "async_with_tokio_mt" => |rt: &Runtime| {
            expect_panic(|| rt.block_on(macro_three_panicked()))
        },
        "async_drop_tokio_mt" => |rt: &Runtime| {
            expect_panic(|| rt.block_on(async_drop3(async { panicked!() })))
        },
    }
}

fn main() {
    // Thousands of expected panics: printing each would be most of the cost.
    std::panic::set_hook(Box::new(|_| {}));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a multi-thread Tokio runtime");

    if let Ok(spec) = std::env::var("ASYNC_WITH_COUNT") {
        let (case, times) = spec
            .rsplit_once(':')
            .and_then(|(case, times)| Some((case, times.parse().ok()?)))
            .unwrap_or_else(|| panic!("ASYNC_WITH_COUNT={spec:?}: write GROUP/VARIANT:N"));
        assert!(
            count(case, times, &rt),
            "ASYNC_WITH_COUNT: no case {case:?}"
        );
        return;
    }

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    criterion_benches(&mut c, &rt);
    c.final_summary();
}

//! Settle accuracy: a `Spotlight` asked to settle for 50 ms, measured from
//! the moment the LED is switched on to the first statement of the body,
//! over many blocks on Tokio's current-thread and multi-thread runtimes.
//!
//! Not a criterion bench: the figure is a distribution of overshoots, not a
//! throughput. `cargo bench -p async-with-benches --bench settle` (1,000 blocks per runtime, about
//! 50 s each); `SETTLE_BLOCKS=100 cargo bench -p async-with-benches --bench settle` for a quick run.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_with::{Spotlight, async_with};
use embedded_hal::digital::{ErrorType, OutputPin};

const SETTLE: Duration = Duration::from_millis(50);

/// An LED that remembers when it was last switched on: the start of the
/// settle as the hardware would see it.
#[derive(Debug, Clone, Default)]
struct StampedLed {
    lit_at: Arc<Mutex<Option<Instant>>>,
}

impl ErrorType for StampedLed {
    type Error = Infallible;
}

impl OutputPin for StampedLed {
    fn set_high(&mut self) -> Result<(), Infallible> {
        *self.lit_at.lock().expect("not poisoned") = Some(Instant::now());
        Ok(())
    }

    fn set_low(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// Runs `blocks` blocks and returns each one's LED-on to body-start time.
async fn measure(blocks: usize) -> Vec<Duration> {
    let led = StampedLed::default();
    let mut waits = Vec::with_capacity(blocks);
    for _ in 0..blocks {
        let spotlight = Spotlight::new(led.clone())
            .settle(SETTLE)
            .expect("50 ms is valid");
        let body_start = async_with!(spotlight => _spot { Instant::now() });
        let lit_at = led
            .lit_at
            .lock()
            .expect("not poisoned")
            .take()
            .expect("the LED was lit");
        waits.push(body_start - lit_at);
    }
    waits
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

fn report(runtime: &str, mut waits: Vec<Duration>) {
    waits.sort();
    let over = |d: Duration| d.saturating_sub(SETTLE).as_secs_f64() * 1e3;
    let under = waits.iter().filter(|d| **d < SETTLE).count();
    println!(
        "{runtime:<16} {:>6} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>8}",
        waits.len(),
        over(waits[0]),
        over(percentile(&waits, 50.0)),
        over(percentile(&waits, 99.0)),
        over(*waits.last().expect("at least one block")),
        under,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let blocks = std::env::var("SETTLE_BLOCKS")
        .ok()
        .map(|n| {
            n.parse()
                .expect("SETTLE_BLOCKS: a number of blocks, such as 100")
        })
        .unwrap_or(1000);
    println!(
        "settle requested: {SETTLE:?}; overshoot = LED-on to body-start minus {SETTLE:?}, in ms"
    );
    println!(
        "{:<16} {:>6} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "runtime", "blocks", "min", "p50", "p99", "max", "short"
    );
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread Tokio runtime");
    report("current_thread", current.block_on(measure(blocks)));
    let multi = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .expect("a multi-thread Tokio runtime");
    report(
        "multi_thread",
        multi
            .block_on(multi.spawn(measure(blocks)))
            .expect("no panic"),
    );
}

//! The settle delay of a [`Spotlight`](crate::Spotlight): any
//! `embedded_hal_async::delay::DelayNs`, and [`TokioDelay`] for Tokio.

use core::time::Duration;

use embedded_hal_async::delay::DelayNs;

/// Awaits `duration` on `delay`, however long it is: `DelayNs` takes `u32`
/// counts, so a duration past `u32::MAX` nanoseconds (4.29 s) is awaited as
/// whole milliseconds (in chunks of `u32::MAX` ms) and then the rest in
/// nanoseconds. A zero duration does not call the delay at all.
pub(crate) async fn wait<D: DelayNs>(delay: &mut D, duration: Duration) {
    if let Ok(nanos) = u32::try_from(duration.as_nanos()) {
        if nanos > 0 {
            delay.delay_ns(nanos).await;
        }
        return;
    }
    let mut millis = duration.as_millis();
    while millis > 0 {
        let chunk = u32::try_from(millis).unwrap_or(u32::MAX);
        delay.delay_ms(chunk).await;
        millis -= u128::from(chunk);
    }
    let rest = duration.subsec_nanos() % 1_000_000;
    if rest > 0 {
        delay.delay_ns(rest).await;
    }
}

/// Tokio's timer as a `DelayNs`: the delay [`Spotlight::new`](crate::Spotlight::new)
/// uses.
///
/// Each delay is a `tokio::time::sleep`, so it must be awaited inside a
/// Tokio runtime with its time driver enabled (`#[tokio::main]` has it;
/// a hand-built runtime needs `enable_time`), and it follows paused time in
/// tests. It works on current-thread and multi-thread runtimes alike.
///
/// # Panics
///
/// Awaiting it outside a Tokio runtime, or in one without the time driver,
/// panics (that is `tokio::time::sleep`'s own panic).
///
/// # Example
///
/// ```
/// use async_with_core::TokioDelay;
/// use embedded_hal_async::delay::DelayNs;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let start = tokio::time::Instant::now();
/// TokioDelay.delay_ms(20).await;
/// assert_eq!(start.elapsed(), std::time::Duration::from_millis(20));
/// # }
/// ```
#[cfg(feature = "tokio")]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TokioDelay;

#[cfg(feature = "tokio")]
impl DelayNs for TokioDelay {
    async fn delay_ns(&mut self, ns: u32) {
        tokio::time::sleep(Duration::from_nanos(u64::from(ns))).await;
    }

    async fn delay_us(&mut self, us: u32) {
        tokio::time::sleep(Duration::from_micros(u64::from(us))).await;
    }

    async fn delay_ms(&mut self, ms: u32) {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::future::Future;
    use core::pin::pin;
    use core::task::{Context, Poll, Waker};

    /// Records the calls a delay receives, and completes at once.
    #[derive(Default)]
    struct Calls([Option<(char, u32)>; 4], usize);

    impl Calls {
        fn push(&mut self, kind: char, n: u32) {
            self.0[self.1] = Some((kind, n));
            self.1 += 1;
        }
    }

    impl DelayNs for Calls {
        async fn delay_ns(&mut self, ns: u32) {
            self.push('n', ns);
        }
        async fn delay_ms(&mut self, ms: u32) {
            self.push('m', ms);
        }
    }

    fn calls(duration: Duration) -> [Option<(char, u32)>; 4] {
        let mut delay = Calls::default();
        {
            let mut future = pin!(wait(&mut delay, duration));
            let mut cx = Context::from_waker(Waker::noop());
            assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
        }
        delay.0
    }

    #[test]
    fn zero_calls_nothing() {
        assert_eq!(calls(Duration::ZERO), [None; 4]);
    }

    #[test]
    fn short_durations_are_one_nanosecond_delay() {
        assert_eq!(
            calls(Duration::from_millis(50))[..2],
            [Some(('n', 50_000_000)), None]
        );
        assert_eq!(calls(Duration::from_nanos(1))[0], Some(('n', 1)));
    }

    #[test]
    fn long_durations_are_milliseconds_then_the_rest() {
        let long = Duration::from_secs(10) + Duration::from_nanos(1_500_007);
        assert_eq!(
            calls(long)[..3],
            [Some(('m', 10_001)), Some(('n', 500_007)), None]
        );
    }

    #[test]
    fn durations_past_u32_milliseconds_are_chunked() {
        let huge = Duration::from_millis(u64::from(u32::MAX) + 5);
        assert_eq!(
            calls(huge)[..3],
            [Some(('m', u32::MAX)), Some(('m', 5)), None]
        );
    }
}

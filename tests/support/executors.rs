//! The executors the Spotlight suite runs on (tests/led/executors.rs), each with
//! the `DelayNs` its world offers. Adding an executor is one `Runner` impl.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::time::Duration;

use embedded_hal_async::delay::DelayNs;

/// An executor that runs a future to its end, and the delay to settle on.
pub trait Runner {
    /// The executor's timer as an embedded-hal-async delay.
    type Delay: DelayNs + Send + 'static;

    /// A fresh delay.
    fn delay() -> Self::Delay;

    /// Runs `future` on this executor and returns its output.
    fn block_on<F>(future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
}

/// Tokio, current-thread runtime, real time.
pub struct TokioCurrentThread;

impl Runner for TokioCurrentThread {
    type Delay = async_with::TokioDelay;

    fn delay() -> Self::Delay {
        async_with::TokioDelay
    }

    fn block_on<F>(future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread runtime")
            .block_on(future)
    }
}

/// Tokio, multi-thread runtime: the block runs as a task on a worker.
pub struct TokioMultiThread;

impl Runner for TokioMultiThread {
    type Delay = async_with::TokioDelay;

    fn delay() -> Self::Delay {
        async_with::TokioDelay
    }

    fn block_on<F>(future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .expect("a multi-thread runtime");
        let task = runtime.spawn(future);
        match runtime.block_on(task) {
            Ok(output) => output,
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
}

/// smol's timer (`async_io::Timer`) as a `DelayNs`: the adapter a smol user
/// writes.
pub struct AsyncIoDelay;

impl DelayNs for AsyncIoDelay {
    async fn delay_ns(&mut self, ns: u32) {
        async_io::Timer::after(Duration::from_nanos(ns.into())).await;
    }
}

/// smol: an `async_executor::Executor` driven by `async_io::block_on`.
pub struct Smol;

impl Runner for Smol {
    type Delay = AsyncIoDelay;

    fn delay() -> Self::Delay {
        AsyncIoDelay
    }

    fn block_on<F>(future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let executor = smol::Executor::new();
        let task = executor.spawn(future);
        smol::block_on(executor.run(task))
    }
}

/// `futures-timer` as a `DelayNs`: a timer that needs no runtime at all.
pub struct FuturesTimerDelay;

impl DelayNs for FuturesTimerDelay {
    async fn delay_ns(&mut self, ns: u32) {
        futures_timer::Delay::new(Duration::from_nanos(ns.into())).await;
    }
}

/// `futures::executor::block_on`, with `futures-timer`'s delay.
pub struct FuturesExecutor;

impl Runner for FuturesExecutor {
    type Delay = FuturesTimerDelay;

    fn delay() -> Self::Delay {
        FuturesTimerDelay
    }

    fn block_on<F>(future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        futures::executor::block_on(future)
    }
}

/// Embassy's executor on the host (`arch-std`), with `embassy_time::Delay`
/// on embassy-time's std driver: the same delay firmware uses.
pub struct Embassy;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

#[embassy_executor::task(pool_size = 16)]
async fn embassy_job(job: Job) {
    job.await;
}

impl Runner for Embassy {
    type Delay = embassy_time::Delay;

    fn delay() -> Self::Delay {
        embassy_time::Delay
    }

    fn block_on<F>(future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (done, output) = mpsc::channel();
        let job: Job = Box::pin(async move {
            let _ = done.send(future.await);
        });
        // `Executor::run` never returns: the executor gets its own thread,
        // which parks once the job is done and ends with the test process.
        std::thread::Builder::new()
            .name("embassy-executor".into())
            .spawn(move || {
                let executor = Box::leak(Box::new(embassy_executor::Executor::new()));
                executor.run(move |spawner| {
                    spawner
                        .spawn(embassy_job(job))
                        .expect("a free slot in the embassy job pool");
                })
            })
            .expect("a thread for the embassy executor");
        output
            .recv()
            .expect("the embassy job ended without an output (it panicked?)")
    }
}

//! The exactly-once invariant under random block programs.
//!
//! A fixed nest of four `async_with!` blocks (nesting is static) is driven by
//! a generated plan: how deep the nest really goes (1..=4), what each level's
//! body does once its inner block is done (complete, `?` on an `Err`,
//! `return`, `return Err`, `break`, panic), how long each level's `enter`, body and `exit`
//! await, whether its manager's `enter` or `exit` fails or panics, and
//! whether and how the whole program is cancelled (timeout,
//! `select!`, `JoinHandle::abort`) at some virtual instant. Time is paused,
//! so long awaits cost nothing and every case is deterministic.
//!
//! Every case checks: each successful `enter` is closed by exactly one of
//! {`exit` completed, `cancel` ran}; closes are strictly LIFO; `exit` saw
//! the outcome the plan implies; the program's own result is the one the
//! plan implies; no manager is alive afterwards.
//!
//! `PROPTEST_CASES=200000 cargo test --test prop_exactly_once --release`
//! runs a longer campaign by hand.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_with::{AsyncContextManager, Outcome, async_with};
use futures::FutureExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[path = "prop_exactly_once/model.rs"]
mod model;
use model::{check, plan};
#[path = "prop_exactly_once/contextlib.rs"]
mod contextlib;
mod support;
use support::{env_or, silence_planned_panics};

const LEVELS: usize = 4;
/// A delay that outlasts every cancellation deadline: "awaits forever"
/// unless the plan has no canceller, when paused time simply skips it.
const HANG_MS: u64 = 3_600_000;
const PANIC_PREFIX: &str = "planned panic";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Complete,
    Fail,
    Return,
    /// `return Err(..)`: leaves like `return`, but `exit` is told `Failed`.
    ReturnErr,
    Break,
    Panic,
}

/// A manager's `enter` or `exit` going wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Error,
    Panic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Canceller {
    None,
    Timeout,
    Select,
    Abort,
}

#[derive(Clone, Copy, Debug)]
struct Level {
    action: Action,
    enter_ms: u64,
    /// Awaited in the body before the inner block.
    before_ms: u64,
    /// Awaited in the body after the inner block, before the action.
    after_ms: u64,
    exit_ms: u64,
    enter_fault: Option<Fault>,
    exit_fault: Option<Fault>,
}

#[derive(Clone, Debug)]
struct Plan {
    depth: usize,
    levels: [Level; LEVELS],
    canceller: Canceller,
    deadline_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LevelError {
    Body(usize),
    Enter(usize),
    Exit(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    Completed,
    Returned(usize),
    Broke,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Enter(usize),
    ExitStart(usize, String),
    ExitDone(usize),
    Cancel(usize),
}

#[derive(Debug, PartialEq, Eq)]
enum RunResult {
    Finished(Result<Ending, LevelError>),
    Panicked(String),
    Cancelled,
}

#[derive(Default)]
struct State {
    events: Mutex<Vec<Event>>,
    live_managers: AtomicUsize,
}

impl State {
    fn push(&self, event: Event) {
        self.events.lock().unwrap().push(event);
    }
}

/// A manager that records its events and counts live instances.
struct Tracked {
    level: usize,
    state: Arc<State>,
    enter_ms: u64,
    exit_ms: u64,
    enter_fault: Option<Fault>,
    exit_fault: Option<Fault>,
}

impl Tracked {
    fn new(level: usize, plan: &Plan, state: &Arc<State>) -> Self {
        state.live_managers.fetch_add(1, Ordering::SeqCst);
        Tracked {
            level,
            state: state.clone(),
            enter_ms: plan.levels[level].enter_ms,
            exit_ms: plan.levels[level].exit_ms,
            enter_fault: plan.levels[level].enter_fault,
            exit_fault: plan.levels[level].exit_fault,
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.state.live_managers.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn pause(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn describe(outcome: &Outcome<'_>) -> String {
    match outcome {
        Outcome::Completed => "completed".into(),
        Outcome::Failed(failure) => format!("failed({:?})", failure.error()),
        Outcome::Panicked(panic) => format!("panicked({:?})", panic.message()),
        other => format!("other({other})"),
    }
}

impl AsyncContextManager for Tracked {
    type Target<'a> = usize;
    type Error = LevelError;

    async fn enter(&mut self) -> Result<usize, Self::Error> {
        // Cancelled or failed here, the block was never entered: no event.
        pause(self.enter_ms).await;
        match self.enter_fault {
            Some(Fault::Error) => return Err(LevelError::Enter(self.level)),
            Some(Fault::Panic) => plan_panic("in enter", self.level),
            None => {}
        }
        self.state.push(Event::Enter(self.level));
        Ok(self.level)
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
        self.state
            .push(Event::ExitStart(self.level, describe(&outcome)));
        pause(self.exit_ms).await;
        match self.exit_fault {
            // Unwinds with the guard still armed: its drop runs `cancel`.
            Some(Fault::Panic) => plan_panic("in exit", self.level),
            Some(Fault::Error) => {
                self.state.push(Event::ExitDone(self.level));
                Err(LevelError::Exit(self.level))
            }
            None => {
                self.state.push(Event::ExitDone(self.level));
                Ok(())
            }
        }
    }

    fn cancel(&mut self) {
        self.state.push(Event::Cancel(self.level));
    }
}

fn panic_text(place: &str, level: usize) -> String {
    format!("{PANIC_PREFIX} {place} {level}")
}

fn plan_panic(place: &str, level: usize) -> ! {
    std::panic::panic_any(panic_text(place, level))
}

fn act_panic(level: usize) -> ! {
    plan_panic("in body", level)
}

/// The fixed nest. Each level is written out, not generated by a
/// `macro_rules!`, because the body's `?`/`return`/`break` must be visible
/// to the outer `async_with!` as tokens.
async fn program(plan: Arc<Plan>, state: Arc<State>) -> Result<Ending, LevelError> {
    let p = &plan;
    let action = |level: usize| p.levels[level].action;
    #[allow(clippy::never_loop)]
    loop {
        async_with!(Tracked::new(0, p, &state)? => l0 {
            pause(p.levels[l0].before_ms).await;
            if p.depth > 1 {
                async_with!(Tracked::new(1, p, &state)? => l1 {
                    pause(p.levels[l1].before_ms).await;
                    if p.depth > 2 {
                        async_with!(Tracked::new(2, p, &state)? => l2 {
                            pause(p.levels[l2].before_ms).await;
                            if p.depth > 3 {
                                async_with!(Tracked::new(3, p, &state)? => l3 {
                                    pause(p.levels[l3].before_ms).await;
                                    pause(p.levels[l3].after_ms).await;
                                    match action(l3) {
                                        Action::Complete => {}
                                        Action::Fail => Err(LevelError::Body(l3))?,
                                        Action::Return => return Ok(Ending::Returned(l3)),
                                        Action::ReturnErr => return Err(LevelError::Body(l3)),
                                        Action::Break => break,
                                        Action::Panic => act_panic(l3),
                                    }
                                });
                            }
                            pause(p.levels[l2].after_ms).await;
                            match action(l2) {
                                Action::Complete => {}
                                Action::Fail => Err(LevelError::Body(l2))?,
                                Action::Return => return Ok(Ending::Returned(l2)),
                                Action::ReturnErr => return Err(LevelError::Body(l2)),
                                Action::Break => break,
                                Action::Panic => act_panic(l2),
                            }
                        });
                    }
                    pause(p.levels[l1].after_ms).await;
                    match action(l1) {
                        Action::Complete => {}
                        Action::Fail => Err(LevelError::Body(l1))?,
                        Action::Return => return Ok(Ending::Returned(l1)),
                        Action::ReturnErr => return Err(LevelError::Body(l1)),
                        Action::Break => break,
                        Action::Panic => act_panic(l1),
                    }
                });
            }
            pause(p.levels[l0].after_ms).await;
            match action(l0) {
                Action::Complete => {}
                Action::Fail => Err(LevelError::Body(l0))?,
                Action::Return => return Ok(Ending::Returned(l0)),
                Action::ReturnErr => return Err(LevelError::Body(l0)),
                Action::Break => break,
                Action::Panic => act_panic(l0),
            }
        });
        return Ok(Ending::Completed);
    }
    Ok(Ending::Broke)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => format!("non-string panic: {:?}", payload.type_id()),
    }
}

async fn run(plan: Arc<Plan>, state: Arc<State>) -> RunResult {
    let deadline = Duration::from_millis(plan.deadline_ms);
    let caught = |result: Result<Option<Result<Ending, LevelError>>, _>| match result {
        Ok(Some(finished)) => RunResult::Finished(finished),
        Ok(None) => RunResult::Cancelled,
        Err(payload) => RunResult::Panicked(panic_message(payload)),
    };
    match plan.canceller {
        Canceller::None => caught(
            AssertUnwindSafe(program(plan, state).map(Some))
                .catch_unwind()
                .await,
        ),
        Canceller::Timeout => caught(
            AssertUnwindSafe(tokio::time::timeout(deadline, program(plan, state)))
                .catch_unwind()
                .await
                .map(Result::ok),
        ),
        Canceller::Select => caught(
            AssertUnwindSafe(async {
                tokio::select! {
                    finished = program(plan, state) => Some(finished),
                    () = tokio::time::sleep(deadline) => None,
                }
            })
            .catch_unwind()
            .await,
        ),
        Canceller::Abort => {
            let handle = tokio::spawn(program(plan, state));
            tokio::time::sleep(deadline).await;
            handle.abort();
            match handle.await {
                Ok(finished) => RunResult::Finished(finished),
                Err(error) if error.is_cancelled() => RunResult::Cancelled,
                Err(error) => RunResult::Panicked(panic_message(error.into_panic())),
            }
        }
    }
}

fn cases() -> u32 {
    env_or("PROPTEST_CASES", 10_000)
}

#[derive(Default, Debug)]
struct Coverage {
    cancelled: [usize; 4],
    panicked: usize,
    enter_errors: usize,
    exit_errors: usize,
    cancel_hooks: usize,
    exits_cancelled_midway: usize,
}

#[test]
fn every_enter_is_closed_exactly_once_in_lifo_order_with_the_right_outcome() {
    silence_planned_panics(PANIC_PREFIX);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let coverage = Mutex::new(Coverage::default());
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        // A failure prints its shrunk plan; there is no source file to
        // persist regressions next to when the runner is driven by hand.
        failure_persistence: None,
        ..Config::default()
    });
    let started = std::time::Instant::now();
    let verdict = runner.run(&plan(), |plan| {
        let plan = Arc::new(plan);
        let state = Arc::new(State::default());
        let result = runtime.block_on(run(plan.clone(), state.clone()));
        let events = state.events.lock().unwrap().clone();
        let live = state.live_managers.load(Ordering::SeqCst);
        if let Err(broken) = check(&plan, &result, &events, live) {
            return Err(TestCaseError::fail(format!(
                "{broken}\nresult: {result:?}\nevents: {events:?}"
            )));
        }
        let mut coverage = coverage.lock().unwrap();
        if result == RunResult::Cancelled {
            coverage.cancelled[plan.canceller as usize] += 1;
        }
        coverage.panicked += usize::from(matches!(result, RunResult::Panicked(_)));
        match result {
            RunResult::Finished(Err(LevelError::Enter(_))) => coverage.enter_errors += 1,
            RunResult::Finished(Err(LevelError::Exit(_))) => coverage.exit_errors += 1,
            _ => {}
        }
        for (index, event) in events.iter().enumerate() {
            if let Event::Cancel(level) = event {
                coverage.cancel_hooks += 1;
                let exit_started = matches!(
                    events.get(index.wrapping_sub(1)),
                    Some(Event::ExitStart(started, _)) if started == level
                );
                coverage.exits_cancelled_midway += usize::from(exit_started);
            }
        }
        Ok(())
    });
    let coverage = coverage.into_inner().unwrap();
    if let Err(failure) = verdict {
        panic!("{failure}");
    }
    eprintln!(
        "prop_exactly_once: {} cases passed in {:?}: {coverage:?}",
        cases(),
        started.elapsed()
    );
    // A generator that never reaches a path would let the invariant pass
    // vacuously; demand each kind of ending shows up.
    if cases() >= 1_000 {
        assert!(
            coverage.cancelled[1..].iter().all(|&n| n > 0),
            "{coverage:?}"
        );
        assert!(coverage.panicked > 0, "{coverage:?}");
        assert!(coverage.enter_errors > 0, "{coverage:?}");
        assert!(coverage.exit_errors > 0, "{coverage:?}");
        assert!(coverage.exits_cancelled_midway > 0, "{coverage:?}");
        assert!(coverage.cancel_hooks > 0, "{coverage:?}");
    }
}

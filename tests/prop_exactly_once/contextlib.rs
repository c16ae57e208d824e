//! The exactly-once invariant under random programs over the rest of
//! contextlib: an `ExitStack` (closed directly, or as the manager of an
//! `async_with!` block) filled by a generated list of operations (`enter`,
//! `enter_map`, `push_callback`, a `manager_fn`, a `Detached` manager, with
//! a `pop_all` at a random point handing the entries so far to a second
//! stack), inside which a nest of up to three `async_with!`, `with` and
//! `try_with` frames runs a body that completes, fails or panics. `enter`,
//! `exit` and the callbacks await, fail or panic as planned; each stack's
//! `close` may be cut by a timeout and then retried or dropped; and the
//! whole program may be cancelled (timeout, `select!`) at any instant.
//!
//! Every case checks: each entered resource is finished exactly once (its
//! exit completed, its cancel ran, or, for a `manager_fn` whose exit was
//! cut, its resource was dropped); no exit is started twice; closes are
//! LIFO (a `Detached` entry's handed-off exit runs later, as documented,
//! so it is checked for exactly-once only); no panic other than the planned
//! ones, a detached task's included; every resource and manager dropped.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_with::{
    AnyError, AsyncContextManager, Detached, ExitStack, Outcome, async_with, manager_fn, try_with,
    with,
};
use futures::FutureExt;
use proptest::test_runner::TestCaseError;
use proptest::test_runner::{Config, TestRunner};

use super::support::{env_or, silence_planned_panics, unplanned_panics};
use super::{HANG_MS, PANIC_PREFIX, pause};

#[path = "contextlib_entries.rs"]
mod entries;
use entries::{Probe, push_op};
#[path = "contextlib_model.rs"]
mod model;
use model::{check, plan};

const MAX_OPS: usize = 5;
const MAX_FRAMES: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Error,
    Panic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpKind {
    Enter,
    EnterMap,
    Callback,
    ManagerFn,
    Detached,
}

#[derive(Clone, Copy, Debug)]
struct Op {
    kind: OpKind,
    enter_ms: u64,
    exit_ms: u64,
    enter_fault: Option<Fault>,
    exit_fault: Option<Fault>,
    /// `Detached`'s timeout.
    detach_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Macro,
    With,
    TryWith,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: FrameKind,
    enter_ms: u64,
    exit_ms: u64,
    exit_fault: Option<Fault>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Complete,
    Fail,
    Panic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Close {
    Plain,
    /// Cut by a timeout after this many ms, then closed again.
    CutThenRetry(u64),
    /// Cut by a timeout after this many ms, then the stack is dropped.
    CutThenDrop(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Canceller {
    None,
    Timeout,
    Select,
}

#[derive(Clone, Debug)]
struct Plan {
    ops: Vec<Op>,
    /// `pop_all` before this op (none when past the end).
    pop_at: usize,
    frames: Vec<Frame>,
    body_ms: u64,
    body: Body,
    /// The stack is the manager of an `async_with!` block (else closed
    /// directly, as `closes` says).
    block: bool,
    /// How the stack and the `pop_all` owner are closed.
    closes: [Close; 2],
    canceller: Canceller,
    deadline_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Enter(usize),
    ExitStart(usize),
    ExitDone(usize),
    Cancel(usize),
    /// A `manager_fn` resource or a callback's captured token was dropped.
    Dropped(usize),
}

#[derive(Default)]
struct State {
    events: Mutex<Vec<Event>>,
    live: AtomicUsize,
}

impl State {
    fn push(&self, event: Event) {
        self.events.lock().unwrap().push(event);
    }
}

fn planned_panic(place: &str, id: usize) -> ! {
    std::panic::panic_any(format!("{PANIC_PREFIX} {place} {id}"))
}

fn frame_manager(plan: &Plan, level: usize, state: &Arc<State>) -> Probe {
    let frame = plan.frames[level];
    let op = Op {
        kind: OpKind::Enter,
        enter_ms: frame.enter_ms,
        exit_ms: frame.exit_ms,
        enter_fault: None,
        exit_fault: frame.exit_fault,
        detach_ms: 0,
    };
    Probe::new(plan.ops.len() + level, state, op)
}

type Boxed<'a> = std::pin::Pin<Box<dyn Future<Output = Result<(), Failed>> + 'a>>;

/// The nest of frames from `level` in, around the body.
fn nest<'a>(plan: &'a Plan, level: usize, state: &'a Arc<State>) -> Boxed<'a> {
    Box::pin(async move {
        if level == plan.frames.len() {
            pause(plan.body_ms).await;
            return match plan.body {
                Body::Complete => Ok(()),
                Body::Fail => Err(Failed("body".into())),
                Body::Panic => planned_panic("in body", usize::MAX),
            };
        }
        let manager = frame_manager(plan, level, state);
        match plan.frames[level].kind {
            FrameKind::Macro => {
                async_with!(manager? => _id {
                    nest(plan, level + 1, state).await?;
                });
                Ok(())
            }
            FrameKind::With => {
                with(manager, async |_id| nest(plan, level + 1, state).await).await?
            }
            FrameKind::TryWith => {
                try_with(manager, async |_id| nest(plan, level + 1, state).await).await
            }
        }
    })
}

/// The ops (with the `pop_all`), then the nest.
async fn fill(
    plan: &Plan,
    state: &Arc<State>,
    stack: &mut ExitStack<AnyError>,
    owner: &mut ExitStack<AnyError>,
) -> Result<(), Failed> {
    for (id, op) in plan.ops.iter().enumerate() {
        if plan.pop_at == id {
            *owner = stack.pop_all();
        }
        push_op(stack, id, *op, state).await?;
    }
    nest(plan, 0, state).await
}

fn told(failed: bool, error: &Failed) -> Outcome<'_> {
    match failed {
        true => Outcome::Failed(async_with::Failure::from_error(error)),
        false => Outcome::Completed,
    }
}

/// Closes `stack` as planned; a stack to drop when the plan says so.
async fn close(
    stack: &mut ExitStack<AnyError>,
    how: Close,
    failed: bool,
) -> Option<ExitStack<AnyError>> {
    let body_error = Failed("body".into());
    let cut = match how {
        Close::Plain => {
            let _ = stack.close_with(told(failed, &body_error)).await;
            return None;
        }
        Close::CutThenRetry(ms) | Close::CutThenDrop(ms) => ms,
    };
    let closing = stack.close_with(told(failed, &body_error));
    if tokio::time::timeout(Duration::from_millis(cut), closing)
        .await
        .is_ok()
    {
        return None;
    }
    match how {
        Close::CutThenRetry(_) => {
            let _ = stack.close().await;
            None
        }
        _ => Some(std::mem::take(stack)),
    }
}

async fn program(plan: Arc<Plan>, state: Arc<State>) -> Result<(), Failed> {
    // Declared first, dropped last: it holds the entries made first.
    let mut owner = ExitStack::<AnyError>::new();
    if plan.block {
        let result: Result<(), Box<dyn std::error::Error + Send + Sync>> = async {
            async_with!(ExitStack::<AnyError>::new()? => stack {
                fill(&plan, &state, stack, &mut owner).await?;
            });
            Ok(())
        }
        .await;
        let dropped = close(&mut owner, plan.closes[1], result.is_err()).await;
        drop(dropped);
        return result.map_err(|error| Failed(error.to_string()));
    }
    let mut stack = ExitStack::<AnyError>::new();
    let result = fill(&plan, &state, &mut stack, &mut owner).await;
    let dropped = close(&mut stack, plan.closes[0], result.is_err()).await;
    drop(dropped);
    let dropped = close(&mut owner, plan.closes[1], result.is_err()).await;
    drop(dropped);
    result
}

#[derive(Debug, PartialEq, Eq)]
enum RunResult {
    Finished,
    Panicked(String),
    Cancelled,
}

async fn run(plan: Arc<Plan>, state: Arc<State>) -> RunResult {
    let deadline = Duration::from_millis(plan.deadline_ms);
    let caught = |result: Result<bool, Box<dyn std::any::Any + Send>>| match result {
        Ok(true) => RunResult::Finished,
        Ok(false) => RunResult::Cancelled,
        Err(payload) => RunResult::Panicked(match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(_) => "a panic that is not a String".into(),
        }),
    };
    let result = match plan.canceller {
        Canceller::None => caught(
            AssertUnwindSafe(program(plan.clone(), state.clone()).map(|_| true))
                .catch_unwind()
                .await,
        ),
        Canceller::Timeout => caught(
            AssertUnwindSafe(tokio::time::timeout(
                deadline,
                program(plan.clone(), state.clone()),
            ))
            .catch_unwind()
            .await
            .map(|result| result.is_ok()),
        ),
        Canceller::Select => caught(
            AssertUnwindSafe(async {
                tokio::select! {
                    _ = program(plan.clone(), state.clone()) => true,
                    () = tokio::time::sleep(deadline) => false,
                }
            })
            .catch_unwind()
            .await,
        ),
    };
    // Detached exits run as tasks, bounded by their timeouts (well under
    // this): let them all finish on the paused clock.
    tokio::time::sleep(Duration::from_millis(2 * HANG_MS)).await;
    result
}

#[derive(Default, Debug)]
struct Coverage {
    cancelled: usize,
    panicked: usize,
    cancel_hooks: usize,
    exits_cut: usize,
    resources_dropped_by_cut: usize,
    detached_exits: usize,
}

#[test]
fn every_contextlib_entry_is_finished_exactly_once_in_lifo_order() {
    silence_planned_panics(PANIC_PREFIX);
    let cases: u32 = env_or("PROPTEST_CASES", 10_000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let coverage = std::cell::RefCell::new(Coverage::default());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let started = std::time::Instant::now();
    let verdict = runner.run(&plan(), |plan| {
        let plan = Arc::new(plan);
        let state = Arc::new(State::default());
        let unplanned = unplanned_panics();
        let result = runtime.block_on(run(plan.clone(), state.clone()));
        let events = state.events.lock().unwrap().clone();
        let live = state.live.load(Ordering::SeqCst);
        let mut verdict = check(&plan, &result, &events, live);
        if verdict.is_ok() && unplanned_panics() != unplanned {
            verdict = Err("a panic that was not planned (a detached task's?)".into());
        }
        if let Err(broken) = verdict {
            return Err(TestCaseError::fail(format!(
                "{broken}\nresult: {result:?}\nevents: {events:?}"
            )));
        }
        let mut coverage = coverage.borrow_mut();
        coverage.cancelled += usize::from(result == RunResult::Cancelled);
        coverage.panicked += usize::from(matches!(result, RunResult::Panicked(_)));
        for (index, event) in events.iter().enumerate() {
            let before = index.checked_sub(1).map(|i| events[i]);
            match *event {
                Event::Cancel(id) => {
                    coverage.cancel_hooks += 1;
                    coverage.exits_cut += usize::from(before == Some(Event::ExitStart(id)));
                }
                Event::Dropped(id) => {
                    coverage.resources_dropped_by_cut +=
                        usize::from(before == Some(Event::ExitStart(id)));
                }
                Event::ExitStart(id) => {
                    coverage.detached_exits += usize::from(
                        plan.ops
                            .get(id)
                            .is_some_and(|op| op.kind == OpKind::Detached),
                    );
                }
                _ => {}
            }
        }
        Ok(())
    });
    if let Err(failure) = verdict {
        panic!("{failure}");
    }
    let coverage = coverage.into_inner();
    eprintln!(
        "prop_exactly_once (contextlib): {cases} cases passed in {:?}: {coverage:?}",
        started.elapsed()
    );
    if cases >= 1_000 {
        assert!(coverage.cancelled > 0, "{coverage:?}");
        assert!(coverage.panicked > 0, "{coverage:?}");
        assert!(coverage.exits_cut > 0, "{coverage:?}");
        assert!(coverage.resources_dropped_by_cut > 0, "{coverage:?}");
        assert!(coverage.detached_exits > 0, "{coverage:?}");
    }
}

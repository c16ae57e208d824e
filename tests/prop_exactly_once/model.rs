//! The plan's generators and the model a run is checked against: what
//! each level's `exit` must be told, how the program must end, and the
//! exactly-once and LIFO rules on the recorded events.

use proptest::prelude::*;

use super::*;

/// How control leaves a block, as its enclosing body sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Escape {
    Complete,
    Fail(LevelError),
    Return(usize),
    Break,
    Panic(String),
}

fn action_escape(plan: &Plan, level: usize) -> Escape {
    match plan.levels[level].action {
        Action::Complete => Escape::Complete,
        Action::Fail | Action::ReturnErr => Escape::Fail(LevelError::Body(level)),
        Action::Return => Escape::Return(level),
        Action::Break => Escape::Break,
        Action::Panic => Escape::Panic(panic_text("in body", level)),
    }
}

/// How the body of `level` ends (what its `exit` is told), if it is entered.
fn body_escape(plan: &Plan, level: usize) -> Escape {
    if level + 1 < plan.depth {
        let inner = block_escape(plan, level + 1);
        if inner != Escape::Complete {
            return inner;
        }
    }
    action_escape(plan, level)
}

/// How the whole block of `level` ends, manager faults included.
fn block_escape(plan: &Plan, level: usize) -> Escape {
    let faults = plan.levels[level];
    match faults.enter_fault {
        Some(Fault::Error) => return Escape::Fail(LevelError::Enter(level)),
        Some(Fault::Panic) => return Escape::Panic(panic_text("in enter", level)),
        None => {}
    }
    let body = body_escape(plan, level);
    match (faults.exit_fault, body) {
        (Some(Fault::Panic), _) => Escape::Panic(panic_text("in exit", level)),
        // A body panic resumes over an exit error (which is logged).
        (Some(Fault::Error), Escape::Panic(message)) => Escape::Panic(message),
        (Some(Fault::Error), _) => Escape::Fail(LevelError::Exit(level)),
        (None, body) => body,
    }
}

fn expected_outcome(plan: &Plan, level: usize) -> String {
    match body_escape(plan, level) {
        Escape::Complete | Escape::Return(_) | Escape::Break => "completed".into(),
        Escape::Fail(error) => format!("failed(Some({error:?}))"),
        Escape::Panic(message) => format!("panicked(Some({message:?}))"),
    }
}

fn expected_result(plan: &Plan) -> RunResult {
    match block_escape(plan, 0) {
        Escape::Complete => RunResult::Finished(Ok(Ending::Completed)),
        Escape::Fail(error) => RunResult::Finished(Err(error)),
        Escape::Return(level) => RunResult::Finished(Ok(Ending::Returned(level))),
        Escape::Break => RunResult::Finished(Ok(Ending::Broke)),
        Escape::Panic(message) => RunResult::Panicked(message),
    }
}

/// The levels an uncancelled run enters: up to the first failing `enter`.
fn entered_levels(plan: &Plan) -> usize {
    (0..plan.depth)
        .find(|&level| plan.levels[level].enter_fault.is_some())
        .unwrap_or(plan.depth)
}

/// Checks one case's trace; `Err` says what broke.
pub(super) fn check(
    plan: &Plan,
    result: &RunResult,
    events: &[Event],
    live: usize,
) -> Result<(), String> {
    if live != 0 {
        return Err(format!("{live} managers still alive"));
    }
    // Open blocks, innermost last, with whether their exit has started.
    let mut open: Vec<(usize, bool)> = Vec::new();
    for event in events {
        match event {
            Event::Enter(level) => {
                if *level != open.len() {
                    return Err(format!("{event:?} with {open:?} open"));
                }
                open.push((*level, false));
            }
            Event::ExitStart(level, seen) => {
                match open.last_mut() {
                    Some((top, started)) if top == level && !*started => *started = true,
                    _ => return Err(format!("{event:?} with {open:?} open (not LIFO)")),
                }
                let expected = expected_outcome(plan, *level);
                if *seen != expected {
                    return Err(format!("exit {level} saw {seen}, expected {expected}"));
                }
            }
            Event::ExitDone(level) => match open.pop() {
                Some((top, true)) if top == *level => {}
                other => return Err(format!("{event:?} closing {other:?}")),
            },
            Event::Cancel(level) => match open.pop() {
                Some((top, _)) if top == *level => {}
                other => return Err(format!("{event:?} closing {other:?}")),
            },
        }
    }
    if !open.is_empty() {
        return Err(format!("blocks {open:?} neither exited nor cancelled"));
    }
    let cancels = events
        .iter()
        .filter(|event| matches!(event, Event::Cancel(_)))
        .count();
    if *result == RunResult::Cancelled {
        return Ok(());
    }
    let entered = events
        .iter()
        .filter(|event| matches!(event, Event::Enter(_)))
        .count();
    if entered != entered_levels(plan) {
        let expected = entered_levels(plan);
        return Err(format!(
            "finished with {entered} levels entered, expected {expected}"
        ));
    }
    // Only an `exit` that panicked leaves its guard armed in a finished run.
    let exit_panics = (0..entered)
        .filter(|&level| plan.levels[level].exit_fault == Some(Fault::Panic))
        .count();
    if cancels != exit_panics {
        return Err(format!(
            "{cancels} cancel hooks ran in a finished run, expected {exit_panics}"
        ));
    }
    let expected = expected_result(plan);
    if *result != expected {
        return Err(format!("program ended {result:?}, expected {expected:?}"));
    }
    Ok(())
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => Just(Action::Complete),
        1 => Just(Action::Fail),
        1 => Just(Action::Return),
        1 => Just(Action::ReturnErr),
        1 => Just(Action::Break),
        1 => Just(Action::Panic),
    ]
}

pub(crate) fn delay() -> impl Strategy<Value = u64> {
    prop_oneof![4 => Just(0), 4 => 1..=5u64, 1 => Just(HANG_MS)]
}

fn fault() -> impl Strategy<Value = Option<Fault>> {
    prop_oneof![
        16 => Just(None),
        1 => Just(Some(Fault::Error)),
        1 => Just(Some(Fault::Panic)),
    ]
}

fn level() -> impl Strategy<Value = Level> {
    (
        action(),
        (delay(), delay(), delay(), delay()),
        fault(),
        fault(),
    )
        .prop_map(
            |(action, (enter_ms, before_ms, after_ms, exit_ms), enter_fault, exit_fault)| Level {
                action,
                enter_ms,
                before_ms,
                after_ms,
                exit_ms,
                enter_fault,
                exit_fault,
            },
        )
}

pub(super) fn plan() -> impl Strategy<Value = Plan> {
    let canceller = prop_oneof![
        Just(Canceller::None),
        Just(Canceller::Timeout),
        Just(Canceller::Select),
        Just(Canceller::Abort),
    ];
    (
        1..=LEVELS,
        [level(), level(), level(), level()],
        canceller,
        0..=40u64,
    )
        .prop_map(|(depth, levels, canceller, deadline_ms)| Plan {
            depth,
            levels,
            canceller,
            deadline_ms,
        })
}

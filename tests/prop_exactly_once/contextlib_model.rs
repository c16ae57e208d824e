//! The contextlib programs' generators, and the rules a run's trace is
//! checked against: exactly once, no exit started twice, LIFO, every
//! resource dropped once, no library panic.

use proptest::prelude::*;

use super::*;
// The same awaits as the nested-block programs: instant, short, or a hang.
use crate::model::delay;

/// Checks one case's trace; `Err` says what broke.
pub(super) fn check(
    plan: &Plan,
    result: &RunResult,
    events: &[Event],
    live: usize,
) -> Result<(), String> {
    if let RunResult::Panicked(message) = result {
        if !message.starts_with(PANIC_PREFIX) {
            return Err(format!("the library panicked: {message}"));
        }
    }
    if live != 0 {
        return Err(format!("{live} managers or resources still alive"));
    }
    let detached = |id: usize| {
        plan.ops
            .get(id)
            .is_some_and(|op| op.kind == OpKind::Detached)
    };
    let resource = |id: usize| {
        plan.ops
            .get(id)
            .is_some_and(|op| op.kind == OpKind::ManagerFn)
    };
    // Per id: entered, exit started, finished.
    let count = plan.ops.len() + plan.frames.len();
    let mut entered = vec![false; count];
    let mut started = vec![false; count];
    let mut finished = vec![false; count];
    let mut drops = vec![0usize; count];
    // LIFO over the entries that are not detached: open ones, last on top.
    let mut open: Vec<usize> = Vec::new();
    let close_lifo = |open: &mut Vec<usize>, id: usize, event: &Event| match open.pop() {
        Some(top) if top == id => Ok(()),
        other => Err(format!("{event:?} while {other:?} was on top (not LIFO)")),
    };
    for event in events {
        match *event {
            Event::Enter(id) => {
                if entered[id] {
                    return Err(format!("{id} entered twice"));
                }
                entered[id] = true;
                if !detached(id) {
                    open.push(id);
                }
            }
            Event::ExitStart(id) => {
                if !entered[id] || finished[id] || started[id] {
                    return Err(format!(
                        "exit of {id} started twice, or unentered or finished"
                    ));
                }
                started[id] = true;
                if !detached(id) && open.last() != Some(&id) {
                    return Err(format!(
                        "exit of {id} started with {open:?} open (not LIFO)"
                    ));
                }
            }
            Event::ExitDone(id) | Event::Cancel(id) => {
                if !entered[id] || finished[id] {
                    return Err(format!("{event:?}: {id} unentered or already finished"));
                }
                if matches!(event, Event::ExitDone(_)) && !started[id] {
                    return Err(format!("{event:?} without its start"));
                }
                finished[id] = true;
                if !detached(id) {
                    close_lifo(&mut open, id, event)?;
                }
            }
            Event::Dropped(id) => {
                drops[id] += 1;
                // A `manager_fn` whose exit was cut: the drop is its cleanup.
                if resource(id) && started[id] && !finished[id] {
                    finished[id] = true;
                    close_lifo(&mut open, id, event)?;
                }
            }
        }
    }
    for id in 0..count {
        if entered[id] && !finished[id] {
            return Err(format!("{id} was entered and neither exited nor cancelled"));
        }
        if resource(id) && entered[id] && drops[id] != 1 {
            return Err(format!("resource {id} dropped {} times", drops[id]));
        }
    }
    Ok(())
}

fn fault() -> impl Strategy<Value = Option<Fault>> {
    prop_oneof![
        12 => Just(None),
        1 => Just(Some(Fault::Error)),
        1 => Just(Some(Fault::Panic)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        Just(OpKind::Enter),
        Just(OpKind::EnterMap),
        Just(OpKind::Callback),
        Just(OpKind::ManagerFn),
        Just(OpKind::Detached),
    ];
    (kind, delay(), delay(), fault(), fault(), 0..=8u64).prop_map(
        |(kind, enter_ms, exit_ms, enter_fault, exit_fault, detach_ms)| Op {
            kind,
            enter_ms,
            exit_ms,
            enter_fault,
            exit_fault,
            detach_ms,
        },
    )
}

fn frame() -> impl Strategy<Value = Frame> {
    let kind = prop_oneof![
        Just(FrameKind::Macro),
        Just(FrameKind::With),
        Just(FrameKind::TryWith)
    ];
    (kind, delay(), delay(), fault()).prop_map(|(kind, enter_ms, exit_ms, exit_fault)| Frame {
        kind,
        enter_ms,
        exit_ms,
        exit_fault,
    })
}

fn close_mode() -> impl Strategy<Value = Close> {
    prop_oneof![
        2 => Just(Close::Plain),
        1 => (0..=12u64).prop_map(Close::CutThenRetry),
        1 => (0..=12u64).prop_map(Close::CutThenDrop),
    ]
}

pub(super) fn plan() -> impl Strategy<Value = Plan> {
    let body = prop_oneof![
        3 => Just(Body::Complete),
        1 => Just(Body::Fail),
        1 => Just(Body::Panic)
    ];
    let canceller = prop_oneof![
        2 => Just(Canceller::None),
        1 => Just(Canceller::Timeout),
        1 => Just(Canceller::Select),
    ];
    (
        prop::collection::vec(op(), 0..=MAX_OPS),
        0..=MAX_OPS + 1,
        prop::collection::vec(frame(), 0..=MAX_FRAMES),
        (delay(), body, any::<bool>()),
        [close_mode(), close_mode()],
        (canceller, 0..=40u64),
    )
        .prop_map(
            |(ops, pop_at, frames, (body_ms, body, block), closes, (canceller, deadline_ms))| {
                Plan {
                    ops,
                    pop_at,
                    frames,
                    body_ms,
                    body,
                    block,
                    closes,
                    canceller,
                    deadline_ms,
                }
            },
        )
}

//! What the contextlib programs put on their stacks: a recording manager,
//! a callback, a `manager_fn` whose resource records its drop, and a
//! `Detached` manager.

use super::*;

/// Counts itself live, and records its drop when it is a resource.
pub(super) struct Token {
    id: usize,
    state: Arc<State>,
    resource: bool,
}

impl Token {
    fn new(id: usize, state: &Arc<State>, resource: bool) -> Self {
        state.live.fetch_add(1, Ordering::SeqCst);
        Token {
            id,
            state: state.clone(),
            resource,
        }
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        if self.resource {
            self.state.push(Event::Dropped(self.id));
        }
        self.state.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A hand-written manager that records its events.
pub(super) struct Probe {
    token: Token,
    enter_ms: u64,
    exit_ms: u64,
    enter_fault: Option<Fault>,
    exit_fault: Option<Fault>,
}

impl Probe {
    pub(super) fn new(id: usize, state: &Arc<State>, op: Op) -> Self {
        Probe {
            token: Token::new(id, state, false),
            enter_ms: op.enter_ms,
            exit_ms: op.exit_ms,
            enter_fault: op.enter_fault,
            exit_fault: op.exit_fault,
        }
    }

    fn push(&self, event: Event) {
        self.token.state.push(event);
    }
}

impl AsyncContextManager for Probe {
    type Target<'a> = usize;
    type Error = Failed;

    async fn enter(&mut self) -> Result<usize, Failed> {
        let id = self.token.id;
        pause(self.enter_ms).await;
        match self.enter_fault {
            Some(Fault::Error) => return Err(Failed(format!("enter {id}"))),
            Some(Fault::Panic) => planned_panic("in enter", id),
            None => {}
        }
        self.push(Event::Enter(id));
        Ok(id)
    }

    async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), Failed> {
        let id = self.token.id;
        self.push(Event::ExitStart(id));
        pause(self.exit_ms).await;
        match self.exit_fault {
            Some(Fault::Panic) => planned_panic("in exit", id),
            Some(Fault::Error) => {
                self.push(Event::ExitDone(id));
                Err(Failed(format!("exit {id}")))
            }
            None => {
                self.push(Event::ExitDone(id));
                Ok(())
            }
        }
    }

    fn cancel(&mut self) {
        self.push(Event::Cancel(self.token.id));
    }
}

async_with::impl_send_manager!(Probe);

/// Adds op `id` to `stack`.
pub(super) async fn push_op(
    stack: &mut ExitStack<AnyError>,
    id: usize,
    op: Op,
    state: &Arc<State>,
) -> Result<(), Failed> {
    match op.kind {
        OpKind::Enter => stack.enter(Probe::new(id, state, op)).await,
        OpKind::EnterMap => {
            stack
                .enter_map(Probe::new(id, state, op), |target| {
                    assert_eq!(target, id, "enter_map was handed another target");
                })
                .await
        }
        OpKind::Detached => {
            let manager = Probe::new(id, state, op);
            let detached = Detached::new(manager).timeout(Duration::from_millis(op.detach_ms));
            stack.enter(detached).await
        }
        OpKind::Callback => {
            state.push(Event::Enter(id));
            let (token, cancel_state) = (Token::new(id, state, false), state.clone());
            let (exit_state, exit_ms, exit_fault) = (state.clone(), op.exit_ms, op.exit_fault);
            stack.push_callback(
                async move {
                    exit_state.push(Event::ExitStart(id));
                    pause(exit_ms).await;
                    if exit_fault == Some(Fault::Panic) {
                        planned_panic("in callback", id);
                    }
                    exit_state.push(Event::ExitDone(id));
                    match exit_fault {
                        Some(_) => Err(Failed(format!("callback {id}")).into()),
                        None => Ok(()),
                    }
                },
                move || {
                    cancel_state.push(Event::Cancel(id));
                    drop(token);
                },
            );
            Ok(())
        }
        OpKind::ManagerFn => {
            let (enter_state, exit_state, cancel_state) =
                (state.clone(), state.clone(), state.clone());
            let (enter_ms, enter_fault) = (op.enter_ms, op.enter_fault);
            let (exit_ms, exit_fault) = (op.exit_ms, op.exit_fault);
            let manager = manager_fn(
                move || {
                    let state = enter_state.clone();
                    async move {
                        pause(enter_ms).await;
                        match enter_fault {
                            Some(Fault::Error) => return Err(Failed(format!("enter {id}"))),
                            Some(Fault::Panic) => planned_panic("in enter", id),
                            None => {}
                        }
                        state.push(Event::Enter(id));
                        Ok(Token::new(id, &state, true))
                    }
                },
                move |resource: Token, _outcome| {
                    exit_state.push(Event::ExitStart(id));
                    let state = exit_state.clone();
                    async move {
                        pause(exit_ms).await;
                        if exit_fault == Some(Fault::Panic) {
                            planned_panic("in exit", id);
                        }
                        state.push(Event::ExitDone(id));
                        drop(resource);
                        match exit_fault {
                            Some(_) => Err(Failed(format!("exit {id}"))),
                            None => Ok(()),
                        }
                    }
                },
                move |resource: Token| {
                    cancel_state.push(Event::Cancel(id));
                    drop(resource);
                },
            );
            stack.enter(manager).await
        }
    }
}

//! Compile equivalence, other macros in the body: a `return`, `break`,
//! `continue` or `?` that another macro's tokens keep to themselves (in a
//! closure, an `async` block, a nested `fn` or `impl` or a `macro_rules!`
//! the macro is given, in a loop or labelled block inside the body, in a
//! generator's body, in `defer!`, in `stringify!`) compiles and behaves as
//! inline. The ones that would leave the body are compile errors at the
//! keyword (tests/ui/*_another_macro*.rs, tests/ui/return_through_*.rs,
//! tests/ui/return_in_select_*.rs).

use crate::support;

use std::cell::Cell;

use futures::StreamExt;
use support::equivalence::{Refused, equivalent, m, ready};

fn check(n: u8) -> Result<u8, Refused> {
    if n == 0 { Err(Refused) } else { Ok(n) }
}

macro_rules! passthrough {
    ($e:expr) => {
        $e
    };
}

/// A `try` block of its own: `?` and `return` leave the closure.
macro_rules! try_block {
    ($body:block) => {
        (|| $body)()
    };
}

macro_rules! repeat_until {
    ($n:expr, $body:block) => {{
        let mut count = 0u8;
        loop {
            count += 1;
            if count > $n {
                break count;
            }
            $body
        }
    }};
}

/// Runs its statements where it is written, like `tokio::pin!`'s `let`s.
macro_rules! statements {
    ($($tokens:tt)*) => {{ $($tokens)* }};
}

/// `lazy_static!`'s grammar, as plain `let`s.
macro_rules! lazy_lets {
    ($(static ref $name:ident : $ty:ty = $init:expr;)*) => {
        $(let $name: $ty = $init;)*
    };
}

/// `tokio::select!`'s arm grammar, first arm only.
macro_rules! first_arm {
    ($($pat:pat = $e:expr => $arm:expr),* $(,)?) => {
        match () { $(_ => { let $pat = $e; $arm })* }
    };
}

/// `tracing`'s field sigils (`?x`, `%x`), read and dropped.
macro_rules! fields {
    ($($tokens:tt)*) => {
        ()
    };
}

/// scopeguard's `defer!`: the statements run in a closure of their own when
/// the scope ends.
macro_rules! defer {
    ($($tokens:tt)*) => {
        let _guard = Deferred(Some(|| { $($tokens)* }));
    };
}

struct Deferred<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for Deferred<F> {
    fn drop(&mut self) {
        if let Some(deferred) = self.0.take() {
            deferred();
        }
    }
}

equivalent! {
    fn return_in_a_closure_given_to_a_macro(n: u8) -> u8 {
        async_with!(m() { passthrough!((|| { if n > 2 { return n * 2; } n })()) + 1 })
    } for [(1), (3)];

    fn question_mark_in_a_closure_given_to_a_macro(n: u8) -> Result<u8, Refused> {
        async_with!(m() {
            let inner: Result<u8, Refused> = try_block!({ let v = check(n)?; Ok(v + 1) });
            Ok(inner.unwrap_or(100))
        })
    } for [(0), (4)];

    fn return_in_an_async_block_given_to_a_macro(n: u8) -> u8 {
        async_with!(m() { passthrough!(async { if n == 0 { return 7; } n }).await })
    } for [(0), (5)];

    fn break_to_a_loop_inside_the_body_in_a_macro(n: u8) -> u8 {
        async_with!(m() {
            let mut i = 0;
            loop {
                i += 1;
                passthrough!(if i >= n { break });
            }
            i
        })
    } for [(1), (4)];

    fn continue_to_a_loop_inside_the_body_in_a_macro(n: u8) -> u8 {
        async_with!(m() {
            let mut odd = 0;
            for i in 0..n {
                passthrough!(if i % 2 == 0 { continue });
                odd += 1;
            }
            odd
        })
    } for [(0), (5)];

    fn return_only_read_as_tokens(n: u8) -> usize {
        async_with!(m() { stringify!(return n).len() + usize::from(n) })
    } for [(2)];

    fn a_macro_with_its_own_loop(n: u8) -> u8 {
        async_with!(m() { repeat_until!(n, { if n == 9 { continue; } }) })
    } for [(0), (3), (9)];

    fn return_beside_a_macro(n: u8) -> u8 {
        async_with!(m() {
            let doubled = passthrough!(n * 2);
            if doubled > 4 { return doubled; }
            ready(doubled).await + 1
        })
    } for [(1), (3)];

    fn return_in_a_nested_fn_given_to_a_macro(n: u8) -> u8 {
        async_with!(m() { passthrough!({ fn one() -> u8 { return 1; } one() + n }) })
    } for [(2)];

    fn return_in_an_impl_given_to_a_macro(n: u8) -> u8 {
        async_with!(m() {
            statements! {
                struct Twice(u8);
                impl Twice { fn get(&self) -> u8 { if self.0 > 9 { return 0; } self.0 * 2 } }
                Twice(n).get()
            }
        })
    } for [(3), (10)];

    fn macro_rules_with_return_defined_in_the_body(n: u8) -> u8 {
        async_with!(m() {
            macro_rules! early { ($e:expr) => { return $e }; }
            let f = || -> u8 { if n > 1 { early!(n); } 0 };
            f() + 1
        })
    } for [(1), (4)];

    fn macro_rules_with_return_defined_in_another_macro(n: u8) -> u8 {
        async_with!(m() {
            statements! {
                macro_rules! early { ($e:expr) => { return $e }; }
                let f = || -> u8 { if n > 1 { early!(n); } 0 };
                f() + 1
            }
        })
    } for [(1), (4)];

    fn return_ending_a_stream_generator(n: u8) -> Vec<u8> {
        async_with!(m() {
            let numbers = async_stream::stream! {
                for i in 0..10 {
                    if i >= n { return; }
                    yield i;
                }
            };
            futures::pin_mut!(numbers);
            let mut seen = Vec::new();
            while let Some(i) = numbers.next().await { seen.push(i); }
            seen
        })
    } for [(0), (3)];

    fn return_and_question_mark_in_a_try_stream(n: u8) -> Vec<Result<u8, Refused>> {
        async_with!(m() {
            let numbers = async_stream::try_stream! {
                for i in 0..n {
                    if i == 3 { return; }
                    yield check(i)?;
                }
            };
            numbers.collect::<Vec<Result<u8, Refused>>>().await
        })
    } for [(0), (2), (5)];

    fn return_in_select_branches_and_handlers(n: u8) -> u8 {
        async_with!(m() {
            tokio::select! {
                biased;
                v = async { if n == 0 { return 9; } n }, if (|| { return n < 200; })() => {
                    (|| { if v > 5 { return 5; } v })()
                }
                else => { fn fallback() -> u8 { return 4; } fallback() }
            }
        })
    } for [(0), (3), (7)];

    fn return_in_async_blocks_given_to_join_and_pin(n: u8) -> u8 {
        async_with!(m() {
            let (a, b) = tokio::join!(async { if n > 2 { return 1; } n }, async { 2u8 });
            let (c,) = futures::join!(async { return 10u8; });
            tokio::pin! { let d = async { if n == 0 { return 20u8; } 30 }; }
            a + b + c + d.await
        })
    } for [(0), (3)];

    fn return_in_a_closure_in_matches_and_assert(n: u8) -> bool {
        async_with!(m() {
            assert!([n].iter().all(|x| { if *x > 100 { return false; } true }));
            matches!(Some(n), Some(k) if (|| { return k > 1; })())
        })
    } for [(1), (4)];

    fn return_in_item_macros_with_initialisers(n: u8) -> u8 {
        async_with!(m() {
            thread_local! {
                static COUNT: Cell<u8> = const { Cell::new(1) };
                static BASE: u8 = (|| { return 2; })();
            }
            lazy_lets! { static ref extra: u8 = { fn three() -> u8 { return 3; } three() }; }
            COUNT.with(Cell::get) + BASE.with(|base| *base) + extra + n
        })
    } for [(0), (4)];

    fn nested_block_inside_another_macro(n: u8) -> u8 {
        async_with!(m() {
            passthrough!(async_with!(m() { (|| { if n > 1 { return n; } 0 })() + 1 }))
        })
    } for [(1), (5)];

    fn break_to_a_labelled_block_in_a_macro(n: u8) -> u8 {
        async_with!(m() { passthrough!('found: { if n > 1 { break 'found n * 3; } n }) })
    } for [(1), (2)];

    fn raw_identifier_return_in_arms(n: u8) -> u8 {
        async_with!(m() {
            let r#return = n;
            first_arm! { v = r#return => v + 1 }
        })
    } for [(6)];

    fn sigils_and_a_brace_statement_macro_before_more_statements(n: u8) -> u8 {
        async_with!(m() {
            fields! { ?n, %n, return_code = n }
            let doubled = n * 2;
            doubled
        })
    } for [(4)];

    fn return_in_a_stream_whose_yield_is_in_another_macro(n: u8) -> Vec<u8> {
        async_with!(m() {
            let numbers = async_stream::stream! {
                for i in 0..4 {
                    if i >= n { return; }
                    tokio::select! { biased; v = async { i } => yield v, }
                    passthrough!(yield i * 10);
                }
            };
            numbers.collect::<Vec<u8>>().await
        })
    } for [(0), (2)];

    fn return_in_futures_select_branches(n: u8) -> u8 {
        async_with!(m() {
            use futures::FutureExt;
            let first = async { if n == 0 { return 9; } n }.fuse();
            futures::pin_mut!(first);
            futures::select_biased! {
                v = first => (|| { if v > 5 { return 5; } v })(),
                complete => 0,
                default => { fn idle() -> u8 { return 1; } idle() }
            }
        })
    } for [(0), (3), (7)];

    fn break_and_continue_to_a_loop_in_the_body_from_select_arms(n: u8) -> u8 {
        async_with!(m() {
            let mut i = 0;
            'outer: loop {
                i += 1;
                tokio::select! {
                    biased;
                    (a, b) = async { (i, n) } => { if a > b { break 'outer; } continue 'outer; }
                }
            }
            i
        })
    } for [(0), (3)];

    fn return_in_a_deferred_closure(n: u8) -> u8 {
        async_with!(m() {
            let seen = Cell::new(0u8);
            {
                defer! { if n == 0 { return; } seen.set(n); }
            }
            seen.get() + 1
        })
    } for [(0), (3)];
}

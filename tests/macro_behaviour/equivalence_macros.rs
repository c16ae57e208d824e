//! Compile equivalence, other macros in the body: a `return`, `break`,
//! `continue` or `?` that another macro's tokens keep to themselves (in a
//! closure or an `async` block the macro is given, in a loop inside the
//! body, in `stringify!`) compiles and behaves as inline. The ones that
//! would leave the body are compile errors at the keyword
//! (tests/ui/*_another_macro*.rs).

use crate::support;

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
}

//! Compile equivalence, structure: nested blocks, several managers in one
//! invocation, closures and `async` blocks inside the body (which keep
//! their own `return` and `?`), and borrows of locals.

use crate::support;

use std::error::Error;
use std::fmt::Debug;
use support::equivalence::{Refused, apply, equivalent, m, never, ready, zero};

/// # Safety
/// Always safe; `unsafe` only to make an `unsafe` block tail.
unsafe fn add_one(n: u8) -> u8 {
    n + 1
}

fn check(n: u8) -> Result<u8, Refused> {
    if n == 0 { Err(Refused) } else { Ok(n) }
}

equivalent! {
    fn nested_return_deref(name: &String, depth: u8) -> &str {
        async_with!(m() {
            if depth == 0 { return "outer"; }
            async_with!(m() {
                if !name.is_empty() { return name; }
            });
            "end"
        })
    } for [(&String::from("n"), 1), (&String::new(), 1), (&String::new(), 0)];

    fn nested_return_boxed_error(fail: bool) -> Result<u8, Box<dyn Error>> {
        async_with!(m() {
            async_with!(m() {
                if fail { return Err(Box::new(Refused)); }
            });
            Ok(1)
        })
    } for [(true), (false)];

    fn nested_tail_typed_by_let() -> u32 {
        let v: u32 = async_with!(m() { async_with!(m() { zero() }) });
        v
    } for [()];

    fn nested_tail_unsized_by_return(fail: bool) -> Result<u8, Box<dyn Error>> {
        async_with!(m() { async_with!(m() { if fail { Err(Box::new(Refused)) } else { Ok(2) } }) })
    } for [(true), (false)];

    fn nested_three_deep_return(n: u8) -> String {
        async_with!(m() {
            async_with!(m() {
                async_with!(m() { if n == 3 { return "three".into(); } });
                if n == 2 { return "two".into(); }
            });
            n.to_string()
        })
    } for [(1), (2), (3)];

    fn nested_break_outer_loop(n: u8) -> u8 {
        let mut i = 0;
        loop {
            i += 1;
            async_with!(m() { async_with!(m() { if i == n { break; } }); });
        }
        i
    } for [(3)];

    fn nested_break_value_typed_by_let(n: u8) -> String {
        let mut i = 0;
        let v: Box<dyn Debug> = loop {
            i += 1;
            async_with!(m() { async_with!(m() { if i == n { break Box::new(i); } }); });
        };
        format!("{v:?}")
    } for [(2)];

    fn nested_continue_labelled(n: u8) -> Vec<u8> {
        let mut out = Vec::new();
        'outer: for i in 0..n {
            async_with!(m() {
                for j in 0..n {
                    async_with!(m() { if j == 1 { continue 'outer; } out.push(i * 10 + j); });
                }
            });
        }
        out
    } for [(3)];

    fn nested_question_mark(a: u8, b: u8) -> Result<u8, Refused> {
        async_with!(m() {
            let x = check(a)?;
            let y = async_with!(m() { check(b)? });
            Ok(x + y)
        })
    } for [(0, 1), (1, 0), (1, 1)];

    fn nested_panic_exits_both(n: u8) -> u8 {
        async_with!(m() { async_with!(m() { if n == 0 { panic!("inner"); } n }) })
    } for [(0), (1)];

    fn nested_in_value_position(n: u8) -> u8 {
        async_with!(m() { 1 + async_with!(m() { n * 2 }) })
    } for [(4)];

    fn nested_siblings(n: u8) -> (u8, u8) {
        async_with!(m() {
            let a = async_with!(m() { if n == 0 { return (0, 0); } n });
            let b = async_with!(m() { if n == 1 { return (1, 1); } n + 1 });
            (a, b)
        })
    } for [(0), (1), (2)];

    fn several_managers_return_deref(name: &String) -> &str {
        async_with!(m(), m() {
            if !name.is_empty() { return name; }
            "empty"
        })
    } for [(&String::from("x")), (&String::new())];

    fn several_managers_tail_typed_by_let() -> u64 {
        let v: u64 = async_with!(m(), m(), m() { zero() });
        v
    } for [()];

    fn several_managers_boxed_error(fail: bool) -> Result<u8, Box<dyn Error>> {
        async_with!(m(), m() {
            if fail { return Err(Box::new(Refused)); }
            Err(Box::new(std::fmt::Error))
        })
    } for [(true), (false)];

    fn several_managers_break_and_continue(n: u8) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..10 {
            async_with!(m(), m() {
                if i % 2 == 1 { continue; }
                if i > n { break; }
                out.push(i);
            });
        }
        out
    } for [(6)];

    fn several_managers_question_mark(n: u8) -> Result<u8, Refused> {
        async_with!(m(), m(), m() { Ok(check(n)? + 1) })
    } for [(0), (4)];

    fn several_managers_panic(n: u8) -> u8 {
        async_with!(m(), m() { if n == 0 { panic!("several"); } n })
    } for [(0), (1)];

    fn several_managers_diverging_tail(n: u8) -> u8 {
        async_with!(m(), m() { if n > 0 { return n; } never("several never") })
    } for [(0), (3)];

    fn several_managers_eight(n: u8) -> u8 {
        async_with!(m(), m(), m(), m(), m(), m(), m(), m() { if n > 5 { return 5; } n })
    } for [(1), (9)];

    fn closure_keeps_its_own_return(n: u8) -> u8 {
        async_with!(m() {
            let f = |x: u8| -> u8 { if x > 3 { return 3; } x };
            f(n) + 10
        })
    } for [(1), (8)];

    fn closure_keeps_its_own_question_mark(n: u8) -> Option<u8> {
        async_with!(m() {
            let f = |x: u8| -> Result<u8, Refused> { Ok(check(x)? * 2) };
            f(n).ok()
        })
    } for [(0), (2)];

    fn closure_coerced_to_fn_pointer_in_body(n: u8) -> u8 {
        async_with!(m() {
            let f: fn(u8) -> u8 = if n > 1 { |x| x * 3 } else { |x| x };
            apply(f, n)
        })
    } for [(1), (2)];

    fn closure_capturing_body_local(n: u8) -> u8 {
        async_with!(m() {
            let k = n + 1;
            let f = move |x: u8| x + k;
            f(1)
        })
    } for [(3)];

    fn closure_breaks_its_own_loop(n: u8) -> u8 {
        async_with!(m() {
            let f = |limit: u8| { let mut i = 0; loop { i += 1; if i >= limit { break i; } } };
            f(n)
        })
    } for [(4)];

    fn async_block_keeps_its_own_return(n: u8) -> u8 {
        async_with!(m() {
            let inner = async { if n > 2 { return 2u8; } n }.await;
            inner + 100
        })
    } for [(1), (5)];

    fn async_block_keeps_its_own_question_mark(n: u8) -> u8 {
        async_with!(m() {
            let r: Result<u8, Refused> = async { Ok(check(n)? + 1) }.await;
            r.unwrap_or(0)
        })
    } for [(0), (1)];

    fn async_closure_in_body(n: u8) -> u8 {
        async_with!(m() {
            let f = async |x: u8| -> u8 { if x == 0 { return 7; } x };
            f(n).await
        })
    } for [(0), (2)];

    fn async_block_awaited_with_question_mark_outside(n: u8) -> Result<u8, Refused> {
        async_with!(m() {
            let v = async { check(n) }.await?;
            Ok(v)
        })
    } for [(0), (3)];

    fn nested_fn_item_keeps_its_own_return(n: u8) -> u8 {
        async_with!(m() {
            fn clamp(x: u8) -> u8 { if x > 9 { return 9; } x }
            clamp(n)
        })
    } for [(3), (30)];

    fn borrows_local_mutably(n: u8) -> Vec<u8> {
        let mut v = vec![n];
        async_with!(m() { v.push(n + 1); v.push(n + 2); });
        v.push(0);
        v
    } for [(1)];

    fn borrows_local_shared_and_returns_reference(v: &Vec<u8>) -> &u8 {
        async_with!(m() { if v.is_empty() { return &0; } &v[0] })
    } for [(&vec![]), (&vec![5])];

    fn moves_local_into_body(s: String) -> usize {
        async_with!(m() { let owned = s; owned.len() })
    } for [(String::from("four"))];

    fn shadowed_names_in_body(n: u8) -> u8 {
        let value = n;
        async_with!(m() { let value = value * 2; let target = value + 1; target })
    } for [(2)];

    fn await_in_return_value(n: u8) -> u8 {
        async_with!(m() { if n > 0 { return ready(n).await * 2; } ready(0).await })
    } for [(0), (3)];

    fn return_in_format_argument(n: u8) -> String {
        async_with!(m() { format!("{}", if n == 0 { return "zero".into(); } else { n }) })
    } for [(0), (1)];

    fn question_mark_in_vec_macro(n: u8) -> Result<Vec<u8>, Refused> {
        async_with!(m() { Ok(vec![check(n)?, 1]) })
    } for [(0), (2)];

    fn assert_in_body(n: u8) -> u8 {
        async_with!(m() { assert!(n < 5, "too big: {n}"); n })
    } for [(1), (9)];

    fn block_tail_in_braces(n: u8) -> u8 {
        async_with!(m() { { n + 1 } })
    } for [(1)];

    fn unsafe_block_tail(n: u8) -> u8 {
        async_with!(m() { unsafe { add_one(n) } })
    } for [(1)];

    fn if_let_else_tail(v: Option<u8>) -> u8 {
        async_with!(m() { if let Some(x) = v { x } else { 0 } })
    } for [(Some(3)), (None)];

    fn let_else_in_body(v: Option<u8>) -> u8 {
        async_with!(m() { let Some(x) = v else { return 42; }; x })
    } for [(Some(3)), (None)];
}

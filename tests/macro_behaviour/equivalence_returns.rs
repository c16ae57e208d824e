//! Compile equivalence, `return`: a value returned from the body coerces
//! to the function's return type as it does inline, whatever the order of
//! the returns: deref (`&String` to `&str`), unsizing (`Box<E>` to
//! `Box<dyn Error>`, `&[T; N]` to `&[T]`), reborrows, `!`, closures to `fn`
//! pointers, and values typed only by the return type.

use crate::support;

use std::error::Error;
use std::fmt::Debug;
use support::equivalence::{Refused, apply, equivalent, m, never, ready, zero};

equivalent! {
    fn deref_string_first(name: &String) -> &str {
        async_with!(m() {
            if !name.is_empty() { return name; }
            "anonymous"
        })
    } for [(&String::from("ada")), (&String::new())];

    fn deref_string_after_a_str(name: &String, first: bool) -> &str {
        async_with!(m() {
            if first { return "first"; }
            if !name.is_empty() { return name; }
            "anonymous"
        })
    } for [(&String::from("ada"), false), (&String::new(), true), (&String::new(), false)];

    fn deref_string_as_last_statement(name: &String) -> &str {
        async_with!(m() {
            return name;
        })
    } for [(&String::from("ada"))];

    fn deref_box_to_str(name: &Box<str>) -> &str {
        async_with!(m() { if name.len() > 1 { return name; } "short" })
    } for [(&Box::from("long")), (&Box::from("x"))];

    fn deref_vec_to_slice(v: &Vec<u8>) -> &[u8] {
        async_with!(m() { if v.len() > 2 { return v; } &[] })
    } for [(&vec![1, 2, 3]), (&vec![1])];

    fn unsize_array_to_slice(big: bool) -> &'static [u8] {
        async_with!(m() { if big { return &[1, 2, 3]; } &[4] })
    } for [(true), (false)];

    fn unsize_box_to_dyn_debug(n: u8) -> Box<dyn Debug> {
        async_with!(m() { if n > 1 { return Box::new(n); } Box::new("small") })
    } for [(2), (0)];

    fn unsize_boxed_error_in_err(fail: bool) -> Result<u8, Box<dyn Error>> {
        async_with!(m() {
            if fail { return Err(Box::new(Refused)); }
            Ok(1)
        })
    } for [(true), (false)];

    fn unsize_boxed_error_tail(fail: bool) -> Result<u8, Box<dyn Error>> {
        async_with!(m() {
            if !fail { return Ok(2); }
            Err(Box::new(Refused))
        })
    } for [(true), (false)];

    fn unsize_boxed_error_both(fail: u8) -> Result<u8, Box<dyn Error>> {
        async_with!(m() {
            if fail == 1 { return Err(Box::new(Refused)); }
            if fail == 2 { return Err(Box::new(std::fmt::Error)); }
            Err(Box::new(Refused))
        })
    } for [(1), (2), (3)];

    fn unsize_boxed_error_via_into(fail: bool) -> Result<u8, Box<dyn Error>> {
        async_with!(m() {
            if fail { return Err("text".into()); }
            Ok(3)
        })
    } for [(true), (false)];

    fn unsize_boxed_error_after_await(fail: bool) -> Result<u8, Box<dyn Error + Send + Sync>> {
        async_with!(m() {
            let fail = ready(fail).await;
            if fail { return Err(Box::new(Refused)); }
            Ok(ready(4).await)
        })
    } for [(true), (false)];

    fn unsize_in_some(n: u8) -> Option<Box<dyn Debug>> {
        async_with!(m() { if n == 0 { return None; } if n == 1 { return Some(Box::new(n)); } None })
    } for [(0), (1), (2)];

    fn reborrow_mut_as_shared(v: &mut Vec<u8>) -> &Vec<u8> {
        async_with!(m() { v.push(1); if v.len() > 1 { return v; } &*v })
    } for [(&mut vec![0]), (&mut vec![])];

    fn reborrow_mut_twice(v: &mut Vec<u8>) -> &mut Vec<u8> {
        async_with!(m() { if v.is_empty() { v.push(9); return v; } v.push(8); v })
    } for [(&mut vec![]), (&mut vec![1])];

    fn never_typed_return(n: u8) -> u8 {
        async_with!(m() {
            if n == 0 { return never("zero"); }
            n
        })
    } for [(0), (5)];

    fn panic_in_return_position(n: u8) -> String {
        async_with!(m() {
            if n == 0 { return panic!("no zero"); }
            n.to_string()
        })
    } for [(0), (7)];

    fn closure_to_fn_pointer_first(double: bool) -> u8 {
        let f: fn(u8) -> u8 = async_with!(m() {
            if double { |x| x * 2 } else { |x| x + 1 }
        });
        apply(f, 5)
    } for [(true), (false)];

    fn two_closures_returned_as_fn_pointers(pick: u8) -> u8 {
        let f = pick_fn(pick).await;
        f(10)
    } for [(0), (1), (2)];

    fn return_value_typed_by_return_type(flag: bool) -> u32 {
        async_with!(m() {
            if flag { return zero(); }
            3
        })
    } for [(true), (false)];

    fn return_default_typed_by_return_type(flag: bool) -> (u8, String) {
        async_with!(m() {
            if flag { return Default::default(); }
            (1, "one".into())
        })
    } for [(true), (false)];

    fn return_collect_typed_by_return_type(n: u8) -> Vec<u8> {
        async_with!(m() {
            if n > 0 { return (0..n).collect(); }
            Vec::new()
        })
    } for [(3), (0)];

    fn return_parse_typed_by_return_type(s: &str) -> Result<u16, std::num::ParseIntError> {
        async_with!(m() {
            if !s.is_empty() { return s.parse(); }
            Ok(0)
        })
    } for [("12"), ("x"), ("")];

    fn return_into_typed_by_return_type(s: &str) -> String {
        async_with!(m() {
            if s.len() > 2 { return s.into(); }
            String::from("short")
        })
    } for [("long"), ("a")];

    fn return_none_then_some(n: u8) -> Option<&'static str> {
        async_with!(m() {
            if n == 0 { return None; }
            Some("some")
        })
    } for [(0), (1)];

    fn return_err_of_string_via_from(fail: bool) -> Result<u8, String> {
        async_with!(m() {
            if fail { return Err(Refused.into()); }
            Ok(1)
        })
    } for [(true), (false)];

    fn return_unit_early(log: &mut Vec<u8>, early: bool) -> () {
        async_with!(m() {
            if early { return; }
            log.push(1);
        })
    } for [(&mut vec![], true), (&mut vec![], false)];

    fn return_without_value_in_loop(n: u8) -> () {
        async_with!(m() {
            for i in 0.. { if i == n { return; } }
        })
    } for [(3)];

    fn return_inside_match(n: u8) -> &'static str {
        async_with!(m() {
            match n {
                0 => return "zero",
                1 => { return "one"; }
                _ => "many",
            }
        })
    } for [(0), (1), (2)];

    fn return_from_nested_if_let(v: Option<&String>) -> &str {
        async_with!(m() {
            if let Some(s) = v { return s; }
            "none"
        })
    } for [(Some(&String::from("s"))), (None)];

    fn return_after_loop_with_break_value(n: u8) -> u8 {
        async_with!(m() {
            let found = loop { break n * 2; };
            if found > 4 { return found; }
            0
        })
    } for [(3), (1)];

    fn return_in_if_else_chain(n: i8) -> &'static str {
        async_with!(m() {
            if n < 0 { return "negative"; } else if n == 0 { return "zero"; }
            "positive"
        })
    } for [(-1), (0), (1)];

    fn return_boxed_closure_unsized(add: u8) -> u8 {
        let f = boxed_adder(add).await;
        f(1)
    } for [(0), (5)];

    fn return_slice_of_array_ref(a: &[u8; 3], whole: bool) -> &[u8] {
        async_with!(m() { if whole { return a; } &a[..1] })
    } for [(&[1, 2, 3], true), (&[1, 2, 3], false)];

    fn return_dyn_debug_reference(n: u8) -> &'static dyn Debug {
        async_with!(m() { if n == 0 { return &"zero"; } &1u8 })
    } for [(0), (1)];
}

async fn pick_fn(pick: u8) -> fn(u8) -> u8 {
    async_with::async_with!(m() {
        if pick == 0 { return |x| x; }
        if pick == 1 { return |x| x + 1; }
        |x| x + 2
    })
}

async fn boxed_adder(add: u8) -> Box<dyn Fn(u8) -> u8> {
    async_with::async_with!(m() {
        if add == 0 { return Box::new(|x| x); }
        Box::new(move |x| x + add)
    })
}

//! Compile equivalence, the body's value: a tail typed by its context (a
//! `let` annotation, a parameter, the function's return, a field, an
//! operator) compiles as inline, and a diverging tail (`panic!`, `todo!`,
//! `loop {}`, `process::exit`, a `-> !` call) compiles and, where it
//! returns at all, still exits the manager.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fmt::Debug;
use support::equivalence::{Refused, apply, equivalent, m, never, ready, zero};

fn take_u64(n: u64) -> u64 {
    n
}

fn take_boxed_error(e: Box<dyn Error>) -> String {
    e.to_string()
}

fn take_pair(p: (u8, String)) -> String {
    format!("{p:?}")
}

#[derive(Debug, Default)]
struct Config {
    port: u16,
    name: String,
}

equivalent! {
    fn let_annotation_types_generic_tail() -> u32 {
        let n: u32 = async_with!(m() { zero() });
        n + 1
    } for [()];

    fn let_annotation_types_default(flag: bool) -> (u8, bool) {
        let v: (u8, bool) = async_with!(m() { if flag { (1, true) } else { Default::default() } });
        v
    } for [(true), (false)];

    fn let_annotation_types_collect(n: u8) -> Vec<u8> {
        let v: Vec<u8> = async_with!(m() { (0..n).collect() });
        v
    } for [(4)];

    fn let_annotation_types_collect_into_result(items: &[&str]) -> Result<Vec<u8>, String> {
        let v: Result<Vec<u8>, _> = async_with!(m() { items.iter().map(|s| s.parse::<u8>()).collect() });
        v.map_err(|e| e.to_string())
    } for [(&["1", "2"]), (&["1", "x"])];

    fn let_annotation_types_parse(s: &str) -> String {
        let n: Result<i64, _> = async_with!(m() { s.parse() });
        format!("{n:?}")
    } for [("-4"), ("z")];

    fn let_annotation_types_into(s: &'static str) -> String {
        let owned: String = async_with!(m() { s.into() });
        owned
    } for [("text")];

    fn let_annotation_types_from(n: u8) -> u64 {
        let wide: u64 = async_with!(m() { From::from(n) });
        wide
    } for [(200)];

    fn let_annotation_unsizes_box(n: u8) -> String {
        let b: Box<dyn Debug> = async_with!(m() { Box::new(n) });
        format!("{b:?}")
    } for [(3)];

    fn let_annotation_unsizes_boxed_error_in_err(n: u8) -> String {
        let r: Result<u8, Box<dyn Error>> = async_with!(m() { if n > 0 { Ok(n) } else { Err(Box::new(Refused)) } });
        format!("{r:?}")
    } for [(0), (1)];

    fn let_annotation_coerces_closure(double: bool) -> u8 {
        let f: fn(u8) -> u8 = async_with!(m() { if double { |x| x * 2 } else { |x| x } });
        apply(f, 4)
    } for [(true), (false)];

    fn let_annotation_types_closure_argument() -> u8 {
        let f: fn(u8) -> u8 = async_with!(m() { |x| x.pow(2) });
        f(3)
    } for [()];

    fn let_annotation_deref_string(s: &String) -> String {
        let r: &str = async_with!(m() { s });
        r.to_uppercase()
    } for [(&String::from("shout"))];

    fn let_annotation_types_integer_literal() -> String {
        let n: u64 = async_with!(m() { 1 << 40 });
        n.to_string()
    } for [()];

    fn let_annotation_types_empty_vec() -> usize {
        let v: Vec<String> = async_with!(m() { Vec::new() });
        v.len()
    } for [()];

    fn let_annotation_types_none() -> Option<u8> {
        let v: Option<u8> = async_with!(m() { None });
        v
    } for [()];

    fn let_annotation_types_struct_default() -> String {
        let c: Config = async_with!(m() { Default::default() });
        format!("{} {}", c.port, c.name)
    } for [()];

    fn let_annotation_types_map() -> String {
        let map: BTreeMap<u8, &str> = async_with!(m() { [(1, "a"), (2, "b")].into_iter().collect() });
        format!("{map:?}")
    } for [()];

    fn let_annotation_types_awaited_generic() -> u16 {
        let n: u16 = async_with!(m() { ready(zero()).await });
        n
    } for [()];

    fn parameter_types_generic_tail() -> u64 {
        take_u64(async_with!(m() { zero() }))
    } for [()];

    fn parameter_unsizes_boxed_error() -> String {
        take_boxed_error(async_with!(m() { Box::new(Refused) }))
    } for [()];

    fn parameter_types_tuple_default() -> String {
        take_pair(async_with!(m() { Default::default() }))
    } for [()];

    fn parameter_types_into() -> String {
        take_pair(async_with!(m() { (7, "seven".into()) }))
    } for [()];

    fn function_return_types_generic_tail() -> u32 {
        async_with!(m() { zero() })
    } for [()];

    fn function_return_unsizes_boxed_error_tail(fail: bool) -> Result<u8, Box<dyn Error>> {
        async_with!(m() {
            if fail { Err(Box::new(Refused)) } else { Ok(5) }
        })
    } for [(true), (false)];

    fn function_return_types_collect(n: u8) -> BTreeSet<u8> {
        async_with!(m() { (0..n).map(|i| i % 2).collect() })
    } for [(5)];

    fn function_return_types_parse(s: &str) -> Result<u8, std::num::ParseIntError> {
        async_with!(m() { s.trim().parse() })
    } for [(" 8 "), ("x")];

    fn function_return_deref_tail(s: &String) -> &str {
        async_with!(m() { s })
    } for [(&String::from("tail"))];

    fn function_return_boxed_dyn_fn(add: u8) -> u8 {
        let f: Box<dyn Fn(u8) -> u8> = async_with!(m() { Box::new(move |x| x + add) });
        f(1)
    } for [(2)];

    fn function_return_types_into_error(fail: bool) -> Result<u8, String> {
        async_with!(m() { if fail { Err(Refused.into()) } else { Ok(1) } })
    } for [(true), (false)];

    fn struct_field_types_tail() -> String {
        let c = Config { port: async_with!(m() { zero() }), name: async_with!(m() { "n".into() }) };
        format!("{c:?}")
    } for [()];

    fn arithmetic_types_tail(n: u32) -> u32 {
        n + async_with!(m() { zero::<u32>() + 2 })
    } for [(1)];

    fn match_arm_types_tail(n: u8) -> String {
        let s: String = match n {
            0 => async_with!(m() { "zero".into() }),
            _ => async_with!(m() { n.to_string() }),
        };
        s
    } for [(0), (9)];

    fn array_element_types_tail() -> [u8; 2] {
        [async_with!(m() { zero() }), 1]
    } for [()];

    fn diverging_panic_tail(n: u8) -> u8 {
        async_with!(m() {
            if n > 0 { return n; }
            panic!("tail panic")
        })
    } for [(0), (1)];

    fn diverging_panic_as_statement(n: u8) -> u8 {
        async_with!(m() {
            if n > 0 { return n; }
            panic!("statement panic");
        })
    } for [(0), (2)];

    fn diverging_todo_tail(n: u8) -> String {
        async_with!(m() {
            if n > 0 { return n.to_string(); }
            todo!()
        })
    } for [(0), (3)];

    fn diverging_unreachable_tail(n: u8) -> u8 {
        async_with!(m() {
            if n < 10 { return n; }
            unreachable!("n is small")
        })
    } for [(1)];

    fn diverging_loop_tail(n: u8) -> u8 {
        async_with!(m() {
            let mut i = 0;
            loop {
                i += 1;
                if i > n { return i; }
            }
        })
    } for [(3)];

    fn diverging_never_call_tail_typed_by_return(n: u8) -> u8 {
        async_with!(m() {
            if n > 0 { return n; }
            never("never returns")
        })
    } for [(0), (4)];

    fn diverging_never_call_tail_in_let(n: u8) -> u8 {
        let v: u8 = async_with!(m() { if n > 0 { n } else { never("in let") } });
        v
    } for [(0), (6)];

    fn diverging_never_call_as_statement(n: u8) -> u8 {
        async_with!(m() {
            if n > 0 { return n; }
            never("statement");
        })
    } for [(0), (1)];

    fn diverging_process_exit_tail(n: u8) -> u8 {
        async_with!(m() {
            if n > 0 { return n; }
            std::process::exit(3)
        })
    } for [(1)];

    fn diverging_process_exit_in_statement_position(n: u8) -> u8 {
        async_with!(m() {
            if n > 0 { return n; }
            std::process::exit(4)
        });
    } for [(1)];

    fn diverging_panic_any_tail(n: u8) -> u8 {
        async_with!(m() {
            if n > 0 { return n; }
            std::panic::panic_any(String::from("any"))
        })
    } for [(0), (1)];

    fn diverging_match_tail(n: u8) -> u8 {
        async_with!(m() {
            match n {
                0 => panic!("zero"),
                _ => return n,
            }
        })
    } for [(0), (1)];
}

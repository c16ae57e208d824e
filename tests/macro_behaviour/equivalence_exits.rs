//! Compile equivalence, every way out: `?` on `Result` and `Option` (with
//! `From` conversions), labelled and unlabelled `break` and `continue`,
//! `break value` to loops and labelled blocks outside the body, typed by
//! the loop's context as inline.

use crate::support;

use std::error::Error;
use std::fmt::Debug;
use support::equivalence::{Refused, equivalent, m, ready, zero};

fn check(n: u8) -> Result<u8, Refused> {
    if n == 0 { Err(Refused) } else { Ok(n) }
}

fn half(n: u8) -> Option<u8> {
    (n % 2 == 0).then_some(n / 2)
}

// The payloads are read through `Debug`, which dead-code analysis ignores.
#[allow(dead_code)]
#[derive(Debug)]
enum AppError {
    Refused,
    Parse(std::num::ParseIntError),
}

impl From<Refused> for AppError {
    fn from(_: Refused) -> Self {
        AppError::Refused
    }
}

impl From<std::num::ParseIntError> for AppError {
    fn from(e: std::num::ParseIntError) -> Self {
        AppError::Parse(e)
    }
}

equivalent! {
    fn question_mark_on_result(n: u8) -> Result<u8, Refused> {
        async_with!(m() { let v = check(n)?; Ok(v + 1) })
    } for [(0), (1)];

    fn question_mark_converts_with_from(n: u8, s: &str) -> Result<u8, AppError> {
        async_with!(m() { let a = check(n)?; let b: u8 = s.parse()?; Ok(a + b) })
    } for [(0, "1"), (1, "x"), (1, "2")];

    fn question_mark_into_boxed_error(n: u8) -> Result<u8, Box<dyn Error>> {
        async_with!(m() { Ok(check(n)? * 2) })
    } for [(0), (3)];

    fn question_mark_on_option(n: u8) -> Option<u8> {
        async_with!(m() { let h = half(n)?; Some(h + 1) })
    } for [(3), (4)];

    fn question_mark_in_expression(n: u8) -> Option<u8> {
        async_with!(m() { Some(half(n)? * half(n + 2)?) })
    } for [(2), (3)];

    fn question_mark_after_await(n: u8) -> Result<u8, Refused> {
        async_with!(m() { let v = ready(check(n)).await?; Ok(v) })
    } for [(0), (9)];

    fn question_mark_in_value_position(n: u8) -> Result<u8, Refused> {
        let v = async_with!(m() { check(n)? });
        Ok(v * 3)
    } for [(0), (2)];

    fn question_mark_on_parse_typed_by_let(s: &str) -> Result<u32, std::num::ParseIntError> {
        let n: u32 = async_with!(m() { s.parse()? });
        Ok(n)
    } for [("5"), ("x")];

    fn question_mark_in_loop_body(items: &[u8]) -> Result<u32, Refused> {
        let mut sum = 0u32;
        for &i in items {
            async_with!(m() { sum += u32::from(check(i)?); });
        }
        Ok(sum)
    } for [(&[1, 2]), (&[1, 0, 2])];

    fn question_mark_ok_or(n: Option<u8>) -> Result<u8, &'static str> {
        async_with!(m() { let v = n.ok_or("missing")?; Ok(v) })
    } for [(None), (Some(1))];

    fn question_mark_map_err(s: &str) -> Result<u8, String> {
        async_with!(m() { let v: u8 = s.parse().map_err(|e: std::num::ParseIntError| e.to_string())?; Ok(v) })
    } for [("1"), ("q")];

    fn question_mark_inside_format(n: u8) -> Result<String, Refused> {
        async_with!(m() { Ok(format!("{}", check(n)?)) })
    } for [(0), (5)];

    fn break_unlabelled(n: u8) -> u8 {
        let mut i = 0;
        loop {
            i += 1;
            async_with!(m() { if i >= n { break; } });
        }
        i
    } for [(3)];

    fn continue_unlabelled(n: u8) -> Vec<u8> {
        let mut seen = Vec::new();
        for i in 0..n {
            async_with!(m() { if i % 2 == 0 { continue; } seen.push(i); });
        }
        seen
    } for [(6)];

    fn break_labelled_outer(n: u8) -> (u8, u8) {
        let mut last = (0, 0);
        'outer: for i in 0..n {
            for j in 0..n {
                async_with!(m() { if i * j > 3 { break 'outer; } last = (i, j); });
            }
        }
        last
    } for [(4)];

    fn continue_labelled_outer(n: u8) -> Vec<(u8, u8)> {
        let mut seen = Vec::new();
        'outer: for i in 0..n {
            for j in 0..n {
                async_with!(m() { if j > i { continue 'outer; } seen.push((i, j)); });
            }
        }
        seen
    } for [(3)];

    fn break_value_from_loop(n: u8) -> u8 {
        let mut i = 0;
        let found = loop {
            i += 1;
            async_with!(m() { if i * i > n { break i; } });
        };
        found
    } for [(10)];

    fn break_value_typed_by_let(n: u8) -> String {
        let mut i = 0;
        let r: Result<u8, Box<dyn Error>> = loop {
            i += 1;
            async_with!(m() {
                if i > n { break Err(Box::new(Refused)); }
                if i == 2 { break Ok(i); }
            });
        };
        format!("{r:?}")
    } for [(0), (5)];

    fn break_value_deref_typed_by_let(names: &[String]) -> String {
        let mut iter = names.iter();
        let first: &str = loop {
            async_with!(m() {
                match iter.next() { Some(s) if !s.is_empty() => break s, Some(_) => {}, None => break "none" }
            });
        };
        first.to_owned()
    } for [(&[String::new(), String::from("b")]), (&[])];

    fn break_value_generic_typed_by_let() -> u64 {
        let v: u64 = loop {
            async_with!(m() { break zero(); });
        };
        v
    } for [()];

    fn break_value_labelled_from_inner_loop(n: u8) -> u8 {
        let v = 'search: loop {
            for i in 0.. {
                async_with!(m() { if i * 3 > n { break 'search i; } });
            }
        };
        v
    } for [(7)];

    fn break_value_from_labelled_block(n: u8) -> &'static str {
        let v = 'block: {
            async_with!(m() { if n == 0 { break 'block "zero"; } });
            "other"
        };
        v
    } for [(0), (1)];

    fn break_value_labelled_block_typed_by_let(n: u8) -> String {
        let v: Box<dyn Debug> = 'block: {
            async_with!(m() { if n == 0 { break 'block Box::new("zero"); } });
            Box::new(n)
        };
        format!("{v:?}")
    } for [(0), (1)];

    fn break_inside_body_loop_stays_inside(n: u8) -> u8 {
        async_with!(m() {
            let mut i = 0;
            loop { i += 1; if i == n { break; } }
            i
        })
    } for [(4)];

    fn break_value_inside_body_loop(n: u8) -> u8 {
        async_with!(m() { loop { break n + 1; } })
    } for [(1)];

    fn labelled_loop_inside_body(n: u8) -> u8 {
        async_with!(m() {
            let mut hits = 0;
            'rows: for i in 0..n { for j in 0..n { if j > i { continue 'rows; } hits += 1; } }
            hits
        })
    } for [(4)];

    fn labelled_block_inside_body(n: u8) -> u8 {
        async_with!(m() {
            let v = 'b: { if n > 1 { break 'b n; } 0 };
            v * 2
        })
    } for [(0), (3)];

    fn while_loop_break_and_continue(n: u8) -> Vec<u8> {
        let mut i = 0;
        let mut seen = Vec::new();
        while i < 20 {
            i += 1;
            async_with!(m() {
                if i % 3 == 0 { continue; }
                if i > n { break; }
                seen.push(i);
            });
        }
        seen
    } for [(8)];

    fn while_let_with_question_mark(items: Vec<u8>) -> Option<u8> {
        let mut iter = items.into_iter();
        let mut total = 0;
        while let Some(i) = iter.next() {
            async_with!(m() { total += half(i)?; });
        }
        Some(total)
    } for [(vec![2, 4]), (vec![2, 3])];

    fn return_break_and_question_mark_mixed(items: &[u8]) -> Result<u8, Refused> {
        let mut count = 0;
        for &i in items {
            async_with!(m() {
                if i == 9 { return Ok(99); }
                if i == 5 { break; }
                count += check(i)?;
            });
        }
        Ok(count)
    } for [(&[1, 2]), (&[1, 9]), (&[1, 5, 9]), (&[0])];

    fn break_then_continue_in_one_body(items: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &i in items {
            async_with!(m() {
                if i == 0 { continue; }
                if i == 7 { break; }
                out.push(i);
            });
        }
        out
    } for [(&[0, 1, 7, 2])];

    fn break_value_after_await(n: u8) -> u8 {
        let v = loop {
            async_with!(m() { let x = ready(n).await; break x * 2; });
        };
        v
    } for [(21)];

    fn continue_with_value_computed_before(n: u8) -> u32 {
        let mut sum = 0u32;
        for i in 0..n {
            let doubled = async_with!(m() { if i == 2 { continue; } u32::from(i) * 2 });
            sum += doubled;
        }
        sum
    } for [(5)];
}

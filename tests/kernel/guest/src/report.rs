//! Check bookkeeping: one `PASS`/`FAIL` line per check and a closing count.

use std::fmt::Debug;
use std::process::ExitCode;

/// Counts checks and prints each result as it happens, so a hung check still
/// leaves the earlier results on the console.
#[derive(Debug, Default)]
pub(crate) struct Report {
    passed: u32,
    failed: u32,
}

impl Report {
    /// Records `name` as passed when `got == expected`.
    pub(crate) fn check<T: PartialEq + Debug>(&mut self, name: &str, expected: T, got: T) {
        if got == expected {
            self.pass(name);
        } else {
            self.fail(name, format_args!("expected {expected:?} got {got:?}"));
        }
    }

    /// Records `name` as passed when `got` is `Ok(expected)`; an `Err` fails
    /// the check with the error text, so a missing file names itself.
    pub(crate) fn check_ok<T, E>(&mut self, name: &str, expected: T, got: Result<T, E>)
    where
        T: PartialEq + Debug,
        E: std::fmt::Display,
    {
        match got {
            Ok(got) => self.check(name, expected, got),
            Err(err) => self.fail(name, format_args!("expected {expected:?} got error: {err}")),
        }
    }

    pub(crate) fn pass(&mut self, name: &str) {
        self.passed += 1;
        println!("PASS {name}");
    }

    pub(crate) fn fail(&mut self, name: &str, why: impl std::fmt::Display) {
        self.failed += 1;
        println!("FAIL {name}: {why}");
    }

    /// Prints the closing count that `tests/kernel/run.sh` compares with the
    /// number of checks it expects.
    pub(crate) fn finish(self) -> ExitCode {
        println!(
            "kernel-checks: {} passed, {} failed",
            self.passed, self.failed
        );
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

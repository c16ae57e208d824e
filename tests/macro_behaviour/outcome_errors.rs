//! What `exit` is told about a body's error: the error itself (to
//! downcast) where it implements `Error` and is `Sync + 'static`, its
//! `Debug` form where it is only `Debug + Sync` or is borrowed, nothing
//! otherwise; and bodies with borrowed errors compile as they would inline.

use std::cell::RefCell;
use std::convert::Infallible;
use std::io;

use async_with::{AsyncContextManager, Outcome, async_with};

/// Records, for the outcome `exit` was told, what `exit` could see.
struct Inspect<'a>(&'a RefCell<Vec<String>>);

impl AsyncContextManager for Inspect<'_> {
    type Target<'t>
        = ()
    where
        Self: 't;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<(), Infallible> {
        Ok(())
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
        let seen = match outcome {
            Outcome::Completed => "completed".to_owned(),
            Outcome::Failed(failure) => {
                if let Some(e) = failure.downcast_ref::<io::Error>() {
                    format!("io::Error kind={:?}", e.kind())
                } else if let Some(e) = failure.downcast_ref::<Thiserror>() {
                    format!("Thiserror {e}")
                } else if let Some(e) = failure.as_error() {
                    format!("error {e}")
                } else if let Some(d) = failure.error() {
                    format!("debug {d:?}")
                } else {
                    "opaque".to_owned()
                }
            }
            other => other.to_string(),
        };
        self.0.borrow_mut().push(seen);
        Ok(())
    }

    fn cancel(&mut self) {}
}

#[derive(Debug, thiserror::Error, PartialEq)]
enum Thiserror {
    #[error("disk full ({0} bytes)")]
    DiskFull(u64),
}

struct NotDebug;

async fn question_mark_on_io(log: &RefCell<Vec<String>>) -> io::Result<u8> {
    async_with!(Inspect(log) {
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"))?;
        Ok(1)
    })
}

async fn question_mark_on_thiserror(log: &RefCell<Vec<String>>) -> Result<u8, Thiserror> {
    async_with!(Inspect(log) {
        let n: u64 = Err(Thiserror::DiskFull(7))?;
        Ok(n as u8)
    })
}

async fn err_tail_thiserror(log: &RefCell<Vec<String>>) -> Result<u8, Thiserror> {
    async_with!(Inspect(log) { Err(Thiserror::DiskFull(3)) })
}

async fn err_return_io(log: &RefCell<Vec<String>>) -> io::Result<u8> {
    async_with!(Inspect(log) {
        return Err(io::Error::from(io::ErrorKind::NotFound));
    })
}

async fn err_return_boxed(
    log: &RefCell<Vec<String>>,
) -> Result<u8, Box<dyn std::error::Error + Sync + Send>> {
    async_with!(Inspect(log) {
        return Err(Box::new(Thiserror::DiskFull(1)));
    })
}

async fn borrowed_io_error<'e>(
    log: &RefCell<Vec<String>>,
    e: &'e io::Error,
) -> Result<u8, &'e io::Error> {
    async_with!(Inspect(log) {
        Err(e)?;
        Ok(0)
    })
}

async fn borrowed_io_error_tail<'e>(
    log: &RefCell<Vec<String>>,
    e: &'e io::Error,
) -> Result<u8, &'e io::Error> {
    async_with!(Inspect(log) { Err(e) })
}

async fn debug_only(log: &RefCell<Vec<String>>) -> Result<u8, String> {
    async_with!(Inspect(log) { Err(String::from("plain text"))? })
}

async fn not_debug(log: &RefCell<Vec<String>>) -> Result<u8, NotDebug> {
    async_with!(Inspect(log) { Err(NotDebug) })
}

async fn none(log: &RefCell<Vec<String>>) -> Option<u8> {
    async_with!(Inspect(log) { None? })
}

fn seen<T>(run: impl AsyncFnOnce(&RefCell<Vec<String>>) -> T) -> String {
    let log = RefCell::new(Vec::new());
    futures::executor::block_on(run(&log));
    let mut log = log.into_inner();
    assert_eq!(log.len(), 1, "exit ran once");
    log.remove(0)
}

#[test]
fn exit_downcasts_a_question_marked_io_error() {
    assert_eq!(seen(question_mark_on_io), "io::Error kind=BrokenPipe");
}

#[test]
fn exit_downcasts_a_question_marked_thiserror_error() {
    assert_eq!(
        seen(question_mark_on_thiserror),
        "Thiserror disk full (7 bytes)"
    );
}

#[test]
fn exit_downcasts_an_err_tail() {
    assert_eq!(seen(err_tail_thiserror), "Thiserror disk full (3 bytes)");
}

#[test]
fn exit_downcasts_a_returned_err() {
    assert_eq!(seen(err_return_io), "io::Error kind=NotFound");
}

#[test]
fn a_returned_boxed_error_is_seen_as_the_box() {
    // The box is the error `exit` is given: `Box<dyn Error>` is not an
    // `Error` itself, so `exit` sees its `Debug` form.
    assert_eq!(seen(err_return_boxed), "debug DiskFull(1)");
}

#[test]
fn a_borrowed_error_compiles_and_is_seen_through_debug() {
    let error = io::Error::other("borrowed");
    let log = RefCell::new(Vec::new());
    let result = futures::executor::block_on(borrowed_io_error(&log, &error));
    assert!(std::ptr::eq(result.unwrap_err(), &error));
    let tail = futures::executor::block_on(borrowed_io_error_tail(&log, &error));
    assert!(tail.is_err());
    assert_eq!(
        log.into_inner(),
        [r#"debug Custom { kind: Other, error: "borrowed" }"#; 2]
    );
}

#[test]
fn a_debug_only_error_is_seen_through_debug() {
    assert_eq!(seen(debug_only), r#"debug "plain text""#);
}

#[test]
fn an_error_without_debug_is_opaque() {
    assert_eq!(seen(not_debug), "opaque");
}

#[test]
fn a_none_is_opaque() {
    assert_eq!(seen(none), "opaque");
}

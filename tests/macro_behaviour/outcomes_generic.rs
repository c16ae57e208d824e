//! What `exit` is told when types are generic or inferred late: the
//! classification never makes type inference guess, and never adds bounds.

use crate::support;

use std::convert::Infallible;

use async_with::{AsyncContextManager, async_with};
use support::{Log, on_both_runtimes};

async fn generic_error<E>(manager: impl AsyncContextManager<Error = Infallible>) -> Result<(), E> {
    async_with!(manager => _target { Ok(()) })
}

async fn generic_err_value<E>(
    manager: impl AsyncContextManager<Error = Infallible>,
    error: E,
) -> Result<(), E> {
    async_with!(manager => _target { Err(error) })
}

#[test]
fn a_generic_error_type_needs_no_debug_bound() {
    on_both_runtimes(|log| async move {
        struct Opaque;
        assert!(generic_error::<Opaque>(log.manager("a")).await.is_ok());
        assert!(generic_err_value(log.manager("b"), Opaque).await.is_err());
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a completed",
                "exited a",
                "enter b",
                "exit b failed",
                "exited b"
            ]
        );
    });
}

#[test]
fn values_typed_by_later_context_infer_as_inline() {
    on_both_runtimes(|log: Log| async move {
        let parsed: u32 = async_with!(log.manager("a") { "42".parse().unwrap() });
        let collected: Vec<u8> = async_with!(log.manager("b") { (1..4).collect() });
        let converted: Result<u64, String> = async_with!(log.manager("c") { Ok(7u32.into()) });
        assert_eq!((parsed, collected, converted), (42, vec![1, 2, 3], Ok(7)));
        assert!(
            log.events()
                .iter()
                .filter(|e| e.starts_with("exit "))
                .all(|e| e.ends_with("completed"))
        );
    });
}

#[test]
fn an_err_of_a_known_error_type_gives_its_debug_form() {
    on_both_runtimes(|log| async move {
        let error = std::io::Error::other("disk on fire");
        let result: Result<(), std::io::Error> = async_with!(log.manager("a") { Err(error) });
        assert!(result.is_err());
        assert_eq!(
            log.events()[1],
            "exit a failed(Custom { kind: Other, error: \"disk on fire\" })"
        );
    });
}

#[test]
fn a_context_typed_method_named_by_turbofish_is_classified() {
    on_both_runtimes(|log| async move {
        let inputs = ["1", "x"];
        let numbers = async_with!(log.manager("a") => _ {
            inputs.iter().map(|s| s.parse::<u8>()).collect::<Result<Vec<_>, _>>()
        });
        assert!(numbers.is_err());
        let number = async_with!(log.manager("b") => _ { "7".parse::<u8>() });
        assert_eq!(number, Ok(7));
        let texts = async_with!(log.manager("c") => _ { inputs.iter().map(|s| s.len()).collect::<Vec<_>>() });
        assert_eq!(texts, [1, 1]);
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a failed(ParseIntError { kind: InvalidDigit })",
                "exited a",
                "enter b",
                "exit b completed",
                "exited b",
                "enter c",
                "exit c completed",
                "exited c"
            ]
        );
    });
}

//! Fallible managers, marked with `?`: enter and exit errors propagate like
//! `?`, and an exit error replaces whatever the body returned.

use crate::support;

use async_with::async_with;
use support::{Log, ManagerError, on_both_runtimes};

fn err(text: &str) -> ManagerError {
    ManagerError(text.to_owned())
}

async fn enter_fails(log: &Log) -> Result<u32, ManagerError> {
    let value = async_with!(log.fallible("a").failing_enter()? => _ {
        log.push("body");
        1
    });
    Ok(value)
}

#[test]
fn enter_error_propagates_without_body_exit_or_cancel() {
    on_both_runtimes(|log| async move {
        assert_eq!(enter_fails(&log).await, Err(err("enter a failed")));
        assert_eq!(log.events(), ["enter a failed"]);
    });
}

async fn exit_fails(log: &Log) -> Result<u32, ManagerError> {
    let value = async_with!(log.fallible("a").failing_exit()? => _ { 1 });
    log.push("after block");
    Ok(value)
}

#[test]
fn exit_error_replaces_the_body_value() {
    on_both_runtimes(|log| async move {
        assert_eq!(exit_fails(&log).await, Err(err("exit a failed")));
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

async fn exit_fails_after_body_error(log: &Log) -> Result<u32, ManagerError> {
    async_with!(log.fallible("a").failing_exit()? => _ {
        Err::<u32, _>(err("body failed"))?;
    });
    Ok(0)
}

#[test]
fn exit_error_after_a_body_error_wins_like_python() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            exit_fails_after_body_error(&log).await,
            Err(err("exit a failed"))
        );
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a failed(ManagerError(\"body failed\"))",
                "exited a"
            ]
        );
    });
}

async fn exit_fails_after_return(log: &Log) -> Result<u32, ManagerError> {
    async_with!(log.fallible("a").failing_exit()? {
        return Ok(5);
    });
}

#[test]
fn exit_error_replaces_a_returned_value() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            exit_fails_after_return(&log).await,
            Err(err("exit a failed"))
        );
    });
}

#[derive(Debug, PartialEq)]
enum AppError {
    Manager(String),
}

impl From<ManagerError> for AppError {
    fn from(error: ManagerError) -> Self {
        AppError::Manager(error.0)
    }
}

async fn converts(log: &Log) -> Result<(), AppError> {
    async_with!(log.fallible("a").failing_enter()? { });
    Ok(())
}

#[test]
fn manager_errors_convert_with_from_like_question_mark() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            converts(&log).await,
            Err(AppError::Manager("enter a failed".into()))
        );
    });
}

async fn boxed(log: &Log) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    async_with!(log.fallible("a").failing_exit()? => name {
        log.push(format!("body {name}"));
    });
    Ok(())
}

#[test]
fn manager_errors_convert_into_boxed_errors() {
    on_both_runtimes(|log| async move {
        let error = boxed(&log).await.unwrap_err();
        assert_eq!(error.to_string(), "exit a failed");
    });
}

async fn infallible_in_any_function(log: &Log) -> u32 {
    async_with!(log.manager("a") => _ { 3 })
}

#[test]
fn an_unmarked_infallible_manager_works_in_a_function_returning_a_number() {
    on_both_runtimes(|log| async move {
        assert_eq!(infallible_in_any_function(&log).await, 3);
        let spawned = tokio::spawn(async move { async_with!(log.manager("b") => _ { 4u8 }) });
        assert_eq!(spawned.await.unwrap(), 4);
    });
}

async fn constructor_result(log: &Log, ok: bool) -> Result<(), ManagerError> {
    let make = || {
        if ok {
            Ok(log.manager("made"))
        } else {
            Err(err("constructor failed"))
        }
    };
    async_with!((make()?) => name {
        log.push(format!("body {name}"));
    });
    Ok(())
}

#[test]
fn a_constructor_result_is_unwrapped_with_parenthesised_question_mark() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            constructor_result(&log, false).await,
            Err(err("constructor failed"))
        );
        assert_eq!(log.events(), Vec::<String>::new());
        assert_eq!(constructor_result(&log, true).await, Ok(()));
        assert_eq!(
            log.events(),
            [
                "enter made",
                "body made",
                "exit made completed",
                "exited made"
            ]
        );
    });
}

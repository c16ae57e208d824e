//! Two tiny managers shared by the UI cases: `Door` cannot fail, `Flaky`
//! can (its error is `FlakyError`).
#![allow(dead_code)]

use async_with::{AsyncContextManager, Outcome};
use std::convert::Infallible;

pub struct Door;

impl AsyncContextManager for Door {
    type Target<'a> = u32;
    type Error = Infallible;
    async fn enter(&mut self) -> Result<u32, Infallible> {
        Ok(7)
    }
    async fn exit(&mut self, _: Outcome<'_>) -> Result<(), Infallible> {
        Ok(())
    }
    fn cancel(&mut self) {}
}

pub struct Flaky;

#[derive(Debug)]
pub struct FlakyError;

impl AsyncContextManager for Flaky {
    type Target<'a> = u32;
    type Error = FlakyError;
    async fn enter(&mut self) -> Result<u32, FlakyError> {
        Ok(7)
    }
    async fn exit(&mut self, _: Outcome<'_>) -> Result<(), FlakyError> {
        Ok(())
    }
    fn cancel(&mut self) {}
}

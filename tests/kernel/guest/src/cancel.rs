//! Cancellation against the kernel: a Spotlight block dropped by
//! `tokio::time::timeout`, in its body or while it settles, leaves the line
//! low; a body that fails with `?` does too.
//!
//! The spotlight is borrowed by the block and outlives it, so the line is
//! read while the pin is still open: what is seen is the cancellation hook's
//! (or exit's) doing, not the pin's drop. Closing it then must unexport.
//!
//! These run on a runtime with paused time, so the order of the settle and
//! the timeout is decided by their deadlines, not by how fast TCG runs.

use std::time::Duration;

use async_with::led::{LedError, SysfsGpio};
use async_with::{Spotlight, async_with};

use crate::kernel;
use crate::layout::{CHIP_A, line};
use crate::report::Report;

pub(crate) async fn run(r: &mut Report) {
    cancelled_in_body(r).await;
    cancelled_while_settling(r).await;
    failing_body(r).await;
}

async fn open(r: &mut Report, name: &str, offset: u32) -> Option<SysfsGpio> {
    match SysfsGpio::number(CHIP_A.base + offset).open().await {
        Ok(led) => Some(led),
        Err(e) => {
            r.fail(&format!("{name}: open"), e);
            None
        }
    }
}

/// The line is low while `spot` still holds it, and unexported once closed.
fn low_then_unexported(r: &mut Report, name: &str, offset: u32, spot: Spotlight<SysfsGpio>) {
    let gpio = CHIP_A.base + offset;
    r.check(
        &format!("{name}: line low afterwards, pin still open"),
        (Ok("0".to_owned()), true),
        (
            kernel::mockup_value(CHIP_A.label, offset),
            kernel::is_exported(gpio),
        ),
    );
    r.check(
        &format!("{name}: closing the pin unexports the line"),
        (Ok(()), Ok("0".to_owned()), false),
        (
            spot.into_inner().close().map_err(|e| e.to_string()),
            kernel::mockup_value(CHIP_A.label, offset),
            kernel::is_exported(gpio),
        ),
    );
}

async fn cancelled_in_body(r: &mut Report) {
    let offset = line::CANCEL_BODY;
    let name = format!("timeout cancels the body (GPIO {})", CHIP_A.base + offset);
    let Some(led) = open(r, &name, offset).await else {
        return;
    };
    let mut spot = Spotlight::new(led);
    let mut during = None;
    let block = async {
        let borrowed = &mut spot;
        async_with!(borrowed? => _spot {
            during = Some(kernel::mockup_value(CHIP_A.label, offset));
            std::future::pending::<()>().await;
        });
        Ok::<(), LedError>(())
    };
    let outcome = tokio::time::timeout(Duration::from_secs(1), block).await;
    r.check(
        &format!("{name}: timed out with the line high in the body"),
        (true, Some(Ok("1".to_owned()))),
        (outcome.is_err(), during),
    );
    low_then_unexported(r, &name, offset, spot);
}

async fn cancelled_while_settling(r: &mut Report) {
    let offset = line::CANCEL_SETTLE;
    let name = format!("timeout cancels the settle (GPIO {})", CHIP_A.base + offset);
    let Some(led) = open(r, &name, offset).await else {
        return;
    };
    let mut spot = Spotlight::new(led).settle(Duration::from_secs(10));
    let mut body_ran = false;
    let block = async {
        let borrowed = &mut spot;
        async_with!(borrowed? => _spot {
            body_ran = true;
        });
        Ok::<(), LedError>(())
    };
    let outcome = tokio::time::timeout(Duration::from_secs(1), block).await;
    r.check(
        &format!("{name}: timed out before the body"),
        (true, false),
        (outcome.is_err(), body_ran),
    );
    low_then_unexported(r, &name, offset, spot);
}

async fn failing_body(r: &mut Report) {
    let offset = line::FAILING_BODY;
    let name = format!("body fails with `?` (GPIO {})", CHIP_A.base + offset);
    let Some(led) = open(r, &name, offset).await else {
        return;
    };
    let mut spot = Spotlight::new(led);
    let mut during = None;
    let outcome: Result<(), Box<dyn std::error::Error>> = async {
        let borrowed = &mut spot;
        async_with!(borrowed? => _spot {
            during = Some(kernel::mockup_value(CHIP_A.label, offset));
            Err("the capture failed")?;
        });
        Ok(())
    }
    .await;
    r.check(
        &format!("{name}: the body's error propagates, line high in the body"),
        (
            Some("the capture failed".to_owned()),
            Some(Ok("1".to_owned())),
        ),
        (outcome.err().map(|e| e.to_string()), during),
    );
    low_then_unexported(r, &name, offset, spot);
}

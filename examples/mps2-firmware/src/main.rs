//! The seed's example as firmware: on QEMU's `mps2-an500` (a Cortex-M7, the
//! class of the camera boards the MicroPython original runs on), a
//! `Spotlight` over the FPGAIO LED settles, the body takes three
//! "snapshots", and the light goes off after them; then the block is
//! cancelled by a timer twice (in the body and in the settle) and the light
//! must go off each time.
//!
//! Nothing here checks itself: the LED is observed from outside, through
//! QEMU's `mps2_fpgaio_write` trace, by `check-trace.py` (run by
//! .ci/stages/embedded.sh). Each scenario writes its number to the FPGAIO
//! `MISC` register first (0x10, 0x20, 0x30) and each capture its own
//! (0x11, 0x12, ...), so the trace shows LED writes and captures in order.
//! The firmware ends QEMU through semihosting: status 0 when every block
//! returned, 1 on a panic.
#![no_std]
#![no_main]

mod board;
mod executor;
mod sizes;

use core::time::Duration;

use async_with::{Spotlight, async_with};
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use embassy_futures::select::{Either, select};
use embedded_hal_async::delay::DelayNs;

use board::{FpgaLed, SysTickDelay, mark};

/// The settle of the completed and body-cancelled blocks.
const SETTLE: Duration = Duration::from_millis(100);
/// Time between two snapshots.
const FRAME_GAP_MS: u32 = 50;

/// Takes a picture (a stand-in for `csi.snapshot()`): marks it in the trace.
fn snapshot(scenario: u32, frame: u32) {
    mark(scenario | frame);
}

/// The seed: light, settle, three snapshots, light off.
async fn three_snapshots(led: &mut FpgaLed) -> u32 {
    mark(0x10);
    async_with!(Spotlight::with_delay(&mut *led, SysTickDelay).settle(SETTLE) => spot {
        for frame in 1..=3 {
            snapshot(0x10, frame);
            spot.delay_mut().delay_ms(FRAME_GAP_MS).await;
        }
        3
    })
}

/// Snapshots until a 300 ms timer cancels the block, mid-body.
async fn cancelled_in_the_body(led: &mut FpgaLed) -> bool {
    mark(0x20);
    let block = async {
        async_with!(Spotlight::with_delay(&mut *led, SysTickDelay).settle(SETTLE) => spot {
            for frame in 1.. {
                snapshot(0x20, frame);
                spot.delay_mut().delay_ms(FRAME_GAP_MS).await;
            }
        })
    };
    let mut clock = SysTickDelay;
    matches!(select(block, clock.delay_ms(300)).await, Either::Second(()))
}

/// A 50 ms timer cancels the block during its 1 s settle: no snapshot.
async fn cancelled_in_the_settle(led: &mut FpgaLed) -> bool {
    mark(0x30);
    let block = async {
        async_with!(Spotlight::with_delay(&mut *led, SysTickDelay).settle(Duration::from_secs(1)) => _spot {
            snapshot(0x30, 1);
        })
    };
    let mut clock = SysTickDelay;
    matches!(select(block, clock.delay_ms(50)).await, Either::Second(()))
}

#[cortex_m_rt::entry]
fn main() -> ! {
    let peripherals = cortex_m::Peripherals::take().expect("taken once, at reset");
    board::start_clock(peripherals.SYST);
    sizes::print();
    let mut led = FpgaLed;
    let frames = executor::block_on(three_snapshots(&mut led));
    let body_cancelled = executor::block_on(cancelled_in_the_body(&mut led));
    let settle_cancelled = executor::block_on(cancelled_in_the_settle(&mut led));
    mark(0xff);
    let ok = frames == 3 && body_cancelled && settle_cancelled;
    debug::exit(if ok { EXIT_SUCCESS } else { EXIT_FAILURE });
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m_semihosting::hprintln!("firmware panicked: {}", info);
    debug::exit(EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

//! The emulated board: the FPGAIO LED as an `OutputPin`, a millisecond
//! SysTick as the clock, and a `DelayNs` over it.
//!
//! Addresses from Arm's AN500 (and QEMU's `hw/misc/mps2-fpgaio.c`): the
//! FPGA system control block sits at 0x4002_8000; its `LED0` register
//! (offset 0x00) drives the user LEDs, bit 0 being LED 0, and `MISC`
//! (offset 0x4c) is a plain control register this firmware uses to mark
//! captures in the same trace.

use core::convert::Infallible;
use core::future::poll_fn;
use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::Poll;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use embedded_hal::digital::{ErrorType, OutputPin};
use embedded_hal_async::delay::DelayNs;

const FPGAIO: usize = 0x4002_8000;
const LED0: *mut u32 = FPGAIO as *mut u32;
const MISC: *mut u32 = (FPGAIO + 0x4c) as *mut u32;

/// The MPS2 core clock QEMU models (SYSCLK, 25 MHz).
const CORE_HZ: u32 = 25_000_000;

/// Milliseconds since `start_clock`, counted by the SysTick exception.
static MILLIS: AtomicU32 = AtomicU32::new(0);

/// LED 0 of the FPGAIO block.
#[derive(Debug)]
pub struct FpgaLed;

impl FpgaLed {
    fn write(&mut self, on: bool) {
        // SAFETY: LED0 is the FPGAIO's LED register, a plain 32-bit MMIO word
        // that only this type writes.
        unsafe {
            let leds = ptr::read_volatile(LED0);
            ptr::write_volatile(LED0, if on { leds | 1 } else { leds & !1 });
        }
    }
}

impl ErrorType for FpgaLed {
    type Error = Infallible;
}

impl OutputPin for FpgaLed {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.write(false);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.write(true);
        Ok(())
    }
}

/// Writes `value` to the FPGAIO `MISC` register: a mark in QEMU's trace.
pub fn mark(value: u32) {
    // SAFETY: MISC is a plain FPGAIO control register; QEMU stores it.
    unsafe { ptr::write_volatile(MISC, value) }
}

/// Starts the SysTick at 1 kHz.
pub fn start_clock(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / 1_000 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// Milliseconds since the clock started.
pub fn now_ms() -> u32 {
    MILLIS.load(Ordering::Relaxed)
}

#[cortex_m_rt::exception]
fn SysTick() {
    MILLIS.fetch_add(1, Ordering::Relaxed);
}

/// Waits on the SysTick clock; its resolution is one millisecond, and a
/// wait is never shorter than asked.
#[derive(Debug, Clone, Copy)]
pub struct SysTickDelay;

impl DelayNs for SysTickDelay {
    async fn delay_ns(&mut self, ns: u32) {
        // One extra tick: the current millisecond has partly gone by.
        let ticks = ns.div_ceil(1_000_000) + 1;
        let deadline = now_ms().wrapping_add(ticks);
        poll_fn(|_| {
            // The executor polls after every interrupt, so no waker is kept.
            if now_ms().wrapping_sub(deadline) < u32::MAX / 2 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

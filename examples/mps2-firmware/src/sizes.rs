//! Future sizes in the `core`-only build (BENCHMARKS.md, "core only"): the
//! same Spotlight block (a 24-byte local kept across an await in the body)
//! through `async_with!`, written by hand with the same guarantee (exit
//! awaited, or cancel on drop), and the raw floor (no guarantee). Printed
//! through semihosting at start-up.

use core::hint::black_box;
use core::mem::size_of_val;

use async_with::{AsyncContextManager, Outcome, Spotlight, async_with};
use embedded_hal_async::delay::DelayNs;

use crate::board::{FpgaLed, SysTickDelay};

type Spot<'a> = Spotlight<&'a mut FpgaLed, SysTickDelay>;

macro_rules! body {
    ($delay:expr) => {{
        let local = black_box([1u8; 24]);
        $delay.delay_ms(1).await;
        black_box(&local);
        1u32
    }};
}

async fn with_macro(led: &mut FpgaLed) -> u32 {
    async_with!(Spotlight::with_delay(led, SysTickDelay) => spot { body!(spot.delay_mut()) })
}

async fn with_macro_3(a: &mut FpgaLed, b: &mut FpgaLed, c: &mut FpgaLed) -> u32 {
    async_with!(
        Spotlight::with_delay(a, SysTickDelay) => _a,
        Spotlight::with_delay(b, SysTickDelay) => _b,
        Spotlight::with_delay(c, SysTickDelay) => spot {
        body!(spot.delay_mut())
    })
}

/// Calls `cancel` if dropped before `exit` completed: the hand-written
/// guarantee.
struct CancelOnDrop<'s, 'l>(Option<&'s mut Spot<'l>>);

impl Drop for CancelOnDrop<'_, '_> {
    fn drop(&mut self) {
        if let Some(spot) = self.0.take() {
            spot.cancel();
        }
    }
}

async fn by_hand(led: &mut FpgaLed) -> u32 {
    let mut spot = Spotlight::with_delay(led, SysTickDelay);
    let Ok(_) = spot.enter().await;
    let mut guard = CancelOnDrop(Some(&mut spot));
    let value = body!(guard.0.as_mut().expect("armed").delay_mut());
    let spot = guard.0.as_mut().expect("armed");
    let Ok(()) = spot.exit(Outcome::Completed).await;
    guard.0 = None;
    value
}

async fn raw(led: &mut FpgaLed) -> u32 {
    let mut spot = Spotlight::with_delay(led, SysTickDelay);
    let Ok(_) = spot.enter().await;
    let value = body!(spot.delay_mut());
    let Ok(()) = spot.exit(Outcome::Completed).await;
    value
}

/// Prints the sizes (in bytes) through semihosting.
pub fn print() {
    let (mut a, mut b, mut c) = (FpgaLed, FpgaLed, FpgaLed);
    let spotlight = size_of_val(&Spotlight::with_delay(&mut a, SysTickDelay));
    let one = size_of_val(&with_macro(&mut a));
    let three = size_of_val(&with_macro_3(&mut a, &mut b, &mut c));
    let hand = size_of_val(&by_hand(&mut a));
    let floor = size_of_val(&raw(&mut a));
    cortex_m_semihosting::hprintln!(
        "future sizes (core only, thumbv7em): Spotlight {} B; block over 1 Spotlight: async_with! {} B, by hand {} B, raw floor {} B; over 3 Spotlights: async_with! {} B",
        spotlight,
        one,
        hand,
        floor,
        three
    );
}

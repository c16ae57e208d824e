//! The seed's spotlight on a Raspberry Pi Pico: every five seconds the
//! onboard LED (GPIO 25) lights the scene, settles for 80 ms, and the body
//! takes three captures 200 ms apart, each a 1 ms pulse on GPIO 16 (wire it
//! to a camera's trigger input, or watch it with a logic analyser). The
//! light goes off however the block ends.
//!
//! Flash it: hold BOOTSEL, plug the Pico in, then
//! `cargo run --release` (needs `elf2uf2-rs`; or `probe-rs run` with a
//! debug probe). Built in CI for `thumbv6m-none-eabi`.
#![no_std]
#![no_main]

use core::time::Duration;

use async_with::{Spotlight, async_with};
use embassy_executor::Spawner;
use embassy_rp::gpio::{Level, Output};
use embassy_time::{Delay, Timer};
use panic_halt as _;

/// Light on, settled, three captures, light off: the seed's block.
async fn take_three(light: &mut Output<'static>, trigger: &mut Output<'static>) -> u32 {
    let spot = Spotlight::with_delay(light, Delay).settle(Duration::from_millis(80));
    async_with!(spot => _lit {
        let mut frames = 0;
        for _ in 0..3 {
            trigger.set_high();
            Timer::after_millis(1).await;
            trigger.set_low();
            frames += 1;
            Timer::after_millis(200).await;
        }
        frames
    })
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut light = Output::new(p.PIN_25, Level::Low);
    let mut trigger = Output::new(p.PIN_16, Level::Low);
    loop {
        take_three(&mut light, &mut trigger).await;
        Timer::after_secs(5).await;
    }
}

//! Writes per second to a GPIO LED: our `SysfsGpio` (value file kept open,
//! one `pwrite` per write) against the open+write+close per write that
//! `sysfs_gpio` and `linux_embedded_hal::SysfsPin` do, on the same line, in
//! one run. For the real-kernel VM tier (`gpio-sim` or `gpio-mockup`), or
//! any tree laid out like `/sys`.
//!
//! ```text
//! cargo run --release -p async-with-benches --bin led_write_rate -- /sys 529 [SECONDS]
//! ```
//!
//! The line is exported if needed (and unexported afterwards), driven as an
//! output, and left low.

use std::fs::File;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use async_with::led::SysfsGpio;
use embedded_hal::digital::OutputPin;

/// Counts on/off pairs `pair` completes in `seconds`, as writes per second.
fn rate(seconds: f64, mut pair: impl FnMut()) -> f64 {
    let deadline = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut pairs = 0u64;
    while start.elapsed() < deadline {
        for _ in 0..64 {
            pair();
        }
        pairs += 64;
    }
    (2 * pairs) as f64 / start.elapsed().as_secs_f64()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (root, gpio) = match args.as_slice() {
        [root, gpio, ..] => match gpio.parse::<u32>() {
            Ok(gpio) => (root.clone(), gpio),
            Err(_) => {
                eprintln!(
                    "led_write_rate: {gpio:?} is not a GPIO number: pass the kernel's number, such as 529"
                );
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!(
                "usage: led_write_rate SYSFS_ROOT GPIO [SECONDS]   (for example: /sys 529 2)"
            );
            return ExitCode::from(2);
        }
    };
    let seconds = match args.get(2).map(|s| s.parse::<f64>()) {
        None => 2.0,
        Some(Ok(s)) if s > 0.0 => s,
        Some(_) => {
            eprintln!("led_write_rate: SECONDS must be a positive number, such as 2");
            return ExitCode::from(2);
        }
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread Tokio runtime");
    let mut led = match runtime.block_on(SysfsGpio::number(gpio).root(root.as_str()).open()) {
        Ok(led) => led,
        Err(error) => {
            eprintln!("led_write_rate: {error}");
            return ExitCode::FAILURE;
        }
    };
    let value = led.value_path().to_owned();

    let ours = rate(seconds, || {
        led.set_high().expect("writing 1");
        led.set_low().expect("writing 0");
    });
    let reopen = |bit: &str| {
        let mut file = File::create(&value).expect("opening the value file");
        file.write_all(bit.as_bytes())
            .expect("writing the value file");
    };
    let theirs = rate(seconds, || {
        reopen("1");
        reopen("0");
    });

    println!("value file: {}", value.display());
    println!("SysfsGpio (pwrite on a kept-open fd): {ours:>12.0} writes/s");
    println!("open+write+close (sysfs_gpio's way):  {theirs:>12.0} writes/s");
    println!("ratio: {:.2}x", ours / theirs);
    if let Err(error) = led.close() {
        eprintln!("led_write_rate: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

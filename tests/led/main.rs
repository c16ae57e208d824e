//! The LED side, one concern per module: `Spotlight` over a pin and on
//! every executor, the sysfs GPIO and LED class backends on the simulated
//! sysfs (exact values, kernel traces, faults, faults under load,
//! cancellation, one owner per light, chip labels, Pi bases, per-chip
//! export, fixed directions, trigger restore) and the GPIO character
//! device's checks that need no kernel.
//!
//! One test binary for all of them (issue 16). `cargo test --test led
//! sysfs_gpio` runs one module. The tests run in parallel threads of one
//! process: each simulated sysfs is a tree of its own, and the plain
//! directories are named by process and thread.

#[path = "../support/mod.rs"]
mod support;

mod cdev;
mod chip_labels;
mod exact_values;
mod executors;
mod faults_under_load;
mod fixed_direction;
mod kernel_traces;
mod light_owner;
mod per_chip_sysfs;
mod pi_base;
mod sim_faults;
mod spotlight;
mod sysfs_cancellation;
mod sysfs_gpio;
mod sysfs_led;
mod trigger_restore;

//! Every LED trigger that adds attributes comes back with them: a uleds LED
//! under each, its attributes changed from the defaults, is lit in a
//! Spotlight block; afterwards the trigger and every attribute read as
//! before.

use async_with::led::{LedError, SysfsLed};
use async_with::{Spotlight, async_with};

use crate::kernel;
use crate::layout::ULED_TRIGGER;
use crate::report::Report;

/// Each trigger the VM loads that has attributes of its own, with values
/// that differ from the kernel's defaults.
const TRIGGERS: &[(&str, &[(&str, &str)])] = &[
    ("timer", &[("delay_on", "100"), ("delay_off", "900")]),
    (
        "oneshot",
        &[("delay_on", "30"), ("delay_off", "70"), ("invert", "1")],
    ),
    ("heartbeat", &[("invert", "1")]),
    ("transient", &[("duration", "5000")]),
    ("pattern", &[("pattern", "7 400 0 400")]),
];

pub(crate) async fn run(r: &mut Report) {
    for (trigger, attributes) in TRIGGERS {
        restored(r, trigger, attributes).await;
    }
}

async fn restored(r: &mut Report, trigger: &str, attributes: &[(&str, &str)]) {
    let led = ULED_TRIGGER.name;
    let dir = format!("/sys/class/leds/{led}");
    let name = format!("SysfsLed::named({led:?}) under {trigger} with its attributes set");
    let set_up = kernel::write_ok(format!("{dir}/trigger"), trigger).and_then(|()| {
        attributes
            .iter()
            .try_for_each(|(attr, value)| kernel::write_ok(format!("{dir}/{attr}"), value))
    });
    if let Err(e) = set_up {
        return r.fail(&format!("{name}: set up"), e);
    }
    // What the kernel shows for them (a pattern may be normalised).
    let before: Vec<Result<String, String>> = attributes
        .iter()
        .map(|(attr, _)| kernel::read(format!("{dir}/{attr}")))
        .collect();
    let lit: Result<u32, LedError> = async {
        let led = SysfsLed::named(led).open()?;
        Ok(async_with!(Spotlight::new(led)? => spot { spot.led().max_brightness() }))
    }
    .await;
    let after: Vec<Result<String, String>> = attributes
        .iter()
        .map(|(attr, _)| kernel::read(format!("{dir}/{attr}")))
        .collect();
    r.check(
        &format!("{name}: lit, then {trigger} and every attribute restored"),
        (Ok(ULED_TRIGGER.max), Ok(trigger.to_owned()), before),
        (
            lit.map_err(|e| e.to_string()),
            kernel::led_trigger(led),
            after,
        ),
    );
    let _ = kernel::write(format!("{dir}/trigger"), "none");
}

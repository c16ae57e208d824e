//! A line whose driver gives no `direction` file: it is exported, so the
//! message must not say to export it. A fixed output is driven through
//! `value`; a fixed input is refused saying so.

use async_with::led::sim::{Fault, SimSysfs};
use async_with::led::{LedError, SysfsGpio};

use crate::support::led;
use led::{VALUE_529, lit_block};

#[tokio::test(start_paused = true)]
async fn a_fixed_output_is_lit_through_value_alone() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::FixedDirection {
        gpio: 529,
        output: true,
    });
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    assert!(!sim.exists("class/gpio/gpio529/direction"));
    let lit = lit_block(led, |_| sim.read(VALUE_529).unwrap())
        .await
        .unwrap();
    assert_eq!(lit, "1\n");
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/export <- 529",
            "class/gpio/gpio529/direction <- low (ENOENT)",
            "class/gpio/gpio529/value <- 0",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0",
            "class/gpio/unexport <- 529",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_fixed_input_is_refused_saying_its_direction_is_fixed() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::FixedDirection {
        gpio: 529,
        output: false,
    });
    let error = SysfsGpio::bcm(17).root(&sim).open().await.unwrap_err();
    assert!(
        matches!(error, LedError::FixedDirection { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("has no `direction` file"), "{text}");
    assert!(text.contains("fixed as an input"), "{text}");
    assert!(!text.contains("is exported"), "{text}");
    assert!(!sim.exists("class/gpio/gpio529"), "unexported again");
}

#[tokio::test(start_paused = true)]
async fn an_adopted_line_without_direction_is_not_told_to_be_exported() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::FixedDirection {
        gpio: 529,
        output: true,
    });
    std::fs::create_dir_all(sim.root().join("class/gpio/gpio529")).unwrap();
    std::fs::write(sim.root().join(VALUE_529), "1\n").unwrap();
    let led = SysfsGpio::number(529).root(&sim).open().await.unwrap();
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n", "started off");
    assert!(!led.exported_by_us());
}

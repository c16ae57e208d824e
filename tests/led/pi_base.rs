//! Raspberry Pi BCM numbers map through the gpiochip base read from the
//! tree: 512 on a Pi 4, 571 on a Pi 5 (kernel 6.6+), whatever it is elsewhere.

use async_with::led::sim::{Board, SimSysfs};
use async_with::led::{GpioChip, LedError, SysfsGpio};

#[test]
fn bcm_17_is_529_on_a_pi_4() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let chip = GpioChip::raspberry_pi(&sim).unwrap();
    assert_eq!(
        chip,
        GpioChip {
            name: "gpiochip512".into(),
            label: "pinctrl-bcm2711".into(),
            base: Some(512),
            ngpio: 58
        }
    );
    let (gpio, pin) = SysfsGpio::bcm(17).root(&sim).resolve().unwrap();
    assert_eq!(gpio, 529);
    assert_eq!(pin, "GPIO 529 (BCM 17 on pinctrl-bcm2711)");
}

#[test]
fn bcm_17_is_588_on_a_pi_5_past_the_soc_chips() {
    let sim = SimSysfs::temp_raspberry_pi_5().unwrap();
    // The SoC's own gpio-brcmstb chips come first, from 512: not the header.
    let chips = GpioChip::list(&sim).unwrap();
    assert_eq!(chips.first().unwrap().base, Some(512));
    assert_eq!(chips.len(), 5);
    let (gpio, pin) = SysfsGpio::bcm(17).root(&sim).resolve().unwrap();
    assert_eq!(gpio, 588);
    assert_eq!(pin, "GPIO 588 (BCM 17 on pinctrl-rp1)");
}

#[tokio::test(start_paused = true)]
async fn a_pi_5_line_is_exported_under_its_own_number() {
    let sim = SimSysfs::temp_raspberry_pi_5().unwrap();
    let led = SysfsGpio::bcm(4).root(&sim).open().await.unwrap();
    assert_eq!(led.gpio(), 575);
    assert_eq!(sim.read("class/gpio/gpio575/direction").unwrap(), "out\n");
}

#[test]
fn an_older_kernel_base_is_read_not_assumed() {
    // Kernels before 6.6 numbered the Pi 3's controller from 0.
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_chip(0, 54, "pinctrl-bcm2835").unwrap();
    sim.add_chip(504, 8, "raspberrypi-exp-gpio").unwrap();
    assert_eq!(SysfsGpio::bcm(17).root(&sim).resolve().unwrap().0, 17);
}

#[test]
fn the_rp1_wins_over_other_pi_labels() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_chip(512, 54, "pinctrl-bcm2835").unwrap();
    sim.add_chip(600, 54, "pinctrl-rp1").unwrap();
    assert_eq!(SysfsGpio::bcm(2).root(&sim).resolve().unwrap().0, 602);
}

#[test]
fn a_board_without_a_pi_controller_says_what_it_found() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_chip(512, 32, "gpio-mockup-A").unwrap();
    let error = SysfsGpio::bcm(17).root(&sim).resolve().unwrap_err();
    assert!(
        matches!(error, LedError::NotARaspberryPi { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("found: gpio-mockup-A 512..544"), "{text}");
    assert!(
        text.contains("use `SysfsGpio::chip(label, offset)`"),
        "{text}"
    );
}

#[test]
fn a_tree_without_chips_hints_at_the_kernel_config() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    let error = SysfsGpio::bcm(17).root(&sim).resolve().unwrap_err();
    assert!(error.to_string().contains("CONFIG_GPIO_SYSFS"), "{error}");
}

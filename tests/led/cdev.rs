//! CdevLine's checks that need no kernel: chip, line and consumer names are
//! refused before any device is opened. (The real-kernel tier requests lines.)
#![cfg(all(feature = "cdev", target_os = "linux"))]

use async_with::led::{CdevLine, DEFAULT_CONSUMER, LedError};

#[test]
fn a_bare_chip_name_is_looked_up_in_dev() {
    let path = CdevLine::chip("gpiochip0", 17).validate().unwrap();
    assert_eq!(
        path.as_deref(),
        Some(std::path::Path::new("/dev/gpiochip0"))
    );
    let path = CdevLine::chip("/dev/gpiochip4", 17).validate().unwrap();
    assert_eq!(
        path.as_deref(),
        Some(std::path::Path::new("/dev/gpiochip4"))
    );
}

#[test]
fn chip_names_with_dots_slashes_or_nul_are_refused() {
    let cases = [
        ("../gpiochip0", "it contains `..`"),
        ("/dev/../etc/passwd", "it contains `..`"),
        ("gpio/chip0", "it contains `/`"),
        ("gpiochip\0x", "it contains a NUL byte"),
        ("", "it is empty"),
    ];
    for (chip, reason) in cases {
        let error = CdevLine::chip(chip, 0).request().unwrap_err();
        assert!(
            matches!(
                error,
                LedError::InvalidName {
                    what: "GPIO chip",
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains(reason), "{chip:?}: {error}");
    }
}

#[test]
fn line_names_are_text_but_not_empty_or_nul() {
    for name in ["", "GPIO\0x"] {
        let error = CdevLine::named(name).request().unwrap_err();
        assert!(
            error.to_string().starts_with("invalid line name"),
            "{error}"
        );
    }
    // A line name is compared as text, never made a path.
    for name in ["GPIO17", "/soc/gpio@7e200000/pin17", "a/../b"] {
        assert_eq!(CdevLine::named(name).validate().unwrap(), None, "{name}");
    }
    let consumer = CdevLine::chip("gpiochip0", 1).consumer("cam/flash");
    assert!(consumer.validate().is_ok());
}

#[test]
fn the_consumer_label_fits_the_kernel() {
    assert_eq!(DEFAULT_CONSUMER, "async-with");
    let long = "x".repeat(32);
    let error = CdevLine::chip("gpiochip0", 1)
        .consumer(long.as_str())
        .request()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("longer than the kernel's 31 bytes"),
        "{error}"
    );
    assert!(
        CdevLine::chip("gpiochip0", 1)
            .consumer("x".repeat(31))
            .validate()
            .is_ok()
    );
}

#[test]
fn an_unknown_line_name_says_how_to_list_them() {
    let error = CdevLine::named("NO_SUCH_LINE_async_with")
        .request()
        .unwrap_err();
    assert!(matches!(error, LedError::NoSuchLine { .. }), "{error:?}");
    assert!(error.to_string().contains("`gpioinfo`"), "{error}");
}

#[test]
fn a_missing_chip_names_the_line_and_the_fix() {
    let error = CdevLine::chip("gpiochip999", 3).request().unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("line 3 of /dev/gpiochip999: "), "{text}");
    assert!(
        text.contains("check the chip and offset exist (`gpioinfo`)"),
        "{text}"
    );
}

#[test]
fn a_label_with_no_usable_chip_device_says_why_so_callers_can_fall_back() {
    let chips = std::fs::read_dir("/dev")
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("gpiochip"))
        })
        .unwrap_or(false);
    // A label no chip carries: on any machine, no chip device fits it.
    let error = CdevLine::labelled("/soc@0/no-such-gpio@0", 3)
        .request()
        .unwrap_err();
    let LedError::NoChipDevice { label, reason } = &error else {
        panic!("expected NoChipDevice, got {error:?}");
    };
    assert_eq!(
        label, "/soc@0/no-such-gpio@0",
        "a label is text, not a path"
    );
    if chips {
        assert!(
            reason.contains("none carries it") || reason.contains("could be opened"),
            "{reason}"
        );
    } else {
        assert_eq!(reason, "there is no /dev/gpiochip*");
    }
    assert!(
        error.to_string().contains("use the sysfs interface"),
        "{error}"
    );
}

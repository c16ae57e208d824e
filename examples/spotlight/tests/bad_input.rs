//! Bad input gets a message naming what was wrong, as the user wrote it,
//! and what to do instead; the light never goes on.
#![cfg(unix)]

mod support;

use support::{Tree, VALUE, run, text, unprivileged};

/// Runs the tool expecting exit 1, no timeline, and returns its stderr.
fn refused(args: &[&str]) -> String {
    let output = run(args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?} printed a timeline");
    stderr
}

#[test]
fn a_bcm_number_past_the_header_names_the_bcm_number_and_the_valid_range() {
    let stderr = refused(&["--sim", "--bcm", "99"]);
    assert!(
        stderr.starts_with("error: BCM 99 is not a pin of the Raspberry Pi's GPIO controller \"pinctrl-rp1\", which has BCM 0 to 53; pass a BCM number from 0 to 53"),
        "{stderr}"
    );
    assert!(!stderr.contains("offset"), "{stderr}");
}

#[test]
fn an_offset_past_the_chip_names_the_offset_and_the_valid_range() {
    let stderr = refused(&["--sim", "--chip", "pinctrl-rp1", "--offset", "54"]);
    assert!(
        stderr.starts_with("error: offset 54 is outside gpiochip \"pinctrl-rp1\", which has lines 0 to 53; pass an offset from 0 to 53"),
        "{stderr}"
    );
}

#[test]
fn a_label_two_chips_carry_names_both_and_the_flags_that_pick_one() {
    let tree = Tree::new()
        .chip("gpiochip512", "gpio-mockup", 512, 32)
        .chip("gpiochip600", "gpio-mockup", 600, 16);
    let stderr = refused(&[
        "--sysfs-root",
        tree.root(),
        "--chip",
        "gpio-mockup",
        "--offset",
        "3",
    ]);
    assert!(
        stderr.contains("gpiochip label \"gpio-mockup\" names no single chip: 2 chips carry it, gpiochip512 (GPIO 512 to 543) and gpiochip600 (GPIO 600 to 615)"),
        "{stderr}"
    );
    assert!(stderr.contains("`--gpio 515` or `--gpio 603`"), "{stderr}");
    assert!(!stderr.contains("all carry it"), "{stderr}");
}

#[test]
fn two_raspberry_pi_controllers_name_both_and_the_flags_that_pick_one_for_a_bcm_number() {
    let tree = Tree::new()
        .chip("gpiochip571", "pinctrl-rp1", 571, 54)
        .chip("gpiochip640", "pinctrl-rp1", 640, 54);
    let stderr = refused(&["--sysfs-root", tree.root(), "--bcm", "17"]);
    assert!(
        stderr.contains("gpiochip571 (GPIO 571 to 624) and gpiochip640 (GPIO 640 to 693)"),
        "{stderr}"
    );
    assert!(stderr.contains("`--gpio 588` or `--gpio 657`"), "{stderr}");
}

#[test]
fn a_sysfs_root_this_user_cannot_write_says_how_to_fix_that_tree() {
    let tree = Tree::new()
        .chip("gpiochip571", "pinctrl-rp1", 571, 54)
        .exported_line("0\n");
    tree.read_only();
    for light in [
        &["--bcm", "17"][..],
        &["--bcm", "17", "off"],
        &["--gpio", "588"],
    ] {
        let args = [&["--sysfs-root", tree.root()][..], light].concat();
        let output = unprivileged(&args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{light:?}: {stderr}");
        assert!(
            stderr.contains("error: permission denied opening ")
                && stderr.contains("gpio588/value"),
            "{light:?}: {stderr}"
        );
        // The fix for this tree, not the `gpio` group of the kernel's /sys.
        assert!(
            stderr.contains(&format!(
                "hint: --sysfs-root {} is a tree this user cannot write: make it writable (`chmod -R u+w {}`",
                tree.root(),
                tree.root()
            )),
            "{light:?}: {stderr}"
        );
        assert!(!stderr.contains("usermod"), "{light:?}: {stderr}");
        assert_eq!(tree.read(VALUE), "0\n");
    }
}

#[test]
fn a_simulator_in_a_directory_this_user_cannot_write_says_to_pass_a_writable_one() {
    let tree = Tree::new();
    tree.read_only();
    let output = unprivileged(&["--sim", "--sysfs-root", tree.root()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot lay out the simulated sysfs in {}",
            tree.root()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("pass a writable directory to --sysfs-root"),
        "{stderr}"
    );
}

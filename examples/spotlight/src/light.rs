//! Opening the light the flags name, on the kernel's sysfs or on the
//! simulated Raspberry Pi.

use std::io;
use std::path::{Path, PathBuf};

#[cfg(all(feature = "cdev", target_os = "linux"))]
use async_with::led::CdevLine;
use async_with::led::sim::SimSysfs;
use async_with::led::{LedError, Sysfs, SysfsGpio, SysfsGpioBuilder, SysfsLed};
use embedded_hal::digital::{ErrorType, OutputPin};

use crate::cli::{Choice, LightArgs};

/// The pin the demo lights when no flag names one: GPIO17, header pin 11.
pub const DEFAULT_BCM: u32 = 17;

/// One of the backends, chosen at run time.
#[derive(Debug)]
pub enum Light {
    Gpio(SysfsGpio),
    Led(SysfsLed),
    #[cfg(all(feature = "cdev", target_os = "linux"))]
    Cdev(CdevLine),
}

/// An opened light and what the timeline says about it.
#[derive(Debug)]
pub struct Opened {
    pub light: Light,
    /// Which light, e.g. `GPIO 588 (BCM 17 on pinctrl-rp1)`.
    pub name: String,
    /// Where it is, e.g. `simulated Raspberry Pi 5 in /tmp/...`.
    pub place: String,
    /// Whether the tree is the simulator's.
    pub simulated: bool,
    /// The sysfs root, when there is one.
    pub root: Option<PathBuf>,
    /// Whether on is the low level (`--active-low`).
    pub active_low: bool,
    /// What the light's file reads while it is on, and why when that is
    /// not the obvious `1` / max brightness.
    pub reads_when_on: Option<(String, Option<String>)>,
    /// Things the run should say before it starts (a fallback to sysfs).
    pub notes: Vec<String>,
    // Keeps a temporary simulated tree alive for the whole run.
    _sim: Option<SimSysfs>,
}

/// Why the light could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The backend refused: its message names the file, the pin and the fix.
    #[error(transparent)]
    Light(#[from] LedError),
    /// The sysfs fallback failed too: its error, and why the character
    /// device was not used.
    #[error("{source}\nnote: {note}")]
    AfterFallback {
        note: String,
        source: Box<OpenError>,
    },
    /// The simulated tree could not be written.
    #[error(
        "cannot lay out the simulated sysfs in {}: {source}; pass a writable directory to --sysfs-root",
        root.display()
    )]
    Sim { root: PathBuf, source: io::Error },
    /// `--cdev` in a build without the backend.
    #[cfg(not(all(feature = "cdev", target_os = "linux")))]
    #[error(
        "--cdev needs the `cdev` feature on Linux: run `cargo run -p spotlight --features cdev -- --cdev ...`, or `cargo install --path examples/spotlight --features cdev`"
    )]
    NoCdev,
}

impl OpenError {
    /// 1 when the light cannot be used; 2 when the flags asked for a
    /// backend this build lacks, a usage mistake like a bad flag.
    pub fn exit_code(&self) -> u8 {
        match self {
            OpenError::AfterFallback { source, .. } => source.exit_code(),
            #[cfg(not(all(feature = "cdev", target_os = "linux")))]
            OpenError::NoCdev => 2,
            _ => 1,
        }
    }
}

/// Opens the light `args` name; see the `--help` text for the rule that
/// picks the simulator.
///
/// # Errors
///
/// [`OpenError::Sim`] when the simulated tree cannot be laid out (a
/// `--sysfs-root` this user cannot write); [`OpenError::Light`] with the
/// backend's [`LedError`] (no such GPIO, chip or LED, a BCM number or
/// offset out of range, an ambiguous label, permission denied, the light
/// held by another run); [`OpenError::AfterFallback`] when `--bcm`/`--chip`
/// fell back from the character device to sysfs and sysfs failed too; and,
/// in a build without the `cdev` feature, `OpenError::NoCdev` for `--cdev`.
pub async fn open(args: &LightArgs) -> Result<Opened, OpenError> {
    let choice = args.choice().unwrap_or(Choice::Bcm(DEFAULT_BCM));
    let (sysfs, sim, place) = if args.simulated() {
        let sim = match &args.sysfs_root {
            Some(root) => SimSysfs::raspberry_pi_5(root),
            None => SimSysfs::temp_raspberry_pi_5(),
        }
        .map_err(|source| OpenError::Sim {
            root: args.sysfs_root.clone().unwrap_or_else(std::env::temp_dir),
            source,
        })?;
        let place = format!("simulated Raspberry Pi 5 in {}", sim.root().display());
        (sim.sysfs(), Some(sim), place)
    } else {
        let sysfs = Sysfs::at(args.sysfs_root.as_deref().unwrap_or(Path::new("/sys")));
        let place = format!("sysfs at {}", sysfs.root().display());
        (sysfs, None, place)
    };
    let mut notes = Vec::new();
    let through_cdev_first = sim.is_none()
        && args.sysfs_root.is_none()
        && matches!(choice, Choice::Bcm(_) | Choice::Chip(..));
    if through_cdev_first {
        match cdev_by_label(&choice, args).await? {
            Ok((light, name)) => {
                return Ok(Opened {
                    reads_when_on: light.reads_when_on(),
                    light,
                    name,
                    place: "GPIO character device".to_owned(),
                    simulated: false,
                    root: None,
                    active_low: args.active_low,
                    notes,
                    _sim: None,
                });
            }
            Err(why) => notes.push(format!(
                "the GPIO character device is not usable ({why}); falling back to sysfs"
            )),
        }
    }
    let through_cdev = matches!(choice, Choice::Cdev(..));
    let opened = open_sysfs_or_cdev(choice, &sysfs, args).await;
    let (light, name) = match (opened, notes.first()) {
        (Ok(opened), _) => opened,
        (Err(source), Some(note)) => {
            return Err(OpenError::AfterFallback {
                note: note.clone(),
                source: Box::new(source),
            });
        }
        (Err(e), None) => return Err(e),
    };
    let (place, root) = if through_cdev {
        ("GPIO character device".to_owned(), None)
    } else {
        (place, Some(sysfs.root().to_owned()))
    };
    Ok(Opened {
        reads_when_on: light.reads_when_on(),
        light,
        name,
        place,
        simulated: sim.is_some(),
        root,
        active_low: args.active_low,
        notes,
        _sim: sim,
    })
}

/// `--wait` and the light is taken: say whose turn it is before queueing.
fn say_waiting(held: &LedError) {
    let LedError::Held { pin, holder, .. } = held else {
        return;
    };
    crate::timeline::warn(&format!(
        "spotlight: {pin} is in use by {holder}; waiting for it (--wait)"
    ));
}

/// Opens the light on sysfs (`--cdev`: on the device it names).
async fn open_sysfs_or_cdev(
    choice: Choice,
    sysfs: &Sysfs,
    args: &LightArgs,
) -> Result<(Light, String), OpenError> {
    Ok(match choice {
        Choice::Gpio(gpio) => gpio_light(SysfsGpio::number(gpio), sysfs, args).await?,
        Choice::Bcm(bcm) => gpio_light(SysfsGpio::bcm(bcm), sysfs, args).await?,
        Choice::Chip(label, offset) => {
            gpio_light(SysfsGpio::chip(label, offset), sysfs, args).await?
        }
        Choice::Led(name) => {
            let builder = SysfsLed::named(name.as_str())
                .root(sysfs)
                .inverted(args.active_low);
            let led = match builder.clone().open() {
                Err(e @ LedError::Held { .. }) if args.wait => {
                    say_waiting(&e);
                    builder.open_waiting().await?
                }
                opened => opened?,
            };
            (Light::Led(led), format!("LED {name}"))
        }
        Choice::Cdev(chip, line) => cdev_light(&chip, line, args).await?,
    })
}

/// `--bcm N` / `--chip LABEL --offset N` through the character device, the
/// chip found by label. `Ok(Err(why))` means no chip device is usable, so
/// the caller falls back to sysfs; any other failure (the line held by
/// another run, an ambiguous label) is the run's error.
#[cfg(all(feature = "cdev", target_os = "linux"))]
async fn cdev_by_label(
    choice: &Choice,
    args: &LightArgs,
) -> Result<Result<(Light, String), String>, OpenError> {
    let (builder, what) = match choice {
        Choice::Bcm(bcm) => (CdevLine::bcm(*bcm), format!("BCM {bcm}")),
        Choice::Chip(label, offset) => (
            CdevLine::labelled(label.as_str(), *offset),
            format!("offset {offset} of {label}"),
        ),
        _ => return Ok(Err("not a line named by label".to_owned())),
    };
    let builder = builder.consumer("spotlight").active_low(args.active_low);
    let requested = match builder.clone().request() {
        Err(e @ LedError::Held { .. }) if args.wait => {
            say_waiting(&e);
            builder.request_waiting().await
        }
        requested => requested,
    };
    match requested {
        Ok(cdev) => {
            let name = format!("{what} ({})", cdev.name());
            Ok(Ok((Light::Cdev(cdev), name)))
        }
        Err(LedError::NoChipDevice { reason, .. }) => Ok(Err(reason)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(all(feature = "cdev", target_os = "linux")))]
async fn cdev_by_label(
    _: &Choice,
    _: &LightArgs,
) -> Result<Result<(Light, String), String>, OpenError> {
    Ok(Err("this build has no `cdev` feature".to_owned()))
}

async fn gpio_light(
    builder: SysfsGpioBuilder,
    sysfs: &Sysfs,
    args: &LightArgs,
) -> Result<(Light, String), OpenError> {
    let builder = builder.root(sysfs).active_low(args.active_low);
    let gpio = match builder.clone().open().await {
        Err(e @ LedError::Held { .. }) if args.wait => {
            say_waiting(&e);
            builder.wait(true).open().await?
        }
        opened => opened?,
    };
    let name = gpio.name().to_owned();
    Ok((Light::Gpio(gpio), name))
}

#[cfg(all(feature = "cdev", target_os = "linux"))]
async fn cdev_light(
    chip: &Path,
    line: u32,
    args: &LightArgs,
) -> Result<(Light, String), OpenError> {
    let builder = CdevLine::chip(chip, line)
        .consumer("spotlight")
        .active_low(args.active_low);
    let cdev = match builder.clone().request() {
        Err(e @ LedError::Held { .. }) if args.wait => {
            say_waiting(&e);
            builder.request_waiting().await?
        }
        requested => requested?,
    };
    let name = format!("line {line} of {}", cdev.chip_path().display());
    Ok((Light::Cdev(cdev), name))
}

#[cfg(not(all(feature = "cdev", target_os = "linux")))]
async fn cdev_light(_: &Path, _: u32, _: &LightArgs) -> Result<(Light, String), OpenError> {
    Err(OpenError::NoCdev)
}

impl Light {
    /// What the kernel says the light is, read back from its file (`value
    /// 1`, `brightness 255`), so the timeline shows the state, not the
    /// intent. The character device has no file: its last written level.
    pub fn level(&self) -> String {
        let (attr, path) = match self {
            Light::Gpio(gpio) => ("value", gpio.value_path()),
            Light::Led(led) => ("brightness", led.brightness_path()),
            #[cfg(all(feature = "cdev", target_os = "linux"))]
            Light::Cdev(cdev) => {
                return if cdev.is_on() {
                    "line active"
                } else {
                    "line inactive"
                }
                .to_owned();
            }
        };
        match std::fs::read_to_string(path) {
            Ok(text) => format!("{attr} {}", text.trim()),
            Err(e) => format!("{attr} unreadable ({e})"),
        }
    }

    /// What the light's file reads while it is on, with the reason when it
    /// is not the plain `1` / max brightness (the header's note).
    pub fn reads_when_on(&self) -> Option<(String, Option<String>)> {
        match self {
            Light::Gpio(gpio) => {
                let reads = gpio.value_when_on();
                let why = match (gpio.active_low(), gpio.kernel_active_low()) {
                    (false, false) => None,
                    (true, false) => Some("active low"),
                    (false, true) => Some("the kernel's active_low is 1"),
                    (true, true) => Some("active low, and the kernel's active_low is 1 too"),
                };
                Some((reads.to_owned(), why.map(str::to_owned)))
            }
            Light::Led(led) if led.inverted() => {
                Some(("0".to_owned(), Some("inverted".to_owned())))
            }
            Light::Led(led) => Some((led.max_brightness().to_string(), None)),
            #[cfg(all(feature = "cdev", target_os = "linux"))]
            Light::Cdev(_) => None,
        }
    }

    /// The file the light is written through, if it has one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Light::Gpio(gpio) => Some(gpio.value_path()),
            Light::Led(led) => Some(led.brightness_path()),
            #[cfg(all(feature = "cdev", target_os = "linux"))]
            Light::Cdev(_) => None,
        }
    }
}

impl ErrorType for Light {
    type Error = LedError;
}

impl OutputPin for Light {
    fn set_low(&mut self) -> Result<(), LedError> {
        match self {
            Light::Gpio(gpio) => gpio.set_low(),
            Light::Led(led) => led.set_low(),
            #[cfg(all(feature = "cdev", target_os = "linux"))]
            Light::Cdev(cdev) => cdev.set_low(),
        }
    }

    fn set_high(&mut self) -> Result<(), LedError> {
        match self {
            Light::Gpio(gpio) => gpio.set_high(),
            Light::Led(led) => led.set_high(),
            #[cfg(all(feature = "cdev", target_os = "linux"))]
            Light::Cdev(cdev) => cdev.set_high(),
        }
    }
}

/// What to try next, in this tool's flags, for the errors whose library
/// message names library calls or that a first try on a PC runs into.
fn hint(error: &OpenError, args: &LightArgs) -> Option<String> {
    let simulated = args.simulated();
    if let Some(hint) = read_only_tree(error, args) {
        return Some(hint);
    }
    match error {
        OpenError::AfterFallback { source, .. } => hint(source, args),
        OpenError::Light(LedError::NoSuchGpio { .. }) => Some(
            "sysfs numbers start at the chip's base (512 or 571 on recent kernels): `--bcm N` or `--chip LABEL --offset N` look it up for you".to_owned(),
        ),
        OpenError::Light(LedError::NotARaspberryPi { .. }) if !simulated => Some(
            "on another board name the line by its chip: `--chip LABEL --offset N`, with one of the labels above; or add --sim to try the same flags on a simulated Raspberry Pi 5".to_owned(),
        ),
        OpenError::Light(LedError::NoSuchChip { .. } | LedError::NoSuchLed { .. })
            if !simulated =>
        {
            Some("add --sim to try the same flags on a simulated Raspberry Pi 5".to_owned())
        }
        OpenError::Light(LedError::Io { source, .. })
            if !simulated
                && source.kind() == io::ErrorKind::NotFound
                && !args
                    .sysfs_root
                    .as_deref()
                    .unwrap_or(Path::new("/sys"))
                    .join("class/gpio")
                    .exists() =>
        {
            Some(
                "this system has no sysfs GPIO (class/gpio is missing): on a PC add --sim; on a board whose kernel lacks CONFIG_GPIO_SYSFS use --cdev /dev/gpiochipN --line N (feature `cdev`)".to_owned(),
            )
        }
        _ => None,
    }
}

/// Whether `root` is the kernel's sysfs (wherever it is mounted), by its
/// file system magic; elsewhere than Linux, whether it is `/sys`.
fn is_sysfs(root: &Path) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        const SYSFS_MAGIC: i64 = 0x6265_6572;
        // `f_type`'s integer type differs between targets.
        #[allow(clippy::unnecessary_cast)]
        rustix::fs::statfs(root).is_ok_and(|fs| fs.f_type as i64 == SYSFS_MAGIC)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        root == Path::new("/sys")
    }
}

/// Everything the tool says about an error opening the light: the
/// backend's message and, where there is one, a hint in this tool's flags.
pub fn explain(error: &OpenError, args: &LightArgs) -> String {
    let message = match error {
        // The library's fix (the `gpio` group, a udev rule) is the kernel's
        // /sys's; for a tree of the user's own, the hint says what to do.
        OpenError::Light(LedError::PermissionDenied {
            pin, action, file, ..
        }) if read_only_tree(error, args).is_some() => {
            format!("permission denied {action} {} for {pin}", file.display())
        }
        _ => error.to_string(),
    };
    match hint(error, args) {
        Some(hint) => format!("{message}\nhint: {hint}"),
        None => message,
    }
}

/// A `--sysfs-root` other than the kernel's that this process may not
/// write (permission denied, or a read-only file system): the `gpio` group
/// and udev rules of the library's message do not apply to it.
fn read_only_tree(error: &OpenError, args: &LightArgs) -> Option<String> {
    let root = args.sysfs_root.as_deref()?;
    if is_sysfs(root) {
        return None;
    }
    let refused = match error {
        OpenError::Light(LedError::PermissionDenied { .. }) => true,
        OpenError::Light(LedError::Io { source, .. }) => {
            source.kind() == io::ErrorKind::PermissionDenied || source.raw_os_error() == Some(30)
        }
        _ => false,
    };
    refused.then(|| {
        let root = root.display();
        format!(
            "--sysfs-root {root} is a tree this user cannot write: make it writable (`chmod -R u+w {root}`, or remount it read-write), or pass a --sysfs-root you can write (with --sim, any writable directory: the simulator lays out a fresh tree there)"
        )
    })
}

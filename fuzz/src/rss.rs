//! Resident memory of this process, from `/proc/self/status` (Linux).

/// Current resident set size in KiB (`VmRSS`); 0 where `/proc` is unavailable.
pub fn resident_kib() -> u64 {
    status_field("VmRSS:")
}

/// The kernel's high-water mark of the resident set in KiB (`VmHWM`).
pub fn high_water_kib() -> u64 {
    status_field("VmHWM:")
}

fn status_field(name: &str) -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

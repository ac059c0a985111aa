//! `kehoach_text::normalize`: never panics, is idempotent, and returns NFC.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let once = kehoach_text::normalize(s);
    let twice = kehoach_text::normalize(&once);
    assert_eq!(once, twice, "normalize is not idempotent");
    assert!(
        unicode_normalization::is_nfc(&once),
        "normalize returned text that is not NFC"
    );
});

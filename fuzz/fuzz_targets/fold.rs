//! `kehoach_text::fold`: never panics and is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let once = kehoach_text::fold(s);
    assert_eq!(kehoach_text::fold(&once), once, "fold is not idempotent");
});

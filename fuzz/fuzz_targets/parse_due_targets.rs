//! The deadline and target parsers: never panic on any text and any plan year.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (year, text) = match data.split_first() {
        Some((&b, rest)) => (
            if b == 0 {
                None
            } else {
                Some(1900 + i32::from(b))
            },
            rest,
        ),
        None => (None, data),
    };
    let Ok(s) = std::str::from_utf8(text) else {
        return;
    };
    let _ = kehoach_plan::due::parse_due(s, year);
    let _ = kehoach_plan::target::parse_targets(s);
});

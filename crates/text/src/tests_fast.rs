//! The optimised normalisation steps give exactly what the straightforward
//! versions in `reference` give: on the bundled plans (whole, line by line and
//! cell by cell), on every code point where a step classifies characters from
//! their bytes, and on generated strings.

use std::borrow::Cow;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized};

use crate::fast::Plain;
use crate::{reference, Options, ToneStyle};

/// Same text and same borrowed/owned outcome.
fn same(fast: Cow<'_, str>, slow: Cow<'_, str>) -> bool {
    fast == slow && matches!(fast, Cow::Borrowed(_)) == matches!(slow, Cow::Borrowed(_))
}

fn check_all(s: &str) {
    assert!(
        same(crate::strip_markup_cow(s), reference::strip_markup_cow(s)),
        "strip_markup {s:?}"
    );
    assert!(
        same(crate::collapse_ws_cow(s), reference::collapse_ws_cow(s)),
        "collapse_ws {s:?}"
    );
    assert!(same(crate::nfc(s), reference::nfc(s)), "nfc {s:?}");
    assert_eq!(
        crate::is_nfc_fast(s),
        is_nfc_quick(s.chars()) == IsNormalized::Yes,
        "is_nfc_fast {s:?}"
    );
    assert_eq!(crate::fold(s), reference::fold(s), "fold {s:?}");
    for style in [ToneStyle::Traditional, ToneStyle::Modern] {
        assert!(
            same(
                crate::canon_tones_cow(s, style),
                reference::canon_tones_cow(s, style)
            ),
            "canon_tones {style:?} {s:?}"
        );
        // The vector scan hands over to the scalar one where it must: the
        // same answer as the scalar scan from the start.
        if !s.starts_with(' ') && !s.ends_with(' ') {
            assert_eq!(
                crate::fast::plain_check(s, style),
                crate::fast::plain_scan(s, 0, style),
                "plain_check {style:?} {s:?}"
            );
        }
        let opts = Options { tone_style: style };
        assert_eq!(
            crate::normalize_with(s, &opts),
            reference::normalize_with(s, &opts),
            "normalize {style:?} {s:?}"
        );
    }
}

/// The bundled plans and test plans, as text.
fn sample_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in ["corpus", "fixtures/plans"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "txt") {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    out.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    }
    out
}

#[test]
fn fast_paths_agree_on_the_corpus() {
    let texts = sample_texts();
    assert!(texts.len() >= 5, "the corpus is there");
    for t in &texts {
        check_all(t);
        for line in t.lines() {
            check_all(line);
            for cell in line.split(['\t', '|']) {
                check_all(cell);
            }
        }
    }
}

#[test]
fn nfc_fast_ranges_are_stable_starters() {
    let ranges = [
        ('\u{0}', '\u{7F}'),
        ('\u{80}', '\u{2FF}'),
        ('\u{1EA0}', '\u{1EF9}'),
        ('\u{2002}', '\u{206F}'),
    ];
    for (lo, hi) in ranges {
        for c in lo..=hi {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert!(crate::is_nfc_fast(&c.to_string()));
            // Fast characters after a combining mark, and a mark after them.
            for s in [
                format!("a\u{0301}{c}"),
                format!("{c}\u{0301}"),
                format!("{c}{c}\u{0323}\u{0302}"),
            ] {
                assert_eq!(
                    crate::is_nfc_fast(&s),
                    is_nfc_quick(s.chars()) == IsNormalized::Yes,
                    "{s:?}"
                );
            }
        }
    }
    // U+2000 and U+2001 are outside the fast range for a reason.
    assert_ne!(is_nfc_quick("\u{2000}".chars()), IsNormalized::Yes);
    assert!(!crate::is_nfc_fast("\u{2001}"));
}

#[test]
fn byte_classifiers_agree_on_every_code_point() {
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let s = format!("{c}x");
        let (kind, len) = crate::ws_kind_at(&s, 0);
        let expect = if crate::is_space(c) {
            crate::WsKind::Space
        } else if crate::is_invisible(c) {
            crate::WsKind::Invisible
        } else {
            crate::WsKind::Other
        };
        assert!(kind == expect && len == c.len_utf8(), "ws {c:?}");
        assert_eq!(
            crate::tone::word_char_at(&s, 0),
            (reference::word_char(c), c.len_utf8()),
            "word {c:?}"
        );
        let one = c.to_string();
        assert_eq!(crate::fold(&one), reference::fold(&one), "fold {c:?}");
        assert_eq!(
            crate::markup::may_hold_markup(&one),
            reference::may_hold_markup(&one),
            "markup {c:?}"
        );
    }
}

#[test]
fn plain_check_agrees_around_every_fast_char() {
    let chars = (0..0x3100u32)
        .chain(0xFE00..0x10000)
        .filter_map(char::from_u32);
    for c in chars {
        for s in [
            c.to_string(),
            format!("o{c}"),
            format!("{c}a"),
            format!("Ho{c} y"),
            format!("u{c}."),
            // Longer text: the char in the middle, after an `o`, twice.
            format!("Ho so truc tuy {c} trong nam 2025 tai xa {c}"),
            format!("Ho so truc tuyeo{c} trong nam 2025 tai xa"),
            format!("Ho so truc tuye {c}{c} Ho so truc tuyen muc do"),
            // Around the edges of the 32-byte blocks of the vector scan.
            format!("{}o{c} y {}", "a".repeat(29), "b".repeat(40)),
            format!("{}{c}a {}", "a".repeat(31), "b".repeat(3)),
            format!("{}u{c}", "a".repeat(66)),
        ] {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                let opts = Options { tone_style: style };
                let expect = reference::normalize_with(&s, &opts);
                assert_eq!(crate::normalize_with(&s, &opts), expect, "{s:?}");
                if !s.starts_with(' ') && !s.ends_with(' ') {
                    assert_eq!(
                        crate::fast::plain_check(&s, style),
                        crate::fast::plain_scan(&s, 0, style),
                        "{s:?}"
                    );
                }
                match crate::fast::plain_check(&s, style) {
                    Plain::Normal => assert_eq!(expect, s, "{s:?}"),
                    Plain::CheckTones => {
                        assert_eq!(reference::canon_tones_cow(&s, style), expect, "{s:?}")
                    }
                    Plain::No => {}
                }
            }
        }
    }
}

#[test]
fn plain_check_finds_what_long_text_hides() {
    let style = ToneStyle::Traditional;
    // Two spaces past the first 16 bytes.
    let s = format!("{} {}", "a".repeat(15), " trong nam 2025 tai xa");
    assert_eq!(crate::fast::plain_check(&s, style), Plain::No);
    // A decomposed mark (not plain) after a three-byte toned vowel.
    let s = format!(
        "{}\u{1EA1}a\u{0300}{}",
        "a".repeat(13),
        " trong nam 2025 tai xa"
    );
    assert_eq!(crate::fast::plain_check(&s, style), Plain::No);
    let s = format!("{}\u{1EA1}{}", "a".repeat(13), " trong nam 2025 tai xa");
    assert_eq!(crate::fast::plain_check(&s, style), Plain::Normal);
}

#[test]
fn plain_check_takes_the_usual_lines() {
    let mut normal = 0;
    for t in sample_texts() {
        for line in t.lines() {
            let plain = crate::fast::plain_check(line, ToneStyle::Traditional);
            if plain == Plain::Normal {
                normal += 1;
                assert_eq!(reference::normalize_with(line, &Options::default()), line);
            }
            if plain != Plain::No {
                let opts = Options::default();
                assert_eq!(
                    reference::canon_tones_cow(line, opts.tone_style),
                    reference::normalize_with(line, &opts),
                    "{line:?}"
                );
            }
        }
    }
    assert!(normal > 100, "{normal} plain lines");
}

fn config() -> Config {
    Config {
        cases: 2048,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x6661_7374_7061_7468),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Pieces that exercise every fast path and its edges.
const PIECES: &[&str] = &[
    "<",
    ">",
    "/",
    "b",
    "sup",
    "br",
    "<b>",
    "</b>",
    "<sup>",
    "</sup>",
    "<br>",
    "<p>",
    "</td>",
    "<span a=\"x\">",
    "<sup>2</sup>",
    "<sup>1</sup>",
    "<sup> 3 </sup>",
    "&",
    "amp;",
    "&amp;",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "&#273;",
    "&#x301;",
    "&#35;",
    "&#10;",
    "&shy;",
    "#",
    "## ",
    "### ",
    "####### ",
    "*",
    "**",
    "_",
    "__",
    "___",
    "\\",
    "\\*",
    "\\#",
    "\\a",
    " ",
    "  ",
    "\n",
    "\r",
    "\t",
    "\u{0B}",
    "\u{0C}",
    "\u{00A0}",
    "\u{0085}",
    "\u{1680}",
    "\u{180E}",
    "\u{2000}",
    "\u{2001}",
    "\u{2007}",
    "\u{200B}",
    "\u{200D}",
    "\u{2028}",
    "\u{202F}",
    "\u{205F}",
    "\u{2060}",
    "\u{2066}",
    "\u{3000}",
    "\u{FEFF}",
    "\u{00AD}",
    "\0",
    "¹",
    "²",
    "³",
    "⁰",
    "⁴",
    "⁹",
    "ⁱ",
    "m",
    "km",
    "cm",
    "năm",
    "2",
    "3",
    "o",
    "a",
    "á",
    "à",
    "\u{0301}",
    "\u{0300}",
    "\u{0309}",
    "\u{0323}",
    "\u{0302}",
    "\u{031B}",
    "\u{0340}",
    "\u{0344}",
    "Ð",
    "ð",
    "Ɖ",
    "ɖ",
    "×",
    "÷",
    "ʰ",
    "˂",
    "\u{1E9B}",
    "\u{1EFA}",
    "ẞ",
    "hoá",
    "HOÁ",
    "thuỷ",
    "khoẻ",
    "quý",
    "Hòa",
    "ư",
    "ơ",
    "đ",
    "ĐẠI",
    "e",
    "y",
    "u",
    "ủ",
    "Ω",
    "Å",
    "한",
    "😀",
    "“",
    "”",
    "–",
    "…",
    "·",
    "°",
    "x",
    "Q",
    "\u{1EA0}",
    "\u{1EF9}",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), soup(), soup(), soup()]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fast_paths_agree_on_generated_text(s in any_text()) {
        check_all(&s);
    }
}

//! Property tests: normalisation is stable, NFC and panic-free; folding gives
//! ASCII; tone placement is idempotent and reversible.
//!
//! The runner uses a fixed seed and keeps no failure files, so every run
//! checks the same cases.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use unicode_normalization::{is_nfc, UnicodeNormalization};

use kehoach_text::{
    canon_tones, fold, is_valid_syllable, normalize, normalize_with, strip_markup, Options,
    ToneStyle,
};

fn config() -> Config {
    Config {
        cases: 512,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x6b65_686f_6163_6821),
        failure_persistence: None,
        ..Config::default()
    }
}

/// The 67 lower-case Vietnamese letters outside ASCII.
const LETTERS: &str = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";

fn all_letters() -> Vec<char> {
    let mut v: Vec<char> = LETTERS.chars().collect();
    let upper: Vec<char> = v.iter().flat_map(|c| c.to_uppercase()).collect();
    v.extend(upper);
    v
}

/// Vietnamese letters (all 134 non-ASCII ones, both cases, and ASCII letters)
/// mixed with spaces, digits and punctuation.
fn vietnamese_text() -> impl Strategy<Value = String> {
    let mut chars = all_letters();
    chars.extend(
        "abcdeghiklmnopqrstuvxyABCDEGHIKLMNOPQRSTUVXY0123456789 .,;:-–—()/\"'!?%“”‘’…\u{00A0}"
            .chars(),
    );
    prop::collection::vec(prop::sample::select(chars), 0..60).prop_map(|v| v.into_iter().collect())
}

const INITIALS: &[&str] = &[
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
];
const RHYMES: &[&str] = &[
    "a", "oa", "oe", "uy", "oan", "oang", "oach", "uyên", "uya", "uyu", "oai", "ươi", "iêng",
    "ông", "ưa", "ia", "ua", "i", "y", "e", "ê", "ơ", "uơ", "uê", "uân", "ach", "ay", "âu", "ăn",
    "yêu",
];
/// Which vowel of the rhyme gets the tone (as written in either style).
const TONES: &[char] = &['\u{0300}', '\u{0301}', '\u{0309}', '\u{0303}', '\u{0323}'];

/// A syllable-like word: an initial and a rhyme, maybe a tone mark on any of
/// its vowels, in any case mix, composed or not.
fn vietnamese_word() -> impl Strategy<Value = String> {
    (
        prop::sample::select(INITIALS),
        prop::sample::select(RHYMES),
        prop::option::of((prop::sample::select(TONES), 0usize..3)),
        0u8..4,
        any::<bool>(),
    )
        .prop_map(|(ini, rhyme, tone, case, decomposed)| {
            let mut w: String = ini.to_string();
            let mut vowels = 0;
            for c in rhyme.chars() {
                w.push(c);
                if "aăâeêioôơuưy".contains(c) {
                    if let Some((mark, at)) = tone {
                        if at == vowels {
                            w.push(mark);
                        }
                    }
                    vowels += 1;
                }
            }
            let w: String = match case {
                0 => w,
                1 => w.to_uppercase(),
                2 => {
                    let mut cs = w.chars();
                    cs.next()
                        .map(|f| f.to_uppercase().chain(cs).collect())
                        .unwrap_or_default()
                }
                _ => w
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if i % 2 == 0 {
                            c.to_uppercase().next().unwrap_or(c)
                        } else {
                            c
                        }
                    })
                    .collect(),
            };
            if decomposed {
                w.nfd().collect()
            } else {
                w.nfc().collect()
            }
        })
}

fn vietnamese_words() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            vietnamese_word(),
            prop::sample::select(&[" ", ", ", "-", "\u{00A0}", "\n", "."][..]),
        ),
        0..12,
    )
    .prop_map(|v| {
        v.into_iter()
            .flat_map(|(w, s)| [w, s.to_string()])
            .collect()
    })
}

/// Pieces of markup, entities and awkward characters, to build nasty input.
const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "/",
    "b",
    "i",
    "sup",
    "sub",
    "span",
    "br",
    "p",
    "<b>",
    "</b>",
    "<sup>",
    "</sup>",
    "<br>",
    "<br/>",
    "<span class=\"x\">",
    "</span>",
    "<su",
    "&",
    "amp;",
    "&amp;",
    "lt;",
    "gt;",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "&#",
    "x",
    "110",
    "0000",
    ";",
    "&#x110000;",
    "&#273;",
    "&#x301;",
    "\u{037E}",
    "#",
    "### ",
    "## ",
    "*",
    "**",
    "_",
    "__",
    "\\",
    "\\*",
    "\\\\",
    " ",
    "  ",
    "\n",
    "\t",
    "\u{00A0}",
    "\u{200B}",
    "\u{FEFF}",
    "¹",
    "²",
    "³",
    "m",
    "km",
    "2",
    "3",
    "o",
    "a",
    "á",
    "\u{0301}",
    "\u{0300}",
    "\u{0323}",
    "Ð",
    "ð",
    "hoá",
    "thuỷ",
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
];

fn markup_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        markup_soup(),
        vietnamese_text(),
        vietnamese_words()
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn normalize_is_nfc(s in any_text()) {
        let n = normalize(&s);
        prop_assert!(is_nfc(&n), "{:?} -> {:?}", s, n);
    }

    #[test]
    fn normalize_is_idempotent(s in any_text()) {
        let n = normalize(&s);
        prop_assert_eq!(normalize(&n), n.clone(), "input {:?}", s);
        let modern = Options { tone_style: ToneStyle::Modern };
        let m = normalize_with(&s, &modern);
        prop_assert_eq!(normalize_with(&m, &modern), m, "input {:?}", s);
    }

    #[test]
    fn normalize_is_idempotent_on_words(s in vietnamese_words()) {
        let n = normalize(&s);
        prop_assert_eq!(normalize(&n), n);
    }

    #[test]
    fn normalized_text_is_trimmed_and_collapsed(s in any_text()) {
        let n = normalize(&s);
        prop_assert!(!n.starts_with(' ') && !n.ends_with(' ') && !n.contains("  "));
        let bad = ['\n', '\t', '\u{00A0}', '\u{200B}'];
        prop_assert!(!n.contains(bad), "{:?}", n);
    }

    #[test]
    fn fold_gives_ascii(s in vietnamese_text()) {
        let f = fold(&s);
        prop_assert!(f.is_ascii(), "{:?} -> {:?}", s, f);
        let nfd: String = s.nfd().collect();
        prop_assert_eq!(fold(&nfd), f);
    }

    #[test]
    fn fold_words_gives_ascii(s in vietnamese_words()) {
        prop_assert!(fold(&s).is_ascii());
    }

    #[test]
    fn canon_tones_is_idempotent(s in any_text()) {
        for style in [ToneStyle::Traditional, ToneStyle::Modern] {
            let once = canon_tones(&s, style);
            prop_assert_eq!(canon_tones(&once, style), once.clone());
        }
    }

    #[test]
    fn tone_styles_round_trip(raw in vietnamese_words()) {
        // Composed input round-trips exactly.
        let s: String = raw.nfc().collect();
        let t = canon_tones(&s, ToneStyle::Traditional);
        let m = canon_tones(&t, ToneStyle::Modern);
        prop_assert_eq!(canon_tones(&m, ToneStyle::Traditional), t.clone());
        prop_assert_eq!(canon_tones(&s, ToneStyle::Modern), m.clone());
        // Decomposed input comes back canonically equal (words whose tone
        // moved come back composed).
        let rt = canon_tones(&raw, ToneStyle::Traditional);
        let rm = canon_tones(&rt, ToneStyle::Modern);
        let back: String = canon_tones(&rm, ToneStyle::Traditional).nfc().collect();
        prop_assert_eq!(back, t.clone());
        prop_assert_eq!(rt.nfc().collect::<String>(), t.clone());
        // Moving a tone mark keeps a syllable valid, and text canonically equal
        // but for the tone position.
        for (a, b) in t.split(|c: char| !c.is_alphabetic() && !('\u{300}'..='\u{36f}').contains(&c))
            .zip(m.split(|c: char| !c.is_alphabetic() && !('\u{300}'..='\u{36f}').contains(&c)))
        {
            prop_assert_eq!(is_valid_syllable(a), is_valid_syllable(b), "{} / {}", a, b);
            prop_assert_eq!(fold(a), fold(b));
        }
    }

    #[test]
    fn strip_markup_never_panics(s in any_text()) {
        let out = strip_markup(&s);
        prop_assert!(out.len() <= s.len() + 3 * s.matches('&').count());
    }

    #[test]
    fn syllable_check_never_panics(s in any_text()) {
        let _ = is_valid_syllable(&s);
        for w in s.split_whitespace() {
            let _ = is_valid_syllable(w);
        }
    }
}

#[test]
fn fold_covers_all_letters() {
    let letters = all_letters();
    assert_eq!(letters.len(), 134);
    for c in letters {
        let f = fold(&c.to_string());
        assert!(
            f.len() == 1 && f.is_ascii() && f.chars().all(|x| x.is_ascii_lowercase()),
            "{c} -> {f}"
        );
    }
}

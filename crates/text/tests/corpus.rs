//! Checks the syllable validator against the real words of the sample plans.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kehoach_text::{fold, is_valid_syllable, normalize};

fn corpus_texts() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            (p.display().to_string(), text)
        })
        .collect()
}

/// An all-caps token without any Vietnamese vowel mark is taken as an
/// acronym or a roman numeral (`UBND`, `TTHC`, `HĐND`, `IV`).
fn is_acronym(token: &str) -> bool {
    let upper = token.chars().all(|c| !c.is_lowercase());
    upper
        && token.chars().count() >= 2
        && fold(token).len() == token.len() - token.matches('Đ').count()
}

/// Word tokens of the sample plans: runs of letters, as normalised text.
fn words() -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, text) in corpus_texts() {
        for line in text.lines() {
            let line = normalize(line);
            for token in line.split(|c: char| !c.is_alphabetic()) {
                if token.is_empty()
                    || !token.chars().any(|c| c.is_lowercase() || c.is_uppercase())
                    || is_acronym(token)
                {
                    continue;
                }
                *counts.entry(token.to_string()).or_insert(0) += 1;
            }
        }
    }
    counts
}

#[test]
fn real_words_are_valid_syllables() {
    let counts = words();
    let distinct: Vec<&String> = counts.keys().collect();
    assert!(
        distinct.len() >= 300,
        "only {} distinct words",
        distinct.len()
    );
    let total: usize = counts.values().sum();
    let mut invalid: Vec<(&String, usize)> = counts
        .iter()
        .filter(|(w, _)| !is_valid_syllable(w))
        .map(|(w, n)| (w, *n))
        .collect();
    invalid.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let bad: usize = invalid.iter().map(|(_, n)| n).sum();
    println!(
        "{} tokens, {} distinct, {} invalid tokens ({} distinct): {:?}",
        total,
        distinct.len(),
        bad,
        invalid.len(),
        invalid
    );
    assert!(
        bad * 100 <= total,
        "{bad} of {total} tokens are not valid syllables: {invalid:?}"
    );
    // The distinct lower-case words too, so that rare words count as much as
    // common ones (single letters, list marks and abbreviations, left out).
    let lower: Vec<&&String> = distinct
        .iter()
        .filter(|w| w.chars().count() > 1 && w.chars().all(char::is_lowercase))
        .collect();
    let lower_bad = lower.iter().filter(|w| !is_valid_syllable(w)).count();
    assert!(
        lower_bad * 100 <= lower.len() * 2,
        "{lower_bad} of {} distinct lower-case words are invalid",
        lower.len()
    );
}

#[test]
fn legacy_encoding_garbage_is_invalid() {
    // Words of the sample plans as they look when TCVN3 (ABC) bytes are read as Latin-1.
    for w in [
        "KÕ",
        "ho¹ch",
        "Ph¸t",
        "triÓn",
        "qu¶n",
        "l\u{00fd}",
        "®iÒu",
        "nhiÖm",
        "thùc",
        "hiÖn",
        "c«ng",
        "t¸c",
        "chÝnh",
        "Tæ",
        "chøc",
        "®éng",
        "ViÖt",
        "Nam",
        "n¨m",
        "vô",
    ] {
        if matches!(w, "l\u{00fd}" | "Nam" | "vô") {
            // Real words by accident (`lý`, `Nam`, `vô`).
            assert!(is_valid_syllable(w), "{w}");
            continue;
        }
        assert!(!is_valid_syllable(w), "{w}");
    }
}

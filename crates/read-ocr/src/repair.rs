//! Post-OCR repair: words the engine got with wrong or missing diacritics
//! (`KIEN` → `KIẾN`, `cong chức` → `công chức`, `kiếm soát` → `kiểm soát`)
//! are fixed against a lexicon of plan vocabulary, only where exactly one
//! fix fits.
//!
//! The lexicon (`data/lexicon.txt`, built from the corpus by
//! `scripts/build_ocr_lexicon.py`) holds words and adjacent word pairs with
//! their counts. A word is changed when
//! * it is not a lexicon word and the words it sits between pick exactly one
//!   lexicon pair that folds to the same letters; or
//! * it is not a lexicon word, exactly one lexicon word folds to it, and it is
//!   not a valid syllable, or is written in capitals without any diacritic
//!   (headers, where OCR drops marks most); or
//! * it is a lexicon word, forms no known pair with either neighbour, and the
//!   neighbours pick exactly one other spelling that does (seen at least twice).

use crate::engine::Word;
use kehoach_text::{canon_tones, fold, is_valid_syllable, ToneStyle};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Confidence given to a repaired word (unless the engine's own is higher).
pub const REPAIRED_CONF: f32 = 0.75;

/// Lexicon pairs that fold to the same letters: `(first, second, count)`.
type PairForms = Vec<(String, String, u32)>;

/// Words and word pairs of plan vocabulary.
#[derive(Debug, Default)]
pub struct Lexicon {
    words: HashMap<String, u32>,
    by_fold: HashMap<String, Vec<String>>,
    pairs: HashMap<(String, String), u32>,
    pairs_by_fold: HashMap<(String, String), PairForms>,
}

static LEXICON: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(include_str!("../data/lexicon.txt")));

/// The embedded lexicon.
pub fn lexicon() -> &'static Lexicon {
    &LEXICON
}

fn canon(w: &str) -> String {
    canon_tones(&w.to_lowercase(), ToneStyle::Traditional)
}

impl Lexicon {
    /// Parses `word count` and `word word count` lines (`#` starts a comment).
    pub fn parse(text: &str) -> Self {
        let mut lex = Lexicon::default();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.as_slice() {
                [w, c] => {
                    let w = canon(w);
                    let c: u32 = c.parse().unwrap_or(1);
                    *lex.words.entry(w.clone()).or_default() += c;
                    let list = lex.by_fold.entry(fold(&w)).or_default();
                    if !list.contains(&w) {
                        list.push(w);
                    }
                }
                [a, b, c] => {
                    let (a, b) = (canon(a), canon(b));
                    let c: u32 = c.parse().unwrap_or(1);
                    *lex.pairs.entry((a.clone(), b.clone())).or_default() += c;
                    lex.pairs_by_fold
                        .entry((fold(&a), fold(&b)))
                        .or_default()
                        .push((a, b, c));
                }
                _ => {}
            }
        }
        lex
    }

    /// Whether `w` (any case) is a lexicon word.
    pub fn contains(&self, w: &str) -> bool {
        self.words.contains_key(&canon(w))
    }

    fn pair_count(&self, a: &str, b: &str) -> u32 {
        self.pairs
            .get(&(a.to_string(), b.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Spellings of the word at `me` that the neighbour picks: with `left`
    /// true the neighbour is before it.
    fn picked(&self, me: &str, other: &str, left: bool, min: u32) -> Vec<String> {
        let key = if left {
            (fold(other), fold(me))
        } else {
            (fold(me), fold(other))
        };
        let mut out: Vec<String> = Vec::new();
        for (a, b, c) in self
            .pairs_by_fold
            .get(&key)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
        {
            if *c < min {
                continue;
            }
            let mine = if left { b } else { a };
            if !out.contains(mine) {
                out.push(mine.clone());
            }
        }
        out
    }

    /// The fix for `word` between `prev` and `next` (lower-case canonical
    /// forms of the letters only), or `None` to keep it.
    pub fn fix(&self, word: &str, prev: Option<&str>, next: Option<&str>) -> Option<String> {
        let me = canon(word);
        if me.chars().count() < 2 || !me.chars().all(char::is_alphabetic) {
            return None;
        }
        let known = self.words.contains_key(&me);
        if known {
            let paired = prev.is_some_and(|p| self.pair_count(&canon(p), &me) > 0)
                || next.is_some_and(|n| self.pair_count(&me, &canon(n)) > 0);
            if paired {
                return None;
            }
            let picks = self.context_picks(&me, prev, next, 2);
            return match picks.as_slice() {
                [one] if *one != me => Some(one.clone()),
                _ => None,
            };
        }
        let picks = self.context_picks(&me, prev, next, 1);
        if let [one] = picks.as_slice() {
            return (*one != me).then(|| one.clone());
        }
        if !picks.is_empty() {
            return None;
        }
        let cands = self.by_fold.get(&fold(&me))?;
        let [one] = cands.as_slice() else { return None };
        let caps_plain =
            word.chars().all(|c| c.is_uppercase()) && fold(word) == word.to_lowercase();
        (!is_valid_syllable(word) || caps_plain).then(|| one.clone())
    }

    fn context_picks(
        &self,
        me: &str,
        prev: Option<&str>,
        next: Option<&str>,
        min: u32,
    ) -> Vec<String> {
        let l = prev
            .map(|p| self.picked(me, p, true, min))
            .unwrap_or_default();
        let r = next
            .map(|n| self.picked(me, n, false, min))
            .unwrap_or_default();
        match (l.is_empty(), r.is_empty()) {
            (true, _) => r,
            (_, true) => l,
            _ => l.into_iter().filter(|x| r.contains(x)).collect(),
        }
    }
}

/// Splits a recognised token into leading punctuation, letters and trailing punctuation.
fn split_token(t: &str) -> (&str, &str, &str) {
    let start = t.find(|c: char| c.is_alphanumeric()).unwrap_or(t.len());
    let end = t.rfind(|c: char| c.is_alphanumeric()).map_or(start, |i| {
        i + t[i..].chars().next().map_or(1, char::len_utf8)
    });
    (&t[..start], &t[start..end.max(start)], &t[end.max(start)..])
}

/// Applies `fixed` (lower case) in the letter case of `orig`.
fn recase(orig: &str, fixed: &str) -> String {
    let letters: Vec<char> = orig.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        fixed.to_uppercase()
    } else if letters.first().is_some_and(|c| c.is_uppercase()) {
        let mut cs = fixed.chars();
        cs.next()
            .map_or_else(String::new, |f| f.to_uppercase().chain(cs).collect())
    } else {
        fixed.to_string()
    }
}

/// Repairs the words of one page in place; returns how many were changed.
/// Neighbours are the words on the same engine line, close by horizontally.
pub fn repair_words(words: &mut [Word], lex: &Lexicon) -> usize {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by_key(|&i| (words[i].line_key, words[i].x0));
    let mut fixes: Vec<(usize, String)> = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let w = &words[i];
        let (pre, core, post) = split_token(&w.text);
        if core.is_empty() {
            continue;
        }
        let near = |j: usize, before: bool| -> Option<&str> {
            let o = &words[j];
            let gap = if before { w.x0 - o.x1 } else { o.x0 - w.x1 };
            if o.line_key != w.line_key || gap > 2 * w.height() || gap < -w.height() {
                return None;
            }
            let (opre, ocore, opost) = split_token(&o.text);
            // Punctuation between the two words breaks the phrase.
            let breaks = if before {
                !opost.is_empty() || !pre.is_empty()
            } else {
                !post.is_empty() || !opre.is_empty()
            };
            (!breaks && !ocore.is_empty()).then_some(ocore)
        };
        let prev = k.checked_sub(1).and_then(|p| near(order[p], true));
        let next = order.get(k + 1).and_then(|&n| near(n, false));
        if let Some(fixed) = lex.fix(core, prev, next) {
            fixes.push((i, format!("{pre}{}{post}", recase(core, &fixed))));
        } else if let Some(p) = prev.filter(|p| p.chars().all(|c| !c.is_uppercase())) {
            // A word with diacritics in capitals after a lower-case word it
            // forms a lexicon pair with (`đơn VỊ`): the engine's case slip.
            let lower = core.to_lowercase();
            let capitals = core.chars().count() >= 2
                && core.chars().all(char::is_uppercase)
                && !core.is_ascii();
            if capitals
                && core.chars().count() <= 4
                && lex.pair_count(&canon(p), &canon(&lower)) > 0
            {
                fixes.push((i, format!("{pre}{lower}{post}")));
            }
        }
    }
    // The engine reads the en dash of "Tài chính – Kế hoạch" as an em dash.
    for w in words.iter_mut() {
        if w.text == "—" {
            w.text = "–".into();
        }
    }
    let n = fixes.len();
    for (i, text) in fixes {
        words[i].text = text;
        words[i].conf = words[i].conf.clamp(REPAIRED_CONF, 0.9);
    }
    n
}

/// Words of appendix table headers, as printed.
const HEADER_VOCAB: &[&str] = &[
    "TT", "STT", "Nội", "dung", "công", "việc", "Nhiệm", "vụ", "cụ", "thể", "chủ", "trì", "phối",
    "hợp", "thời", "gian", "hạn", "hoàn", "thành", "thực", "hiện", "sản", "phẩm", "kết", "quả",
    "dự", "kiến", "quan", "đơn", "bộ", "phận", "ghi", "chú", "tiến", "độ", "trách", "nhiệm",
    "giải", "pháp", "hoạt", "động",
];

/// Whether two folded words differ by at most one letter (changed, added or dropped).
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    pre + suf + 1 >= a.len().max(b.len())
}

/// Repairs the words of a header row: a word within one letter of a header
/// word (folded) becomes that word, in the case it was printed in
/// (`SITT` → `STT`, `NÔI` → `NỘI`). Returns whether anything changed.
pub fn repair_header(cells: &mut [String]) -> bool {
    let mut changed = false;
    for cell in cells.iter_mut() {
        let mut out = Vec::new();
        for tok in cell.split(' ') {
            let (pre, core, post) = split_token(tok);
            let f = fold(core);
            let hit = (f.chars().count() >= 2)
                .then(|| {
                    let exact = HEADER_VOCAB.iter().find(|v| fold(v) == f);
                    exact.or_else(|| {
                        (f.chars().count() >= 3)
                            .then(|| {
                                HEADER_VOCAB
                                    .iter()
                                    .find(|v| v.chars().count() >= 3 && one_edit(&fold(v), &f))
                            })
                            .flatten()
                    })
                })
                .flatten();
            match hit {
                Some(v) if fold(core) != fold(v) || core.to_lowercase() != v.to_lowercase() => {
                    let fixed = recase(core, &v.to_lowercase());
                    out.push(format!("{pre}{fixed}{post}"));
                    changed = true;
                }
                _ => out.push(tok.to_string()),
            }
        }
        *cell = out.join(" ");
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::parse("kiểm 10\nsoát 10\ncông 20\nchức 9\nkiến 5\nnghị 5\nkiếm 1\nkiểm soát 8\ncông chức 7\nkiến nghị 4\n")
    }

    #[test]
    fn fixes_only_unambiguous_words() {
        let l = lex();
        assert_eq!(l.fix("KIEN", None, None).as_deref(), Some("kiến"));
        assert_eq!(l.fix("cong", None, Some("chức")).as_deref(), Some("công"));
        assert_eq!(l.fix("kiếm", None, Some("soát")).as_deref(), Some("kiểm"));
        // Known and unpaired context: kept.
        assert_eq!(l.fix("kiếm", None, Some("tiền")), None);
        // A valid lower-case word with no context: kept.
        assert_eq!(l.fix("cong", None, None), None);
        assert_eq!(l.fix("công", None, Some("chức")), None);
    }

    #[test]
    fn header_words_within_one_letter() {
        let mut cells = vec![
            "SITT".to_string(),
            "NÔI DUNG CONG VIỆC".to_string(),
            "Thời gian".to_string(),
        ];
        assert!(repair_header(&mut cells));
        assert_eq!(cells[0], "STT");
        assert!(cells[1].starts_with("NỘI DUNG CÔNG"));
        assert_eq!(cells[2], "Thời gian");
    }

    #[test]
    fn keeps_case_and_punctuation() {
        let l = lex();
        let mut words = vec![
            Word {
                text: "(KIEN".into(),
                conf: 0.4,
                x0: 0,
                y0: 0,
                x1: 50,
                y1: 20,
                line_key: (1, 1, 1),
            },
            Word {
                text: "NGHI),".into(),
                conf: 0.4,
                x0: 60,
                y0: 0,
                x1: 110,
                y1: 20,
                line_key: (1, 1, 1),
            },
            Word {
                text: "Cong".into(),
                conf: 0.9,
                x0: 130,
                y0: 0,
                x1: 170,
                y1: 20,
                line_key: (1, 1, 1),
            },
            Word {
                text: "chức".into(),
                conf: 0.9,
                x0: 180,
                y0: 0,
                x1: 220,
                y1: 20,
                line_key: (1, 1, 1),
            },
        ];
        repair_words(&mut words, &l);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, vec!["(KIẾN", "NGHỊ),", "Công", "chức"]);
        assert!((words[0].conf - REPAIRED_CONF).abs() < 1e-6);
        let mut words = vec![
            Word {
                text: "công".into(),
                conf: 0.9,
                x0: 0,
                y0: 0,
                x1: 40,
                y1: 20,
                line_key: (1, 1, 1),
            },
            Word {
                text: "CHỨC".into(),
                conf: 0.9,
                x0: 50,
                y0: 0,
                x1: 90,
                y1: 20,
                line_key: (1, 1, 1),
            },
        ];
        repair_words(&mut words, &l);
        assert_eq!(words[1].text, "chức");
    }
}

//! `word/numbering.xml`: the numbers Word prints before list paragraphs.
//!
//! A paragraph with `w:numPr` (its own or its style's) names a numbering
//! instance (`w:num`, by `w:numId`) and a level (`w:ilvl`). The instance
//! points to an abstract definition (`w:abstractNum`) whose `w:lvl`s give the
//! start value, the format (`decimal`, `lowerLetter`, `upperRoman`, …) and
//! the text (`%1.`, `%1.%2`). Counters run in document order: instances of
//! the same abstract definition share them (a list continues), unless the
//! instance overrides a start value (`w:lvlOverride/w:startOverride`), which
//! gives it counters of its own starting there. Advancing a level resets the
//! deeper ones. Bullets and `none` print no number here.

use crate::xml::Node;
use std::collections::HashMap;

/// The most levels a list has.
const LEVELS: usize = 9;

/// One level of an abstract definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: Option<i64>,
    format: Option<String>,
    text: Option<String>,
}

/// A numbering instance: its abstract definition and start overrides.
#[derive(Debug, Clone, Default)]
struct Instance {
    abstract_id: String,
    overrides: HashMap<usize, i64>,
}

/// The numbering definitions of a document and the counters of its lists.
#[derive(Debug, Default)]
pub(crate) struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    instances: HashMap<String, Instance>,
    /// Current values per counter set (an abstract definition, or an
    /// instance with overrides) and level.
    counters: HashMap<String, [Option<i64>; LEVELS]>,
}

/// The level index of `w:ilvl`, bounded.
fn level_of(v: Option<&str>) -> usize {
    v.and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(LEVELS - 1)
}

fn number_of(v: Option<&str>) -> Option<i64> {
    v.and_then(|v| v.trim().parse::<i64>().ok())
        .map(|n| n.clamp(0, 1_000_000))
}

impl Numbering {
    /// Reads the tree of `numbering.xml`.
    pub fn from_tree(root: &Node) -> Numbering {
        let mut out = Numbering::default();
        let Some(numbering) = root.child("numbering") else {
            return out;
        };
        for n in &numbering.children {
            match n.name.as_str() {
                "abstractNum" => {
                    let Some(id) = n.attr("abstractNumId") else {
                        continue;
                    };
                    let mut levels = vec![Level::default(); LEVELS];
                    for lvl in n.children.iter().filter(|c| c.name == "lvl") {
                        let i = level_of(lvl.attr("ilvl"));
                        levels[i] = Level {
                            start: number_of(lvl.child_val("start")),
                            format: lvl.child_val("numFmt").map(str::to_string),
                            text: lvl.child_val("lvlText").map(str::to_string),
                        };
                    }
                    out.abstracts.insert(id.to_string(), levels);
                }
                "num" => {
                    let (Some(id), Some(abs)) = (n.attr("numId"), n.child_val("abstractNumId"))
                    else {
                        continue;
                    };
                    let mut overrides = HashMap::new();
                    for o in n.children.iter().filter(|c| c.name == "lvlOverride") {
                        if let Some(start) = number_of(o.child_val("startOverride")) {
                            overrides.insert(level_of(o.attr("ilvl")), start);
                        }
                    }
                    out.instances.insert(
                        id.to_string(),
                        Instance {
                            abstract_id: abs.to_string(),
                            overrides,
                        },
                    );
                }
                _ => {}
            }
        }
        out
    }

    /// Advances the counter of list `num_id` at level `ilvl` for a new
    /// paragraph and returns the number Word prints (`None`: no number —
    /// unknown list, bullet, or no text for the level).
    pub fn next(&mut self, num_id: &str, ilvl: Option<&str>) -> Option<String> {
        let ilvl = level_of(ilvl);
        let inst = self.instances.get(num_id)?;
        let levels = self.abstracts.get(&inst.abstract_id)?;
        let key = if inst.overrides.is_empty() {
            format!("a{}", inst.abstract_id)
        } else {
            format!("n{num_id}")
        };
        let start = |i: usize| {
            inst.overrides
                .get(&i)
                .copied()
                .or(levels[i].start)
                .unwrap_or(1)
        };
        let counters = self.counters.entry(key).or_insert([None; LEVELS]);
        counters[ilvl] = Some(match counters[ilvl] {
            Some(v) => v.saturating_add(1),
            None => start(ilvl),
        });
        for c in counters.iter_mut().skip(ilvl + 1) {
            *c = None;
        }
        let level = &levels[ilvl];
        let format = level.format.as_deref().unwrap_or("decimal");
        if matches!(format, "bullet" | "none") {
            return None;
        }
        let template = level.text.as_deref()?;
        let mut out = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                if let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    chars.next();
                    let i = (d as usize).saturating_sub(1).min(LEVELS - 1);
                    let value = counters[i].unwrap_or_else(|| start(i));
                    let fmt = levels[i].format.as_deref().unwrap_or("decimal");
                    out.push_str(&format_number(value, fmt));
                    continue;
                }
            }
            out.push(c);
        }
        let out = out.trim().to_string();
        (!out.is_empty()).then_some(out)
    }
}

/// A counter value in a Word number format.
fn format_number(v: i64, format: &str) -> String {
    match format {
        "lowerLetter" => letters(v).to_lowercase(),
        "upperLetter" => letters(v),
        "lowerRoman" => roman(v).to_lowercase(),
        "upperRoman" => roman(v),
        "decimalZero" if (0..10).contains(&v) => format!("0{v}"),
        _ => v.to_string(),
    }
}

/// Word's letter numbering: A … Z, AA … ZZ, AAA …
fn letters(v: i64) -> String {
    if v <= 0 {
        return v.to_string();
    }
    let v = v - 1;
    let letter = char::from(b'A' + (v % 26) as u8);
    std::iter::repeat_n(letter, (v / 26 + 1).min(1000) as usize).collect()
}

/// Roman numerals (values past 3999 printed as digits).
fn roman(v: i64) -> String {
    if !(1..4000).contains(&v) {
        return v.to_string();
    }
    const TABLE: [(i64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut v = v;
    let mut out = String::new();
    for (n, s) in TABLE {
        while v >= n {
            out.push_str(s);
            v -= n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(14, "lowerRoman"), "xiv");
        assert_eq!(format_number(1, "lowerLetter"), "a");
        assert_eq!(format_number(27, "upperLetter"), "AA");
        assert_eq!(format_number(3, "decimalZero"), "03");
        assert_eq!(format_number(12, "decimal"), "12");
        assert_eq!(format_number(0, "upperRoman"), "0");
        assert_eq!(format_number(i64::MAX, "upperLetter").len(), 1000);
    }
}

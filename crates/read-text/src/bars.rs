//! Tables written as page text of a web page: every cell on its own lines,
//! cells separated by lines holding only `|`.
//!
//! ```text
//! |
//! TT
//! |
//! Nội dung
//! |
//! |
//! 1
//! |
//! Việc một
//! |
//! ```
//!
//! A row opens and closes with a `|` line, so two consecutive `|` lines stand
//! between rows — but an empty cell gives the same two lines, and rows with
//! merged cells have fewer cells. A table opens and closes with a `|` line
//! too, and running text (a caption, the body) may follow it without a blank
//! line. The text between two consecutive `|` lines is a *slot*.
//!
//! [`scan`] splits the slots of a region (up to a blank line) into running
//! text and tables, and every table into rows, by dynamic programming over
//! the slots, choosing each table's column count `N` as it goes: rows are
//! separated by exactly one empty slot and hold `1..=N` slots. A row of `N`
//! cells earns 1, a shorter one costs 1 (it becomes a row whose last cell
//! spans the rest); opening a table costs 2, a slot of running text 1, an
//! empty cell standing alone between two slots of text 2 (such a slot is far
//! more often a separator) and a cell of dozens of lines 1 per 15 lines (the
//! body of the document between two tables). The least total wins.
//!
//! A slot holding only dots or an ellipsis (a table cut by the website)
//! separates two rows and is kept as a row of its own. Lines of dashes or
//! underscores inside a cell are decoration (underlines in the header), not
//! page separators. Every cell's line is its first text line; a row's line is
//! that of its first non-empty cell.

use kehoach_doc::{Cell, Pos, Row, Table};

/// The widest table considered.
const MAX_COLUMNS: usize = 24;

/// The most slots read at once (bounds time and memory; a longer run of `|`
/// lines continues as a new region).
const MAX_SLOTS: usize = 20_000;

/// Whether a trimmed line is a cell separator of a web-page table.
pub(crate) fn is_bar(trimmed: &str) -> bool {
    trimmed == "|"
}

/// One slot: the text lines between two consecutive `|` lines.
struct Slot {
    /// `(line number, raw line)` of the lines holding text (decoration dropped).
    lines: Vec<(u32, String)>,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// A slot holding only dots or ellipses: a cut made by the website.
    fn is_ellipsis(&self) -> bool {
        !self.lines.is_empty()
            && self.lines.iter().all(|(_, l)| {
                let t = l.trim();
                !t.is_empty() && t.chars().all(|c| matches!(c, '.' | '…' | ' '))
            })
    }

    /// Empty slots separate rows; so does a cut.
    fn separates(&self) -> bool {
        self.is_empty() || self.is_ellipsis()
    }
}

/// Whether a line inside a cell is decoration: dashes or underscores only.
fn is_decoration(trimmed: &str) -> bool {
    trimmed.len() >= 3 && trimmed.chars().all(|c| matches!(c, '-' | '_' | '—' | '–'))
}

/// One piece of a region: a table or running text.
pub(crate) enum Piece {
    /// A table.
    Table(Table),
    /// Running text: indices (into the scanned lines) of its lines.
    Text(std::ops::Range<usize>),
}

/// The result of [`scan`].
pub(crate) struct Scanned {
    /// Tables and running text in order.
    pub pieces: Vec<Piece>,
    /// How many lines (from the first `|` line) the pieces take.
    pub consumed: usize,
}

/// Reads the web-page tables of the region whose first `|` line is
/// `lines[0]` (line number `first_line`). The region ends at the first blank
/// line; text after its last `|` line is left to the caller. Returns `None`
/// when the region has a single `|` line.
pub(crate) fn scan(lines: &[&str], first_line: u32) -> Option<Scanned> {
    let end = lines
        .iter()
        .position(|l| l.trim().is_empty())
        .unwrap_or(lines.len());
    let region = &lines[..end];
    // Bars (indices into `region`) and the slots between them.
    let bars: Vec<usize> = region
        .iter()
        .enumerate()
        .filter(|(_, l)| is_bar(l.trim()))
        .map(|(i, _)| i)
        .take(MAX_SLOTS + 1)
        .collect();
    if bars.len() < 2 {
        return None;
    }
    let slots: Vec<Slot> = bars
        .windows(2)
        .map(|w| Slot {
            lines: (w[0] + 1..w[1])
                .filter(|&i| {
                    let t = region[i].trim();
                    !t.is_empty() && !is_decoration(t)
                })
                .map(|i| (first_line + i as u32, region[i].to_string()))
                .collect(),
        })
        .collect();
    let mut pieces = Vec::new();
    for part in segment(&slots) {
        match part {
            Part::Text(p) => {
                if !slots[p].is_empty() {
                    pieces.push(Piece::Text(bars[p] + 1..bars[p + 1]));
                }
            }
            Part::Table { columns, rows } => {
                let built: Vec<Row> = rows
                    .iter()
                    .filter_map(|r| build_row(&slots[r.clone()], columns))
                    .collect();
                if let Some(first) = built.first() {
                    let pos = first.pos;
                    pieces.push(Piece::Table(Table { rows: built, pos }));
                }
            }
        }
    }
    Some(Scanned {
        pieces,
        consumed: bars[bars.len() - 1] + 1,
    })
}

/// A decided stretch of slots.
enum Part {
    /// One slot of running text (or an empty slot outside tables).
    Text(usize),
    /// A table: its column count and the slot range of every row.
    Table {
        columns: usize,
        rows: Vec<std::ops::Range<usize>>,
    },
}

/// What a table costs to open: keeps a table from splitting where its rows
/// change length.
const TABLE_COST: i64 = 2;

/// What a slot of running text between `|` lines costs: such text is the
/// exception inside a region of `|` lines (a caption between two tables).
const TEXT_COST: i64 = 1;

/// What an empty cell costs when it stands alone between two slots of text:
/// such a slot is far more often the separator between two rows.
const LONE_EMPTY_CELL_COST: i64 = 2;

/// Lines of text a cell holds per unit of cost: a cell of dozens of lines is
/// more likely running text between two tables.
const LINES_PER_COST: usize = 15;

/// How a state was reached.
#[derive(Clone, Copy)]
enum Back {
    None,
    /// Outside: slot `p - 1` skipped as text, coming from outside at `p - 1`.
    Skip,
    /// Outside: the table of `n` columns ended at bar `q` (slot `q` skipped
    /// unless `q` is the last bar).
    End {
        n: usize,
        q: usize,
    },
    /// In a table: a row starting at slot `a`, opening the table.
    Open {
        a: usize,
    },
    /// In a table: a row starting at slot `a`, after the separator `a - 1`.
    Row {
        a: usize,
    },
}

/// Splits the slots into running text and tables, choosing every table's
/// column count and rows (see the module doc) by dynamic programming.
fn segment(slots: &[Slot]) -> Vec<Part> {
    let k = slots.len();
    let max_n = k.clamp(1, MAX_COLUMNS);
    // lone[i]: lone empty slots among the first i.
    let mut lone = vec![0i64; k + 1];
    for i in 0..k {
        let is_lone = slots[i].is_empty()
            && i > 0
            && !slots[i - 1].is_empty()
            && slots.get(i + 1).is_some_and(|s| !s.is_empty());
        lone[i + 1] = lone[i] + i64::from(is_lone);
    }
    // bulk[i]: the cost of the long cells among the first i slots.
    let mut bulk = vec![0i64; k + 1];
    for i in 0..k {
        bulk[i + 1] = bulk[i] + (slots[i].lines.len() / LINES_PER_COST) as i64;
    }
    let row_cost = |a: usize, b: usize, n: usize| {
        let shape = if b - a == n { -1 } else { 1 };
        shape + LONE_EMPTY_CELL_COST * (lone[b] - lone[a]) + bulk[b] - bulk[a]
    };
    // trailing_empty[p]: slots p.. are all empty.
    let mut trailing_empty = vec![true; k + 1];
    for p in (0..k).rev() {
        trailing_empty[p] = trailing_empty[p + 1] && slots[p].is_empty();
    }
    // out[p]: outside any table, slots before p decided.
    let mut out: Vec<Option<(i64, Back)>> = vec![None; k + 1];
    // tab[n][q]: in a table of n columns whose last row closed at bar q.
    let mut tab: Vec<Vec<Option<(i64, Back)>>> = vec![vec![None; k + 1]; max_n + 1];
    fn relax(cell: &mut Option<(i64, Back)>, cost: i64, back: Back) {
        if cell.is_none_or(|(c, _)| cost < c) {
            *cell = Some((cost, back));
        }
    }
    out[0] = Some((0, Back::None));
    for p in 0..=k {
        for n in (1..=max_n).rev() {
            let Some((cost, _)) = tab[n][p] else { continue };
            // End the table here: at the last bar, before running text, or
            // before stray bars only. (Not between two rows: two tables
            // back to back read as one.)
            if p == k || !slots[p].separates() || trailing_empty[p] {
                let skip = if p < k && !slots[p].is_empty() {
                    TEXT_COST
                } else {
                    0
                };
                relax(&mut out[(p + 1).min(k)], cost + skip, Back::End { n, q: p });
            }
            // Or go on after a separator.
            if p < k && slots[p].separates() {
                for len in 1..=n {
                    let q = p + 1 + len;
                    if q > k {
                        break;
                    }
                    let c = cost + row_cost(p + 1, q, n);
                    relax(&mut tab[n][q], c, Back::Row { a: p + 1 });
                }
            }
        }
        let Some((cost, _)) = out[p] else { continue };
        if p == k {
            continue;
        }
        let skip = if slots[p].is_empty() { 0 } else { TEXT_COST };
        relax(&mut out[p + 1], cost + skip, Back::Skip);
        for n in (1..=max_n).rev() {
            for len in 1..=n {
                let q = p + len;
                if q > k {
                    break;
                }
                let c = cost + TABLE_COST + row_cost(p, q, n);
                relax(&mut tab[n][q], c, Back::Open { a: p });
            }
        }
    }
    // Walk back from the end.
    let mut parts = Vec::new();
    let mut p = k;
    while let Some((_, back)) = out[p] {
        match back {
            Back::None => break,
            Back::Skip => {
                parts.push(Part::Text(p - 1));
                p -= 1;
            }
            Back::End { n, q } => {
                if q < k {
                    parts.push(Part::Text(q));
                }
                let mut rows = Vec::new();
                let mut at = q;
                loop {
                    match tab[n][at].map(|(_, b)| b) {
                        Some(Back::Row { a }) => {
                            rows.push(a..at);
                            if slots[a - 1].is_ellipsis() {
                                // A cut separating two rows is a row of its own.
                                rows.push(a - 1..a);
                            }
                            at = a - 1;
                        }
                        Some(Back::Open { a }) => {
                            rows.push(a..at);
                            at = a;
                            break;
                        }
                        _ => break,
                    }
                }
                rows.reverse();
                parts.push(Part::Table { columns: n, rows });
                if at >= p {
                    break;
                }
                p = at;
            }
            Back::Open { .. } | Back::Row { .. } => break,
        }
    }
    parts.reverse();
    parts
}

/// Builds a row from its slots; `None` when every cell is empty.
fn build_row(slots: &[Slot], columns: usize) -> Option<Row> {
    if slots.iter().all(Slot::is_empty) {
        return None;
    }
    let row_line = slots
        .iter()
        .find_map(|s| s.lines.first().map(|(n, _)| *n))
        .unwrap_or(0);
    let row_pos = Pos::line(row_line);
    let mut cells: Vec<Cell> = slots
        .iter()
        .map(|s| {
            let raw: Vec<&str> = s.lines.iter().map(|(_, l)| l.as_str()).collect();
            let pos = s.lines.first().map_or(row_pos, |(n, _)| Pos::line(*n));
            Cell::new(crate::clean_cell(&raw.join("\n")), pos)
        })
        .collect();
    if cells.len() < columns {
        if let Some(last) = cells.last_mut() {
            last.colspan = (columns - slots.len() + 1) as u32;
        }
    }
    Some(Row {
        cells,
        pos: row_pos,
    })
}

#[cfg(test)]
mod tests {
    use crate::read_str;
    use kehoach_doc::{Block, Document, Table};

    fn tables(doc: &Document) -> Vec<&Table> {
        doc.tables().collect()
    }

    fn paragraphs(doc: &Document) -> Vec<(&str, Option<u32>)> {
        doc.blocks()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some((p.text.as_str(), p.pos.line)),
                _ => None,
            })
            .collect()
    }

    fn texts(t: &Table) -> Vec<Vec<(&str, u32)>> {
        t.rows
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| (c.text.as_str(), c.colspan))
                    .collect()
            })
            .collect()
    }

    /// Builds page text from rows of cells: every cell on its own lines.
    fn page(rows: &[&[&str]]) -> String {
        let mut out = String::new();
        for r in rows {
            for c in *r {
                out.push_str("|\n");
                for l in c.lines() {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            out.push_str("|\n");
        }
        out
    }

    #[test]
    fn header_layout_and_task_table_with_sections() {
        let header = page(&[
            &[
                "**ỦY BAN NHÂN DÂN\nTỈNH X**\n--------",
                "**CỘNG HÒA**\n---------------",
            ],
            &["", "Số: 1/KH-UBND"],
        ]);
        let table = page(&[
            &["**STT**", "**Nhiệm vụ**", "**Chủ trì**"],
            &["**I.\nNÂNG CAO**"],
            &["1", "Việc một\ndòng hai", "Sở A"],
            &["2", "Việc hai", ""],
            &["3", "", "Sở C"],
        ]);
        let text = format!("{header}\n**KẾ HOẠCH**\n\nThân bài.\n\n**PHỤ LỤC**\n\n{table}\n");
        let doc = read_str(&text);
        let t = tables(&doc);
        assert_eq!(t.len(), 2, "{doc:#?}");
        assert_eq!(
            texts(t[0]),
            vec![
                vec![("ỦY BAN NHÂN DÂN\nTỈNH X", 1), ("CỘNG HÒA", 1)],
                vec![("", 1), ("Số: 1/KH-UBND", 1)],
            ]
        );
        assert_eq!(
            texts(t[1]),
            vec![
                vec![("STT", 1), ("Nhiệm vụ", 1), ("Chủ trì", 1)],
                vec![("I.\nNÂNG CAO", 3)],
                vec![("1", 1), ("Việc một\ndòng hai", 1), ("Sở A", 1)],
                vec![("2", 1), ("Việc hai", 1), ("", 1)],
                vec![("3", 1), ("", 1), ("Sở C", 1)],
            ]
        );
        // Lines: the row's first text line; every cell its own first line.
        let first = text.lines().position(|l| l == "1").map(|i| i as u32 + 1);
        assert_eq!(t[1].rows[2].pos.line, first);
        assert_eq!(t[1].rows[2].cells[1].pos.line, first.map(|l| l + 2));
        // The empty first cell of the header's second row takes the row's line.
        let so = text
            .lines()
            .position(|l| l == "Số: 1/KH-UBND")
            .map(|i| i as u32 + 1);
        assert_eq!(t[0].rows[1].pos.line, so);
        let p = paragraphs(&doc);
        assert!(p.iter().any(|(t, _)| *t == "KẾ HOẠCH"), "{p:?}");
        assert!(p.iter().any(|(t, _)| *t == "PHỤ LỤC"), "{p:?}");
        assert_eq!(
            doc.pages.len(),
            1,
            "dash lines in cells are not page breaks"
        );
    }

    #[test]
    fn section_row_with_empty_number_cell() {
        let text = page(&[
            &["TT", "Chỉ tiêu", "Chủ trì"],
            &["", "I. Kinh tế số", ""],
            &["1", "Đạt 60%", "Sở A"],
        ]);
        let doc = read_str(&text);
        let t = tables(&doc);
        assert_eq!(t.len(), 1);
        assert_eq!(texts(t[0])[1], vec![("", 1), ("I. Kinh tế số", 1), ("", 1)]);
        // The row's line is its first non-empty cell's.
        let line = text
            .lines()
            .position(|l| l == "I. Kinh tế số")
            .map(|i| i as u32 + 1);
        assert_eq!(t[0].rows[1].pos.line, line);
    }

    #[test]
    fn tables_and_text_without_blank_lines() {
        // Running text, a signature table, a caption and the task table, with
        // no blank line anywhere (the whole page is one region).
        let sig = page(&[&["Nơi nhận:\n- Như trên;", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"]]);
        let table = page(&[
            &["TT", "Nội dung", "Chủ trì", "Phối hợp"],
            &["I", "MỤC MỘT"],
            &["1", "Việc một", "Sở A", ""],
            &["2", "Việc hai", "Sở B", "Sở C"],
        ]);
        let text = format!(
            "Thân bài dòng một.\nDòng hai.\n{sig}**PHỤ LỤC**\nDANH MỤC\n{table}Trang web.\n"
        );
        let doc = read_str(&text);
        let t = tables(&doc);
        assert_eq!(t.len(), 2, "{doc:#?}");
        assert_eq!(t[0].rows.len(), 1);
        assert_eq!(t[0].rows[0].cells.len(), 2);
        assert_eq!(
            texts(t[1]),
            vec![
                vec![("TT", 1), ("Nội dung", 1), ("Chủ trì", 1), ("Phối hợp", 1)],
                vec![("I", 1), ("MỤC MỘT", 3)],
                vec![("1", 1), ("Việc một", 1), ("Sở A", 1), ("", 1)],
                vec![("2", 1), ("Việc hai", 1), ("Sở B", 1), ("Sở C", 1)],
            ]
        );
        let p: Vec<&str> = paragraphs(&doc).into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            p,
            vec![
                "Thân bài dòng một.\nDòng hai.",
                "PHỤ LỤC\nDANH MỤC",
                "Trang web."
            ]
        );
    }

    #[test]
    fn cut_marks_a_row_of_its_own() {
        let mut text = page(&[
            &["TT", "Nội dung", "Chủ trì"],
            &["1", "Việc một", "Sở A"],
            &["8", "Việc tám", "Sở B"],
        ]);
        // The website cut: no separator around the dots.
        text.push_str("….............\n");
        text.push_str(&page(&[
            &["2", "Việc hai", "Sở C"],
            &["3", "Việc ba", "Sở D"],
        ]));
        let doc = read_str(&text);
        let t = tables(&doc);
        assert_eq!(t.len(), 1, "{doc:#?}");
        let rows = texts(t[0]);
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[3], vec![("….............", 3)]);
        assert_eq!(rows[4][0], ("2", 1));
        assert_eq!(rows[5][2], ("Sở D", 1));
    }

    #[test]
    fn lone_bar_and_odd_inputs_do_not_panic() {
        for text in [
            "|\n",
            "|\n|\n",
            "Văn bản\n|\nmột\n",
            "|\n|\n|\n|\n",
            "|\n…\n|\n",
            "|\n---\n|\n",
            "|\na\n|\n|\n|\nb\n|\n|\n|\n",
        ] {
            let doc = read_str(text);
            for t in tables(&doc) {
                assert!(t.rows.iter().all(|r| !r.cells.is_empty()));
            }
        }
        let doc = read_str("Văn bản\n|\nmột\n");
        assert!(tables(&doc).is_empty());
    }

    #[test]
    fn many_bars_stay_fast() {
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!("|\n{i}\n|\nViệc {i}\n|\nSở {i}\n|\n"));
        }
        let doc = read_str(&text);
        let t = tables(&doc);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows.len(), 3000);
    }

    proptest::proptest! {
        #[test]
        fn any_mix_of_bars_and_text_reads(
            picks in proptest::collection::vec(0usize..8, 0..120)
        ) {
            const PIECES: [&str; 8] = ["|", "|", "", "Việc", "…....", "-----", "**I.", "NỘI DUNG**"];
            let text: Vec<&str> = picks.iter().map(|&i| PIECES[i]).collect();
            let text = text.join("\n");
            let doc = read_str(&text);
            let lines = text.split('\n').count() as u32;
            for t in tables(&doc) {
                proptest::prop_assert!(!t.rows.is_empty());
                for r in &t.rows {
                    proptest::prop_assert!(!r.cells.is_empty());
                    proptest::prop_assert!(r.cells.iter().any(|c| !c.text.is_empty()));
                    for c in &r.cells {
                        proptest::prop_assert!(c.colspan >= 1);
                        proptest::prop_assert!(c.pos.line.is_some_and(|l| l >= 1 && l <= lines));
                    }
                }
            }
        }
    }
}

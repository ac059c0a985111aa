//! Appendix tables → logical rows: finding the task tables, stitching them
//! across page breaks, dropping repeated headers, merging continuation rows,
//! splitting number+text and fused cells.

use crate::columns::{header_map, is_column_numbering, merge_subheader, Col, ColumnMap};
use crate::number::{clean_number, is_bullet, parse_num, split_number_text};
use kehoach_doc::{Block, Document, Pos, Row};
use kehoach_plan::WarningCode;
use std::collections::BTreeMap;

/// One logical appendix row before hierarchy and parsing.
#[derive(Debug, Clone, Default)]
pub struct RawTask {
    pub number: Option<String>,
    pub content: String,
    pub lead: String,
    pub support: String,
    pub deadline: String,
    pub product: String,
    /// The raw deadline cell (line breaks kept) for fused-cell splitting.
    pub deadline_raw: String,
    pub extra: BTreeMap<String, String>,
    /// The caption of the row's table (`Phụ lục I`), `None` in the body.
    pub appendix: Option<String>,
    /// Which task table of the document (0-based) the row is in.
    pub table: usize,
    /// The year the deadline column's header gives, if any.
    pub header_year: Option<i32>,
    /// An agency row grouping the rows under it (a heading, level 0).
    pub agency: bool,
    pub pos: Pos,
    /// Confidences of the cells merged into this record (OCR).
    pub confidences: Vec<f32>,
}

/// A warning raised while assembling rows; `row` indexes the returned rows.
#[derive(Debug, Clone)]
pub struct RowWarning {
    pub code: WarningCode,
    pub message: String,
    pub row: Option<usize>,
}

/// What the appendix assembly found.
#[derive(Debug, Default)]
pub struct Appendix {
    pub rows: Vec<RawTask>,
    pub warnings: Vec<RowWarning>,
    /// Index (in document block order) of the first task table block.
    pub first_block: Option<usize>,
    /// Indexes of every task table block (their text is not running text).
    pub task_blocks: Vec<usize>,
    /// The agency row the current table's rows are grouped under.
    agency: Option<String>,
}

/// One physical row mapped onto the columns.
struct Mapped<'a> {
    number: &'a str,
    content: String,
    lead: &'a str,
    support: &'a str,
    deadline: &'a str,
    product: &'a str,
    extra: Vec<(usize, &'a str)>,
}

/// Finds and assembles the task rows of every task table of a document.
///
/// A task table is one whose header names a content column and a lead,
/// support or deadline column ([`header_map`]). Tables follow each other in
/// document order; a table part without a header of its own continues the
/// previous task table only when no running text comes between them (a page
/// break). Each table takes the caption of the `Phụ lục` heading above it
/// (`None` for a table in the body).
pub fn assemble(doc: &Document) -> Appendix {
    let mut out = Appendix::default();
    let mut map: Option<ColumnMap> = None;
    // Set when a page break, gap or repeated header precedes the next row.
    let mut after_break = false;
    // The caption of the appendix the blocks are in, and of the current table.
    let mut caption: Option<String> = None;
    let mut table_caption: Option<String> = None;
    // Running text seen since the last task table block: a table after it
    // starts afresh instead of continuing across a page break.
    let mut text_between = false;
    let mut table_no = 0usize;
    // Page of every block, and whether an appendix caption came since the
    // last task table (a new table, even across a page break).
    let pages: Vec<usize> = doc
        .pages
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| std::iter::repeat_n(pi, p.blocks.len()))
        .collect();
    let mut last_table_page: Option<usize> = None;
    let mut caption_since = false;
    for (bi, block) in doc.blocks().enumerate() {
        let table = match block {
            Block::Table(t) => t,
            Block::Paragraph(p) => {
                if let Some(c) = appendix_caption(&p.text) {
                    caption = Some(c);
                    caption_since = true;
                    text_between = true;
                } else if is_running_text(&p.text) {
                    text_between = true;
                }
                continue;
            }
        };
        let mut rows = table.rows.iter().peekable();
        // Does this table start with a header of its own?
        let mut started_here = false;
        // Running text between two table parts ends the table, unless the
        // parts sit on different pages with no new caption: text at the foot
        // or head of a page (footnotes, running headers) does not.
        let page = pages.get(bi).copied();
        let new_page = last_table_page.is_some() && page != last_table_page;
        let continuing = map.is_some() && (!text_between || (new_page && !caption_since));
        if let Some(first) = rows.peek() {
            let grid = first.grid();
            if continuing && map.as_ref().is_some_and(|old| old.is_repeat(&grid)) {
                // The header repeated at the top of a new page or block.
                after_break = true;
                rows.next();
            } else if let Some(m) = header_map(&grid) {
                let repeat = continuing
                    && map
                        .as_ref()
                        .is_some_and(|old| old.is_repeat(&grid) || same_kinds(old, &m));
                if !repeat {
                    map = Some(m);
                    started_here = true;
                }
                after_break = repeat || after_break;
                rows.next();
            } else if continuing && map.as_ref().is_some_and(|m| fits(m, table.rows.iter())) {
                // A new block continuing the table after a page break.
                after_break = true;
            } else {
                // Not a task table (yet): look for a header a few rows down.
                let found = table
                    .rows
                    .iter()
                    .take(4)
                    .position(|r| header_map(&r.grid()).is_some());
                match found {
                    Some(k) if k > 0 => {
                        for _ in 0..k {
                            rows.next();
                        }
                        match rows.next() {
                            Some(h) => {
                                map = header_map(&h.grid());
                                started_here = true;
                            }
                            None => continue,
                        }
                    }
                    _ => {
                        // A table that is not a task table ends the current one.
                        if map.is_some() && !continuing {
                            map = None;
                        }
                        continue;
                    }
                }
            }
        }
        let Some(m) = map.as_mut() else { continue };
        if started_here {
            table_no += 1;
            out.agency = None;
            table_caption = caption.clone();
            // A second header row (sub-headers), a row of column numbers, or
            // the header's words again.
            while let Some(next) = rows.peek() {
                let grid = next.grid();
                if merge_subheader(m, &grid) || is_column_numbering(&grid) || m.is_repeat(&grid) {
                    rows.next();
                } else {
                    break;
                }
            }
        }
        if out.first_block.is_none() {
            out.first_block = Some(bi);
        }
        out.task_blocks.push(bi);
        text_between = false;
        caption_since = false;
        last_table_page = page;
        for row in rows {
            let grid = row.grid();
            if grid.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if m.is_repeat(&grid) || is_column_numbering(&grid) {
                after_break = true;
                continue;
            }
            if is_cut(&grid) {
                // Rows left out ("…….." where a web page truncated the
                // table): what follows has lost its section, so numbering
                // and parents restart as in a new table.
                table_no += 1;
                out.agency = None;
                continue;
            }
            let before = out.rows.len();
            push_row(&mut out, m, row, &grid, after_break);
            for r in &mut out.rows[before..] {
                r.table = table_no.saturating_sub(1);
                r.appendix.clone_from(&table_caption);
            }
            after_break = false;
        }
    }
    out
}

/// A row holding nothing but dots or an ellipsis: rows were cut out here.
fn is_cut(grid: &[&str]) -> bool {
    let text: String = grid.concat();
    let mut dots = 0;
    for c in text.chars() {
        match c {
            '.' | '…' => dots += 1,
            c if c.is_whitespace() => {}
            _ => return false,
        }
    }
    dots >= 3
}

/// A paragraph that is running text (not page furniture such as a page
/// number or a lone mark).
fn is_running_text(text: &str) -> bool {
    text.bytes()
        .filter(u8::is_ascii_alphabetic)
        .take(12)
        .count()
        >= 12
}

/// `PHỤ LỤC II`, `Phụ lục số 01:`, `PHỤ LỤC` at the start of a paragraph:
/// the caption as printed (up to its number), else `None`.
pub fn appendix_caption(text: &str) -> Option<String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    // Cheap test before normalising: the first letters read "phu luc".
    let head: String = first
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .take(10)
        .collect();
    if !kehoach_text::fold(&head).starts_with("phu luc") {
        return None;
    }
    let first = kehoach_text::normalize(first);
    if first.chars().count() > 120 {
        return None;
    }
    let folded = kehoach_text::fold(&first);
    let rest = folded.strip_prefix("phu luc")?;
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    // The words of the caption: "Phụ lục", an optional "số", and a numeral.
    let words: Vec<&str> = first.split_whitespace().collect();
    let mut n = 2;
    let clean = |w: &str| w.trim_end_matches([':', '.', ',']).to_string();
    if let Some(w) = words.get(n) {
        let f = kehoach_text::fold(&clean(w));
        if f == "so" {
            n += 1;
        }
    }
    let mut out: Vec<String> = words.iter().take(2).map(|w| clean(w)).collect();
    if let Some(w) = words.get(n) {
        let c = clean(w);
        let numeral = !c.is_empty()
            && (c.chars().all(|ch| ch.is_ascii_digit())
                || c.chars().all(|ch| "IVXLC".contains(ch))
                || (c.chars().count() <= 3
                    && c.chars().next().is_some_and(|ch| ch.is_ascii_digit())));
        if numeral {
            out.extend(words[2..n].iter().map(|w| clean(w)));
            out.push(c);
        }
    }
    Some(out.join(" "))
}

/// Same contract columns in the same places: a repeated header in other words.
fn same_kinds(a: &ColumnMap, b: &ColumnMap) -> bool {
    a.cols == b.cols
}

/// Whether a header-less table plausibly continues the appendix.
fn fits<'a>(m: &ColumnMap, rows: impl Iterator<Item = &'a Row>) -> bool {
    let width = rows.map(|r| r.grid().len()).max().unwrap_or(0);
    width >= 2 && width <= m.width() + 1 && width + 2 >= m.width()
}

fn cell<'a>(grid: &[&'a str], m: &ColumnMap, col: Col) -> &'a str {
    m.index_of(col)
        .and_then(|i| grid.get(i).copied())
        .unwrap_or("")
}

fn map_row<'a>(m: &ColumnMap, grid: &[&'a str]) -> Mapped<'a> {
    let mut extra = Vec::new();
    for (i, c) in m.cols.iter().enumerate() {
        if (c.is_none() || *c == Some(Col::Other)) && i < grid.len() && !grid[i].trim().is_empty() {
            extra.push((i, grid[i]));
        }
    }
    // Cells beyond the header's width: keep them as extras too.
    for (i, text) in grid.iter().enumerate().skip(m.width()) {
        if !text.trim().is_empty() {
            extra.push((i, *text));
        }
    }
    Mapped {
        number: cell(grid, m, Col::Number),
        content: cell(grid, m, Col::Content).to_string(),
        lead: cell(grid, m, Col::Lead),
        support: cell(grid, m, Col::Support),
        deadline: cell(grid, m, Col::Deadline),
        product: cell(grid, m, Col::Product),
        extra,
    }
}

fn push_row(out: &mut Appendix, m: &ColumnMap, row: &Row, grid: &[&str], after_break: bool) {
    // A row one cell short whose first cell is "number text": the converter
    // fused the number and content cells; split them and realign.
    let owned: Vec<&str>;
    let grid: &[&str] = if grid.len() + 1 == m.width()
        && m.index_of(Col::Number) == Some(0)
        && m.index_of(Col::Content) == Some(1)
        && split_number_text(grid[0]).is_some()
    {
        owned = std::iter::once("").chain(grid.iter().copied()).collect();
        &owned
    } else {
        grid
    };
    let inherited_lead: String;
    let mut mp = map_row(m, grid);
    let confidences: Vec<f32> = row.cells.iter().filter_map(|c| c.confidence).collect();

    // An agency row grouping the tasks under it (a table grouped by unit,
    // the lead column first): a heading whose text is the lead of the rows
    // under it that leave their lead empty.
    let lead_first = m
        .index_of(Col::Lead)
        .is_some_and(|l| m.index_of(Col::Content).is_some_and(|c| l < c));
    let only_lead = mp.number.trim().is_empty()
        && mp.content.trim().is_empty()
        && [mp.support, mp.deadline, mp.product]
            .iter()
            .all(|c| c.trim().is_empty())
        && mp.extra.is_empty()
        && !mp.lead.trim().is_empty();
    if lead_first && only_lead && !after_break {
        let agency = kehoach_text::normalize(mp.lead);
        if agency.chars().next().is_some_and(char::is_uppercase) {
            out.agency = Some(agency.clone());
            out.rows.push(RawTask {
                content: agency,
                agency: true,
                extra: BTreeMap::new(),
                header_year: m.deadline_year,
                pos: row.pos,
                confidences,
                ..RawTask::default()
            });
            return;
        }
    }
    if mp.lead.trim().is_empty() {
        if let Some(a) = &out.agency {
            inherited_lead = a.clone();
            mp.lead = &inherited_lead;
        }
    }

    // The number cell: a number, a number followed by text, a bullet, or text.
    let raw_number = kehoach_text::normalize(mp.number);
    let mut number: Option<String> = None;
    if !raw_number.is_empty() {
        let token = clean_number(&raw_number);
        if parse_num(&token).is_some() {
            number = Some(token);
        } else if let Some((num, text)) = split_number_text(&raw_number) {
            number = Some(num);
            mp.content = if mp.content.trim().is_empty() {
                text
            } else {
                format!("{text} {}", mp.content)
            };
        } else if is_bullet(&raw_number) {
            // A bullet: an unnumbered row.
        } else if mp.content.trim().is_empty() {
            // Text in the number column (misaligned export): it is the content.
            mp.content = raw_number.clone();
        } else {
            number = Some(token);
        }
    } else if m.index_of(Col::Number).is_none() {
        // No number column: the numbering is typed at the start of the content.
        if let Some((num, text)) = split_number_text(&kehoach_text::normalize(&mp.content)) {
            number = Some(num);
            mp.content = text;
        }
    } else if let Some((num, text)) = section_in_content(&mp.content) {
        // A section heading typed into the content column ("I. Cải cách…").
        number = Some(num);
        mp.content = text;
    }

    let content = kehoach_text::normalize(&mp.content);
    // A row of a blank form: a number and nothing else.
    let blank = content.is_empty()
        && [mp.lead, mp.support, mp.deadline, mp.product]
            .iter()
            .all(|c| c.trim().is_empty())
        && mp.extra.iter().all(|(_, t)| t.trim().is_empty());
    if blank && !raw_number.is_empty() {
        return;
    }
    // A number and content cell merged down over a page break: Word does
    // not repeat a merged cell's text on the next page, so the row there has
    // them empty, while its other cells start values of their own (a row
    // broken over the page carries tails instead). As a merged Word cell
    // gives its text to every row it covers, the row is a task of the same
    // number and content.
    let mut content = content;
    if after_break && content.is_empty() && raw_number.is_empty() {
        if let Some(prev) = out.rows.last() {
            if continues_merged_cell(&mp, prev) {
                number = prev.number.clone();
                content = prev.content.clone();
            }
        }
    }
    let has_number = number.is_some() || is_bullet(&raw_number);
    if !has_number {
        if let Some(prev) = out.rows.last_mut() {
            let continues = content.is_empty()
                || (after_break
                    && (!starts_new_sentence(&content, &prev.content)
                        || (!ends_sentence(&prev.content) && other_cells_are_fragments(&mp))));
            if continues {
                append(prev, &mp, &content, m);
                prev.confidences.extend(confidences);
                return;
            }
        }
    }
    let idx = out.rows.len();
    if number.is_none() && !out.rows.is_empty() {
        out.warnings.push(RowWarning {
            code: WarningCode::UnnumberedRow,
            message: format!(
                "row at {} has an empty number cell and starts a new task; kept as its own record with number null",
                describe(&row.pos)
            ),
            row: Some(idx),
        });
    }
    let mut task = RawTask {
        number,
        content,
        lead: kehoach_text::normalize(mp.lead),
        support: kehoach_text::normalize(mp.support),
        deadline: kehoach_text::normalize(mp.deadline),
        deadline_raw: mp.deadline.to_string(),
        product: kehoach_text::normalize(mp.product),
        extra: BTreeMap::new(),
        appendix: None,
        table: 0,
        header_year: m.deadline_year,
        agency: false,
        pos: row.pos,
        confidences,
    };
    for (i, text) in &mp.extra {
        let key = header_key(m, *i);
        let value = kehoach_text::normalize(text);
        if !value.is_empty() {
            task.extra.insert(key, value);
        }
    }
    out.rows.push(task);
}

fn header_key(m: &ColumnMap, i: usize) -> String {
    match m.headers.get(i) {
        Some(h) if !h.is_empty() => h.clone(),
        _ => format!("column {}", i + 1),
    }
}

/// Appends each non-empty cell of a continuation row to the same column of `prev`.
fn append(prev: &mut RawTask, mp: &Mapped<'_>, content: &str, m: &ColumnMap) {
    fn join(dst: &mut String, add: &str) {
        let add = kehoach_text::normalize(add);
        if add.is_empty() {
            return;
        }
        if !dst.is_empty() {
            dst.push(' ');
        }
        dst.push_str(&add);
    }
    join(&mut prev.content, content);
    join(&mut prev.lead, mp.lead);
    join(&mut prev.support, mp.support);
    join(&mut prev.deadline, mp.deadline);
    if !mp.deadline.trim().is_empty() {
        if !prev.deadline_raw.is_empty() {
            prev.deadline_raw.push('\n');
        }
        prev.deadline_raw.push_str(mp.deadline);
    }
    join(&mut prev.product, mp.product);
    for (i, text) in &mp.extra {
        let key = header_key(m, *i);
        join(prev.extra.entry(key).or_default(), text);
    }
}

/// Whether continuation text after a page break starts a new sentence (and so
/// a new record) rather than finishing the previous row's text.
fn starts_new_sentence(content: &str, prev_content: &str) -> bool {
    let Some(first) = content.chars().next() else {
        return false;
    };
    if first.is_lowercase() || matches!(first, '-' | '+' | '•' | '(' | ',' | ';' | ')' | '…' | '.')
    {
        return false;
    }
    let prev_end = prev_content.trim_end().chars().last();
    if matches!(prev_end, Some(',' | ':' | ';' | '(' | '-' | '–')) {
        return false;
    }
    true
}

/// Whether text ends like a finished sentence.
fn ends_sentence(text: &str) -> bool {
    matches!(
        text.trim_end().chars().last(),
        Some('.' | '!' | '?' | ';' | ':' | ')' | '"' | '”')
    )
}

/// A row split by a page break carries only tails of the other cells (or
/// nothing): every non-empty lead/support/deadline/product cell starts in lower case.
fn other_cells_are_fragments(mp: &Mapped<'_>) -> bool {
    [mp.lead, mp.support, mp.deadline, mp.product]
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .all(|c| {
            c.chars()
                .next()
                .is_some_and(|ch| ch.is_lowercase() || !ch.is_alphanumeric())
        })
}

/// Whether a row with empty number and content cells, first under a page
/// break, is the next row of a number and content merged down from `prev`
/// (rather than the tail of `prev` broken over the page): `prev` is a task
/// with units, a deadline or a product, and the row holds at least two such
/// values, each starting anew (upper case or a digit) where `prev`'s value
/// of the same column ended complete.
fn continues_merged_cell(mp: &Mapped<'_>, prev: &RawTask) -> bool {
    if prev.agency || prev.number.is_none() || prev.content.is_empty() {
        return false;
    }
    let pairs = [
        (mp.lead, &prev.lead),
        (mp.support, &prev.support),
        (mp.deadline, &prev.deadline),
        (mp.product, &prev.product),
    ];
    let mut values = 0;
    for (cell, before) in pairs {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        let anew = cell
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if !anew || before.trim().is_empty() || !starts_new_sentence(cell, before) {
            return false;
        }
        values += 1;
    }
    values >= 2
}

/// `I. Cải cách thể chế` typed into the content column of a row with an empty number cell.
fn section_in_content(content: &str) -> Option<(String, String)> {
    let t = kehoach_text::normalize(content);
    let (num, text) = split_number_text(&t)?;
    let head = t.split_whitespace().next()?;
    // Only Roman numerals followed by a dot: arabic numbers in running text are too ambiguous.
    match parse_num(&num)? {
        crate::number::Num::Roman(_, parts) if parts.is_empty() && head.ends_with('.') => {
            Some((num, text))
        }
        _ => None,
    }
}

/// A human description of a position for messages.
pub fn describe(pos: &Pos) -> String {
    match (pos.page, pos.line) {
        (Some(p), Some(l)) => format!("page {p}, line {l}"),
        (Some(p), None) => format!("page {p}"),
        (None, Some(l)) => format!("line {l}"),
        (None, None) => "an unknown position".into(),
    }
}

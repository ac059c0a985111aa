//! A tolerant reader for the HTML tables that text exports embed.
//!
//! Handles `<tr>`, `<td>`/`<th>` with `colspan` and `rowspan`, inline markup,
//! `<br>`, unclosed cells and rows, and nested tables (whose text is kept
//! inside the enclosing cell). A cell spanning rows is repeated in each row it
//! covers, so every row carries its unit and deadline text.

use crate::clean_cell;
use kehoach_doc::{Cell, Pos, Row};

/// Largest span honoured; larger values are treated as this (hostile input).
const MAX_SPAN: u32 = 64;

/// Collects the lines of one `<table>…</table>` (with nesting). Returns the
/// joined text and how many lines it used.
pub fn gather_table(lines: &[&str]) -> (String, usize) {
    let mut depth = 0i32;
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(line);
        let lower = line.to_ascii_lowercase();
        depth += count(&lower, "<table") as i32;
        depth -= count(&lower, "</table") as i32;
        if depth <= 0 {
            return (text, i + 1);
        }
    }
    (text, lines.len())
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// A row being read: its cells (text, colspan, rowspan) and its line.
type PendingRow = (Vec<(String, u32, u32)>, u32);

/// Pending text of a cell spanning further rows.
struct Carry {
    text: String,
    colspan: u32,
    rows_left: u32,
}

/// Parses the rows of an HTML table. `first_line` is the line of the `<table` tag.
pub fn parse_table(html: &str, first_line: u32) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut carries: Vec<Option<Carry>> = Vec::new();
    let mut cur_row: Option<PendingRow> = None;
    let mut cur_cell: Option<(String, u32, u32)> = None;
    let mut nested = 0i32;
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut line = first_line;
    let mut text_start = 0;

    while i < bytes.len() {
        if bytes[i] == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let Some(end_rel) = html[i..].find('>') else {
            break;
        };
        let tag = &html[i + 1..i + end_rel];
        let (closing, name, attrs) = split_tag(tag);
        let tag_end = i + end_rel + 1;
        let structural = matches!(
            name.as_str(),
            "table" | "tr" | "td" | "th" | "tbody" | "thead" | "tfoot"
        );
        if !structural {
            i = tag_end;
            continue;
        }
        if name == "table" {
            if closing {
                nested -= 1;
            } else {
                nested += 1;
            }
            // Only the outermost table structures rows; inner tables become cell text.
            if nested >= 2 || (closing && nested >= 1) {
                if let Some(cell) = &mut cur_cell {
                    cell.0.push_str(&html[text_start..i]);
                    cell.0.push('\n');
                }
                text_start = tag_end;
            } else if closing && nested <= 0 {
                // End of the outer table: close what is open and stop.
                if let Some(mut cell) = cur_cell.take() {
                    cell.0.push_str(&html[text_start..i]);
                    if let Some((cells, _)) = &mut cur_row {
                        cells.push(cell);
                    }
                }
                finish_row(&mut rows, &mut carries, cur_row.take());
                return rows;
            }
            i = tag_end;
            continue;
        }
        if nested >= 2 {
            // Inside a nested table: its cells and rows separate text.
            if let Some(cell) = &mut cur_cell {
                cell.0.push_str(&html[text_start..i]);
                cell.0.push(if name == "tr" { '\n' } else { ' ' });
            }
            text_start = tag_end;
            i = tag_end;
            continue;
        }
        // Close the open cell on any structural tag.
        if let Some(mut cell) = cur_cell.take() {
            cell.0.push_str(&html[text_start..i]);
            if let Some((cells, _)) = &mut cur_row {
                cells.push(cell);
            }
        }
        match (name.as_str(), closing) {
            ("tr", false) => {
                finish_row(&mut rows, &mut carries, cur_row.take());
                cur_row = Some((Vec::new(), line));
            }
            ("tr", true) => finish_row(&mut rows, &mut carries, cur_row.take()),
            ("td" | "th", false) => {
                if cur_row.is_none() {
                    cur_row = Some((Vec::new(), line));
                }
                let colspan = attr_num(&attrs, "colspan");
                let rowspan = attr_num(&attrs, "rowspan");
                cur_cell = Some((String::new(), colspan, rowspan));
                text_start = tag_end;
            }
            _ => {}
        }
        i = tag_end;
    }
    if let Some(mut cell) = cur_cell.take() {
        cell.0.push_str(&html[text_start.min(html.len())..]);
        if let Some((cells, _)) = &mut cur_row {
            cells.push(cell);
        }
    }
    finish_row(&mut rows, &mut carries, cur_row.take());
    rows
}

fn finish_row(rows: &mut Vec<Row>, carries: &mut Vec<Option<Carry>>, row: Option<PendingRow>) {
    let Some((cells, line)) = row else { return };
    let pos = Pos::line(line);
    let mut out: Vec<Cell> = Vec::new();
    let mut col = 0usize;
    let mut incoming = cells.into_iter().peekable();
    loop {
        // Cells carried down from rows above occupy their columns first.
        if let Some(Some(carry)) = carries.get_mut(col) {
            out.push(Cell {
                colspan: carry.colspan,
                ..Cell::new(carry.text.clone(), pos)
            });
            let span = carry.colspan as usize;
            carry.rows_left -= 1;
            if carry.rows_left == 0 {
                carries[col] = None;
            }
            col += span;
            continue;
        }
        let Some((raw, colspan, rowspan)) = incoming.next() else {
            // Carries further right still fill their columns.
            if carries.iter().skip(col).any(Option::is_some) {
                out.push(Cell::new("", pos));
                col += 1;
                continue;
            }
            break;
        };
        let text = clean_cell(&raw);
        if rowspan > 1 {
            if carries.len() < col + 1 {
                carries.resize_with(col + 1, || None);
            }
            carries[col] = Some(Carry {
                text: text.clone(),
                colspan,
                rows_left: rowspan - 1,
            });
        }
        out.push(Cell {
            colspan,
            ..Cell::new(text, pos)
        });
        col += colspan as usize;
    }
    if !out.is_empty() {
        rows.push(Row { cells: out, pos });
    }
}

/// Splits `"/td"` or `"td colspan=2"` into (closing, lower-case name, attributes).
pub(crate) fn split_tag(tag: &str) -> (bool, String, String) {
    let tag = tag.trim();
    let (closing, rest) = match tag.strip_prefix('/') {
        Some(r) => (true, r.trim_start()),
        None => (false, tag),
    };
    let name_end = rest
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(rest.len());
    (
        closing,
        rest[..name_end].to_ascii_lowercase(),
        rest[name_end..].to_ascii_lowercase(),
    )
}

/// Reads `name=N`, `name="N"` or `name='N'` from attributes; 1 when absent or invalid.
fn attr_num(attrs: &str, name: &str) -> u32 {
    let mut search = attrs;
    while let Some(pos) = search.find(name) {
        let after = search[pos + name.len()..].trim_start();
        if let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start().trim_start_matches(['"', '\'']);
            let digits: String = v.chars().take_while(char::is_ascii_digit).take(6).collect();
            return digits.parse::<u32>().map_or(1, |n| n.clamp(1, MAX_SPAN));
        }
        search = &search[pos + name.len()..];
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[Row]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.grid().into_iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn colspan_and_rowspan() {
        let html = "<table>\n<tr><th>TT</th><th>Nội dung</th><th>Chủ trì</th></tr>\n<tr><td colspan=\"3\"><b>I. Mục</b></td></tr>\n<tr><td>1</td><td>Việc<br>một</td><td rowspan=2>Phòng A</td></tr>\n<tr><td>2</td><td>Việc hai</td></tr>\n</table>";
        let rows = parse_table(html, 10);
        assert_eq!(
            texts(&rows),
            vec![
                vec!["TT", "Nội dung", "Chủ trì"],
                vec!["I. Mục", "", ""],
                vec!["1", "Việc\nmột", "Phòng A"],
                vec!["2", "Việc hai", "Phòng A"],
            ]
        );
        assert_eq!(rows[3].pos.line, Some(14));
    }

    #[test]
    fn unclosed_cells_and_nested_tables() {
        let rows = parse_table("<table><tr><td>1<td>a <table><tr><td>x</td><td>y</td></tr></table> b<tr><td>2<td>c</table>", 1);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells[0].text, "1");
        assert!(rows[0].cells[1].text.contains('x') && rows[0].cells[1].text.ends_with('b'));
        assert_eq!(rows[1].cells[1].text, "c");
    }

    #[test]
    fn hostile_spans_are_bounded() {
        let rows = parse_table("<table><tr><td colspan=99999999 rowspan=99999999>a</td></tr><tr><td>b</td></tr></table>", 1);
        assert_eq!(rows[0].cells[0].colspan, MAX_SPAN);
        assert_eq!(rows.len(), 2);
    }
}

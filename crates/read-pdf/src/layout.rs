//! Page layout: glyphs → words → lines; ruling lines → grids → table cells;
//! aligned text columns → tables where a table has no rules; lines →
//! paragraphs.

use crate::interp::{Glyph, PageContent, Seg};
use kehoach_doc::{BBox, Cell, Pos, Row, Table};

/// Rules closer than this are the same rule (points).
const SNAP: f32 = 2.0;

/// A word: glyphs without a gap.
#[derive(Debug, Clone)]
pub struct Word {
    pub x0: f32,
    pub x1: f32,
    pub text: String,
}

/// A line of text: words on one baseline.
#[derive(Debug, Clone)]
pub struct Line {
    pub x0: f32,
    pub x1: f32,
    /// Baseline.
    pub y: f32,
    /// Largest font size on the line.
    pub size: f32,
    pub words: Vec<Word>,
    pub bold: bool,
}

impl Line {
    /// The line's text: words joined by a space; a wide gap (side-by-side
    /// blocks such as the issuer and the national motto) becomes three spaces.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let mut prev: Option<f32> = None;
        for w in &self.words {
            if let Some(p) = prev {
                s.push_str(if w.x0 - p > 2.5 * self.size {
                    "   "
                } else {
                    " "
                });
            }
            s.push_str(&w.text);
            prev = Some(w.x1);
        }
        s
    }

    pub fn top(&self) -> f32 {
        self.y - 0.8 * self.size
    }
}

/// Groups glyphs into lines (top to bottom), each line's words left to right.
pub fn lines(glyphs: &[&Glyph]) -> Vec<Line> {
    let mut gs: Vec<&Glyph> = glyphs.to_vec();
    gs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut groups: Vec<Vec<&Glyph>> = Vec::new();
    let mut cur_y = f32::MIN;
    for g in gs {
        let tol = 0.4 * g.size.max(1.0);
        match groups.last_mut() {
            Some(grp) if (g.y - cur_y).abs() <= tol => grp.push(g),
            _ => {
                cur_y = g.y;
                groups.push(vec![g]);
            }
        }
    }
    groups.into_iter().filter_map(line_of).collect()
}

fn line_of(mut gs: Vec<&Glyph>) -> Option<Line> {
    gs.sort_by(|a, b| a.x.total_cmp(&b.x));
    // Blanks typed where something was stamped over them later (a number
    // placed by a signing system over "Số:      /…") do not split its words.
    let ink: Vec<(f32, f32)> = gs
        .iter()
        .filter(|g| !g.text.chars().all(char::is_whitespace))
        .map(|g| (g.x, g.x + g.w))
        .collect();
    gs.retain(|g| {
        if !g.text.chars().all(char::is_whitespace) || g.w <= 0.0 {
            return true;
        }
        let mid = g.x + g.w / 2.0;
        let at = ink.partition_point(|&(x0, _)| x0 <= mid);
        !(at > 0 && ink[at - 1].1 > mid)
    });
    let size = gs.iter().map(|g| g.size).fold(0.0f32, f32::max).max(1.0);
    let y = gs.iter().map(|g| g.y).sum::<f32>() / gs.len() as f32;
    let mut words: Vec<Word> = Vec::new();
    let mut cur: Option<Word> = None;
    let mut last: Option<&Glyph> = None;
    let mut bold = true;
    let mut any = false;
    for g in gs {
        // Overprinted duplicates (fake bold, shadows).
        if let Some(l) = last {
            if l.text == g.text && (l.x - g.x).abs() < 0.3 * g.w.max(0.5) && (l.y - g.y).abs() < 0.5
            {
                continue;
            }
        }
        last = Some(g);
        if g.text.chars().all(char::is_whitespace) {
            if let Some(w) = cur.take() {
                words.push(w);
            }
            continue;
        }
        any = true;
        bold &= g.bold;
        let gap_limit = 0.15 * g.size.max(1.0);
        match cur.as_mut() {
            Some(w) if g.x - w.x1 <= gap_limit && g.x >= w.x0 - gap_limit => {
                w.text.push_str(&g.text);
                w.x1 = w.x1.max(g.x + g.w);
            }
            _ => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
                cur = Some(Word {
                    x0: g.x,
                    x1: g.x + g.w,
                    text: g.text.clone(),
                });
            }
        }
    }
    if let Some(w) = cur {
        words.push(w);
    }
    if !any || words.is_empty() {
        return None;
    }
    let x0 = words.iter().map(|w| w.x0).fold(f32::MAX, f32::min);
    let x1 = words.iter().map(|w| w.x1).fold(f32::MIN, f32::max);
    Some(Line {
        x0,
        x1,
        y,
        size,
        words,
        bold,
    })
}

/// Text of glyphs in one cell: lines joined by `\n`.
fn cell_text(glyphs: &[&Glyph]) -> String {
    join_lines(lines(glyphs).iter().map(Line::text))
}

/// Joins wrapped lines with `\n`, except after a hyphen that the wrap split
/// from its word (`VP-` + `TK` is `VP-TK`, `2022-` + `2025` is `2022-2025`).
pub fn join_lines<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    for (i, l) in lines.into_iter().enumerate() {
        let l = l.as_ref();
        if i > 0 {
            let mut tail = out.chars().rev();
            let split_word = tail.next() == Some('-')
                && tail.next().is_some_and(char::is_alphanumeric)
                && l.chars().next().is_some_and(char::is_alphanumeric);
            if !split_word {
                out.push('\n');
            }
        }
        out.push_str(l);
    }
    out
}

/// A table found on a page.
pub struct Found {
    pub table: Table,
}

/// Merges collinear, touching segments. `horizontal` selects the axis.
fn merge(segs: &[Seg], horizontal: bool) -> Vec<Seg> {
    let key = |s: &Seg| if horizontal { s.y0 } else { s.x0 };
    let lo = |s: &Seg| if horizontal { s.x0 } else { s.y0 };
    let hi = |s: &Seg| if horizontal { s.x1 } else { s.y1 };
    let mut v: Vec<Seg> = segs.to_vec();
    v.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let mut out: Vec<Seg> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && key(&v[j + 1]) - key(&v[i]) <= 1.0 {
            j += 1;
        }
        let mut bucket: Vec<Seg> = v[i..=j].to_vec();
        let k = bucket.iter().map(key).sum::<f32>() / bucket.len() as f32;
        bucket.sort_by(|a, b| lo(a).total_cmp(&lo(b)));
        let mut cur: Option<(f32, f32)> = None;
        for s in &bucket {
            cur = match cur {
                Some((a, b)) if lo(s) <= b + SNAP => Some((a, b.max(hi(s)))),
                Some((a, b)) => {
                    out.push(mk(horizontal, k, a, b));
                    Some((lo(s), hi(s)))
                }
                None => Some((lo(s), hi(s))),
            };
        }
        if let Some((a, b)) = cur {
            out.push(mk(horizontal, k, a, b));
        }
        i = j + 1;
    }
    out
}

fn mk(horizontal: bool, k: f32, a: f32, b: f32) -> Seg {
    if horizontal {
        Seg {
            x0: a,
            y0: k,
            x1: b,
            y1: k,
        }
    } else {
        Seg {
            x0: k,
            y0: a,
            x1: k,
            y1: b,
        }
    }
}

fn cluster(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for x in v {
        match out.last() {
            Some(&l) if x - l <= SNAP => {}
            _ => out.push(x),
        }
    }
    out
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Tables from the ruling lines of a page; `used` marks the glyphs placed in a table.
pub fn ruled_tables(pc: &PageContent, page: u32, used: &mut [bool]) -> Vec<Found> {
    let hs = merge(&pc.hrules, true);
    let vs = merge(&pc.vrules, false);
    // Bounded work: a page of thousands of crossing rules is a drawing, not a table.
    if hs.len() < 2 || vs.len() < 2 || hs.len() * vs.len() > 4_000_000 {
        return Vec::new();
    }
    // Connected components of crossing rules.
    let n = hs.len() + vs.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for (i, h) in hs.iter().enumerate() {
        for (j, v) in vs.iter().enumerate() {
            if v.x0 >= h.x0 - SNAP
                && v.x0 <= h.x1 + SNAP
                && h.y0 >= v.y0 - SNAP
                && h.y0 <= v.y1 + SNAP
            {
                let (a, b) = (find(&mut parent, i), find(&mut parent, hs.len() + j));
                parent[a] = b;
            }
        }
    }
    let mut comps: Vec<(Vec<Seg>, Vec<Seg>)> = Vec::new();
    let mut index: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        let k = *index.entry(r).or_insert_with(|| {
            comps.push((Vec::new(), Vec::new()));
            comps.len() - 1
        });
        if i < hs.len() {
            comps[k].0.push(hs[i]);
        } else {
            comps[k].1.push(vs[i - hs.len()]);
        }
    }
    let mut out = Vec::new();
    for (ch, cv) in comps {
        out.extend(grid_table(&ch, &cv, pc, page, used));
    }
    out
}

fn grid_table(
    hs: &[Seg],
    vs: &[Seg],
    pc: &PageContent,
    page: u32,
    used: &mut [bool],
) -> Vec<Found> {
    if hs.is_empty() || vs.is_empty() {
        return Vec::new();
    }
    let mut ys = cluster(hs.iter().map(|s| s.y0).collect());
    let mut xs = cluster(vs.iter().map(|s| s.x0).collect());
    // Edges drawn by the crossing rules only (an open top or bottom of a page part).
    let top = vs.iter().map(|s| s.y0).fold(f32::MAX, f32::min);
    let bottom = vs.iter().map(|s| s.y1).fold(f32::MIN, f32::max);
    if ys.first().is_some_and(|&y| top < y - 3.0) {
        ys.insert(0, top);
    }
    if ys.last().is_some_and(|&y| bottom > y + 3.0) {
        ys.push(bottom);
    }
    let left = hs.iter().map(|s| s.x0).fold(f32::MAX, f32::min);
    let right = hs.iter().map(|s| s.x1).fold(f32::MIN, f32::max);
    if xs.first().is_some_and(|&x| left < x - 3.0) {
        xs.insert(0, left);
    }
    if xs.last().is_some_and(|&x| right > x + 3.0) {
        xs.push(right);
    }
    // Thin bands (double rules) are not rows.
    ys.dedup_by(|b, a| *b - *a < 3.0);
    xs.dedup_by(|b, a| *b - *a < 3.0);
    // More than 100 columns is a drawing (or a hatch), not a table.
    if xs.len() < 3
        || xs.len() > 101
        || ys.len() < 2
        || ys.len().saturating_mul(xs.len()).saturating_mul(vs.len()) > 20_000_000
    {
        return Vec::new();
    }
    let (tx0, tx1, ty0, ty1) = (xs[0], xs[xs.len() - 1], ys[0], ys[ys.len() - 1]);
    let nb = ys.len() - 1;
    // Column boundaries present in each band (a missing rule merges cells).
    let bounds: Vec<Vec<usize>> = (0..nb)
        .map(|b| {
            let (ya, yb) = (ys[b], ys[b + 1]);
            let mut v = vec![0];
            for (j, &x) in xs.iter().enumerate().take(xs.len() - 1).skip(1) {
                let present = vs.iter().any(|s| {
                    (s.x0 - x).abs() <= SNAP
                        && s.y0 <= ya + 0.25 * (yb - ya) + SNAP
                        && s.y1 >= yb - 0.25 * (yb - ya) - SNAP
                });
                if present {
                    v.push(j);
                }
            }
            v.push(xs.len() - 1);
            v
        })
        .collect();
    // Glyphs into cells.
    let mut cells: Vec<Vec<Vec<&Glyph>>> = bounds
        .iter()
        .map(|b| vec![Vec::new(); b.len() - 1])
        .collect();
    let mut any = false;
    for (gi, g) in pc.glyphs.iter().enumerate() {
        if used[gi] {
            continue;
        }
        let cx = g.x + g.w / 2.0;
        let cy = g.y - 0.3 * g.size;
        if cx < tx0 - 1.0 || cx > tx1 + 1.0 || cy < ty0 - 1.0 || cy > ty1 + 1.0 {
            continue;
        }
        let b = ys.partition_point(|&y| y <= cy).clamp(1, nb) - 1;
        let col = xs.partition_point(|&x| x <= cx).clamp(1, xs.len() - 1) - 1;
        let c = bounds[b]
            .partition_point(|&j| j <= col)
            .clamp(1, bounds[b].len() - 1)
            - 1;
        cells[b][c].push(g);
        used[gi] = true;
        any = true;
    }
    if !any {
        return Vec::new();
    }
    let mut texts = merged_down_texts(hs, &ys, &xs, &bounds, &cells);
    // Runs of rows whose column rules agree (one set contains the other) form
    // one table; a row whose rules cross them starts another (tables that
    // touch, or rows typed with their own column widths). Spans count the
    // columns of the run's fullest row.
    let mut runs: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for (b, bb) in bounds.iter().enumerate() {
        let empty = cells[b].iter().all(Vec::is_empty);
        match runs.last_mut() {
            Some(run) if empty || subset(bb, &run.2) || subset(&run.2, bb) => {
                if !empty && bb.len() > run.2.len() {
                    run.2 = bb.clone();
                }
                run.1 = b + 1;
            }
            _ => runs.push((b, b + 1, bb.clone())),
        }
    }
    let mut out = Vec::new();
    for (start, end, full) in runs {
        let mut rows = Vec::new();
        for b in start..end {
            let band = &cells[b];
            if band.iter().all(Vec::is_empty) {
                continue;
            }
            let rb = BBox {
                x0: tx0,
                y0: ys[b],
                x1: tx1,
                y1: ys[b + 1],
            };
            let row_cells = band
                .iter()
                .enumerate()
                .map(|(c, gs)| {
                    let (j0, j1) = (bounds[b][c], bounds[b][c + 1]);
                    let span = full.iter().filter(|&&r| r > j0 && r <= j1).count().max(1);
                    let bbox = BBox {
                        x0: xs[j0],
                        y0: ys[b],
                        x1: xs[j1],
                        y1: ys[b + 1],
                    };
                    let text = texts[b][c].take().unwrap_or_else(|| cell_text(gs));
                    Cell {
                        colspan: span as u32,
                        ..Cell::new(text, Pos::on_page(page, Some(bbox)))
                    }
                })
                .collect();
            rows.push(Row {
                cells: row_cells,
                pos: Pos::on_page(page, Some(rb)),
            });
        }
        if rows.is_empty() {
            continue;
        }
        let area = BBox {
            x0: tx0,
            y0: ys[start],
            x1: tx1,
            y1: ys[end],
        };
        out.push(Found {
            table: Table {
                rows,
                pos: Pos::on_page(page, Some(area)),
            },
        });
    }
    out
}

/// The texts of cells merged down several rows: a cell with no rule under
/// it, above a cell of the same columns in the next row, is one cell with
/// that one (a row drawn with a rule under some columns only, as Word draws
/// a cell merged over rows that differ in their other columns). Like a
/// merged Word cell, its text (the glyphs of every part) goes to each row
/// it covers. `None` for cells not merged.
fn merged_down_texts(
    hs: &[Seg],
    ys: &[f32],
    xs: &[f32],
    bounds: &[Vec<usize>],
    cells: &[Vec<Vec<&Glyph>>],
) -> Vec<Vec<Option<String>>> {
    let mut out: Vec<Vec<Option<String>>> = cells.iter().map(|b| vec![None; b.len()]).collect();
    let filled = |b: usize| cells[b].iter().any(|c| !c.is_empty());
    // Whether a rule runs under band `b` across most of columns j0..j1.
    let rule_under = |b: usize, j0: usize, j1: usize| {
        let (y, xa, xb) = (ys[b + 1], xs[j0], xs[j1]);
        let w = xb - xa;
        hs.iter().any(|s| {
            (s.y0 - y).abs() <= 3.0 + SNAP
                && s.x0 <= xa + 0.25 * w + SNAP
                && s.x1 >= xb - 0.25 * w - SNAP
        })
    };
    for b in 0..cells.len() {
        if !filled(b) {
            continue;
        }
        for c in 0..cells[b].len() {
            if out[b][c].is_some() {
                continue;
            }
            // The chain of cells this one continues into.
            let mut chain = vec![(b, c)];
            let (j0, j1) = (bounds[b][c], bounds[b][c + 1]);
            let mut k = b;
            while k + 1 < cells.len() && filled(k + 1) && !rule_under(k, j0, j1) {
                // The same columns in the next row, else no merge.
                let Some(next) = bounds[k + 1]
                    .windows(2)
                    .position(|w| w[0] == j0 && w[1] == j1)
                else {
                    break;
                };
                k += 1;
                chain.push((k, next));
            }
            if chain.len() < 2 {
                continue;
            }
            let glyphs: Vec<&Glyph> = chain
                .iter()
                .flat_map(|&(r, x)| cells[r][x].iter().copied())
                .collect();
            let text = cell_text(&glyphs);
            for (r, x) in chain {
                out[r][x] = Some(text.clone());
            }
        }
    }
    out
}

/// Whether every column rule of `a` is also one of `b` (indices into the grid).
fn subset(a: &[usize], b: &[usize]) -> bool {
    a.iter().all(|x| b.contains(x))
}

/// Tables from text alignment (no rules): a run of lines whose words keep to
/// columns separated by empty vertical gutters. Returns the tables and the
/// indices of the lines they took.
pub fn aligned_tables(lines: &[Line], page: u32) -> Vec<(Found, Vec<usize>)> {
    let mut out = Vec::new();
    if lines.len() > 5_000 {
        return out;
    }
    let mut i = 0;
    while i < lines.len() {
        if chunks(&lines[i]) < 3 {
            i += 1;
            continue;
        }
        // Grow the zone while lines do not look like running text across the columns.
        let size = lines[i].size;
        let mut end = i + 1;
        let mut zx0 = lines[i].x0;
        let mut zx1 = lines[i].x1;
        let mut last_multi = i;
        while end < lines.len() {
            let l = &lines[end];
            let wide = chunks(l) == 1 && (l.x1 - l.x0) > 0.6 * (zx1 - zx0);
            let far = l.y - lines[end - 1].y > 4.0 * size;
            if wide || far {
                break;
            }
            if chunks(l) >= 2 {
                last_multi = end;
                zx0 = zx0.min(l.x0);
                zx1 = zx1.max(l.x1);
            }
            end += 1;
        }
        // Keep single-chunk lines after the last multi-column line only when they sit inside the zone.
        while end > last_multi + 1
            && (lines[end - 1].x0 < zx0 - 2.0 || lines[end - 1].x1 > zx1 + 2.0)
        {
            end -= 1;
        }
        // Header lines above the seed that keep to the columns (a header cell of two lines).
        let mut start = i;
        while start > 0
            && lines[start].y - lines[start - 1].y <= 1.6 * size
            && chunks(&lines[start - 1]) >= 2
        {
            start -= 1;
        }
        let zone: Vec<usize> = (start..end).collect();
        match columns(lines, &zone) {
            Some(cols) if cols.len() >= 3 && zone.len() >= 3 => {
                if let Some(t) = aligned_table(lines, &zone, &cols, page) {
                    out.push((t, zone));
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// `1`, `1.2`, `IV`, `a)`, `3.` — a row number in the number column.
fn looks_like_number(t: &str) -> bool {
    let marked = t.ends_with(['.', ')']);
    let t = t.trim_end_matches(['.', ')']);
    !t.is_empty()
        && t.len() <= 8
        && (t
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            || t.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'))
            || (marked && t.chars().count() == 1 && t.chars().all(char::is_alphabetic)))
}

/// Groups of words separated by a gap wider than a column gutter.
fn chunks(l: &Line) -> usize {
    1 + l
        .words
        .windows(2)
        .filter(|w| w[1].x0 - w[0].x1 > 0.9 * l.size)
        .count()
}

/// Column extents from the ink projection of the zone's words.
fn columns(lines: &[Line], zone: &[usize]) -> Option<Vec<(f32, f32)>> {
    let mut spans: Vec<(f32, f32)> = zone
        .iter()
        .flat_map(|&k| lines[k].words.iter().map(|w| (w.x0, w.x1)))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let size = zone.iter().map(|&k| lines[k].size).sum::<f32>() / zone.len().max(1) as f32;
    let mut cols: Vec<(f32, f32)> = Vec::new();
    for (a, b) in spans {
        match cols.last_mut() {
            Some(c) if a - c.1 < 0.5 * size => c.1 = c.1.max(b),
            _ => cols.push((a, b)),
        }
    }
    // Neighbouring columns that never share a line are one column whose
    // header is centred and whose entries are not (`TT` over `1`, `IV`).
    let mut k = 0;
    while k + 1 < cols.len() {
        let (a, b) = (cols[k], cols[k + 1]);
        let (mut shared, mut in_a, mut in_b) = (false, 0, 0);
        for &i in zone {
            let ws = &lines[i].words;
            let ha = ws.iter().any(|w| w.x0 >= a.0 - 1.0 && w.x0 <= a.1 + 1.0);
            let hb = ws.iter().any(|w| w.x0 >= b.0 - 1.0 && w.x0 <= b.1 + 1.0);
            shared |= ha && hb;
            in_a += usize::from(ha);
            in_b += usize::from(hb);
        }
        if !shared && in_a.min(in_b) <= 2 && b.0 - a.1 < 2.0 * size {
            cols[k] = (a.0, b.1);
            cols.remove(k + 1);
        } else {
            k += 1;
        }
    }
    (!cols.is_empty()).then_some(cols)
}

fn aligned_table(lines: &[Line], zone: &[usize], cols: &[(f32, f32)], page: u32) -> Option<Found> {
    let col_of = |x: f32| {
        cols.iter()
            .position(|c| x >= c.0 - 1.0 && x <= c.1 + 1.0)
            .unwrap_or(0)
    };
    // The line pitch inside cells; lines of a vertically centred cell sit between, closer.
    let pitches: Vec<f32> = zone
        .windows(2)
        .map(|w| lines[w[1]].y - lines[w[0]].y)
        .filter(|&p| p > 0.8 * lines[zone[0]].size)
        .collect();
    let mut sorted = pitches.clone();
    sorted.sort_by(f32::total_cmp);
    let median = sorted
        .get(sorted.len() / 4)
        .copied()
        .unwrap_or(1.2 * lines[zone[0]].size);
    // Rows: a wide vertical gap, or a second number-column entry, starts a new row.
    let mut rows_lines: Vec<Vec<usize>> = Vec::new();
    let mut has_first = false;
    let mut prev_first = false;
    for (n, &k) in zone.iter().enumerate() {
        let l = &lines[k];
        let first_text: Vec<&str> = l
            .words
            .iter()
            .filter(|w| col_of(w.x0) == 0)
            .map(|w| w.text.as_str())
            .collect();
        let first_col = !first_text.is_empty();
        let gap = n > 0 && l.y - lines[zone[n - 1]].y > 1.3 * median;
        // A second entry in the number column starts a row, unless it wraps the entry above.
        let new_number = first_col
            && has_first
            && (!prev_first || first_text.first().is_some_and(|t| looks_like_number(t)));
        prev_first = first_col;
        if rows_lines.is_empty() || gap || new_number {
            rows_lines.push(vec![k]);
            has_first = first_col;
        } else if let Some(r) = rows_lines.last_mut() {
            r.push(k);
            has_first |= first_col;
        }
    }
    let x0 = cols[0].0;
    let x1 = cols[cols.len() - 1].1;
    let mut rows = Vec::new();
    for rl in &rows_lines {
        let mut texts: Vec<Vec<String>> = vec![Vec::new(); cols.len()];
        for &k in rl {
            let l = &lines[k];
            let mut per: Vec<Vec<&str>> = vec![Vec::new(); cols.len()];
            for w in &l.words {
                per[col_of(w.x0)].push(&w.text);
            }
            for (c, ws) in per.into_iter().enumerate() {
                if !ws.is_empty() {
                    texts[c].push(ws.join(" "));
                }
            }
        }
        let ry0 = lines[rl[0]].top();
        let ry1 = rl
            .last()
            .map_or(ry0, |&k| lines[k].y + 0.25 * lines[k].size);
        let cells = texts
            .iter()
            .enumerate()
            .map(|(c, t)| {
                Cell::new(
                    join_lines(t),
                    Pos::on_page(
                        page,
                        Some(BBox {
                            x0: cols[c].0,
                            y0: ry0,
                            x1: cols[c].1,
                            y1: ry1,
                        }),
                    ),
                )
            })
            .collect();
        rows.push(Row {
            cells,
            pos: Pos::on_page(
                page,
                Some(BBox {
                    x0,
                    y0: ry0,
                    x1,
                    y1: ry1,
                }),
            ),
        });
    }
    let y0 = lines[zone[0]].top();
    let y1 = zone
        .last()
        .map_or(y0, |&k| lines[k].y + 0.25 * lines[k].size);
    let area = BBox { x0, y0, x1, y1 };
    Some(Found {
        table: Table {
            rows,
            pos: Pos::on_page(page, Some(area)),
        },
    })
}

/// Consecutive lines → paragraphs: a vertical gap wider than the line pitch,
/// or a change of font size, starts a new one. Returns groups of line indices.
pub fn paragraphs(lines: &[&Line]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let new = match i.checked_sub(1).map(|p| lines[p]) {
            None => true,
            Some(p) => {
                let size = p.size.max(l.size);
                let pitch = l.y - p.y;
                pitch > 1.45 * size || pitch < 0.0 || (l.size - p.size).abs() > 0.2 * size
            }
        };
        if new {
            out.push(vec![i]);
        } else if let Some(g) = out.last_mut() {
            g.push(i);
        }
    }
    out
}

//! From word boxes and ruling lines to the document model: table grids from
//! the rules (or, without rules, columns from word positions), words into
//! cells, the rest into paragraphs.

use crate::engine::Word;
use crate::raster::{HLine, VLine};
use kehoach_doc::{BBox, Block, Cell, Paragraph, Pos, Row, Table};

/// A table grid found on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Column boundaries (x), left edge first.
    pub xs: Vec<u32>,
    /// Row bands top to bottom.
    pub bands: Vec<Band>,
}

/// One row band of a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Top rule.
    pub y0: u32,
    /// Bottom rule.
    pub y1: u32,
    /// For each boundary in [`Grid::xs`], whether a rule separates cells there in this band.
    pub present: Vec<bool>,
    /// For each boundary in [`Grid::xs`], whether the cell starting there has
    /// no rule along its top: it continues the cell above (a cell merged down
    /// several rows).
    pub open_top: Vec<bool>,
}

/// One cell of a grid: between boundaries `k0` and `k1` of [`Grid::xs`],
/// over bands `b0..=b1` (more than one for a cell merged down several rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridCell {
    /// Left boundary (index into [`Grid::xs`]).
    pub k0: usize,
    /// Right boundary.
    pub k1: usize,
    /// First band.
    pub b0: usize,
    /// Last band.
    pub b1: usize,
}

impl Grid {
    /// Left, top, right, bottom.
    pub fn bbox(&self) -> (u32, u32, u32, u32) {
        let x0 = self.xs.first().copied().unwrap_or(0);
        let x1 = self.xs.last().copied().unwrap_or(0);
        let y0 = self.bands.first().map_or(0, |b| b.y0);
        let y1 = self.bands.last().map_or(0, |b| b.y1);
        (x0, y0, x1, y1)
    }

    /// For each band, the logical column of every boundary (`None` where no
    /// rule is). Row groups of one table may have their rules shifted (a
    /// table continued with other column widths, rows stacked from several
    /// tables): the columns are counted in each band, and a band with fewer
    /// cells (merged across columns) takes the columns of the nearest band
    /// with the most cells, by the nearest rule.
    pub fn logical_columns(&self) -> Vec<Vec<Option<usize>>> {
        let present: Vec<Vec<usize>> = self
            .bands
            .iter()
            .map(|b| {
                (0..self.xs.len())
                    .filter(|&k| b.present.get(k).copied().unwrap_or(false))
                    .collect()
            })
            .collect();
        let most = present.iter().map(Vec::len).max().unwrap_or(0);
        let full: Vec<usize> = (0..present.len())
            .filter(|&i| present[i].len() == most)
            .collect();
        present
            .iter()
            .enumerate()
            .map(|(bi, ks)| {
                let mut out = vec![None; self.xs.len()];
                let reference = full
                    .iter()
                    .copied()
                    .min_by_key(|&f| f.abs_diff(bi))
                    .map(|f| &present[f]);
                let Some(reference) = reference else {
                    return out;
                };
                let mut last: Option<usize> = None;
                for &k in ks {
                    let x = self.xs[k];
                    let mut col = (0..reference.len())
                        .min_by_key(|&j| self.xs[reference[j]].abs_diff(x))
                        .unwrap_or(0);
                    // Columns only grow left to right.
                    if let Some(l) = last {
                        col = col.max(l + 1);
                    }
                    out[k] = Some(col);
                    last = Some(col);
                }
                out
            })
            .collect()
    }

    /// The cells band by band, left to right; a cell merged down several
    /// rows (no rule between its bands, the same boundaries) is one cell.
    pub fn cells(&self) -> Vec<GridCell> {
        let mut out: Vec<GridCell> = Vec::new();
        let mut above: Vec<usize> = Vec::new();
        for (bi, band) in self.bands.iter().enumerate() {
            let cuts: Vec<usize> = (0..self.xs.len())
                .filter(|&k| band.present.get(k).copied().unwrap_or(false))
                .collect();
            let mut now = Vec::new();
            for p in cuts.windows(2) {
                let (k0, k1) = (p[0], p[1]);
                let open = band.open_top.get(k0).copied().unwrap_or(false);
                let cont = above
                    .iter()
                    .copied()
                    .find(|&c| open && out[c].k0 == k0 && out[c].k1 == k1);
                match cont {
                    Some(c) => {
                        out[c].b1 = bi;
                        now.push(c);
                    }
                    None => {
                        out.push(GridCell {
                            k0,
                            k1,
                            b0: bi,
                            b1: bi,
                        });
                        now.push(out.len() - 1);
                    }
                }
            }
            above = now;
        }
        out
    }
}

/// A horizontal rule level: rule pieces at one height (a rule broken where
/// a cell is merged down across it is one level), pieces left to right.
#[derive(Debug, Clone)]
struct Level {
    y: u32,
    pieces: Vec<(u32, u32)>,
}

impl Level {
    fn x0(&self) -> u32 {
        self.pieces.first().map_or(0, |p| p.0)
    }
    fn x1(&self) -> u32 {
        self.pieces.iter().map(|p| p.1).max().unwrap_or(0)
    }
    /// The length of `x0..x1` covered by the rule.
    fn covered(&self, x0: u32, x1: u32) -> u32 {
        self.pieces
            .iter()
            .map(|&(a, b)| b.min(x1).saturating_sub(a.max(x0)))
            .sum()
    }
}

/// Builds table grids from ruling lines. `tol` is the snapping distance in pixels.
pub fn grids(h: &[HLine], v: &[VLine], tol: u32) -> Vec<Grid> {
    // Horizontal rules top to bottom: pieces at the same height (double
    // rules, a rule broken by a merged cell) make one level.
    let mut hs: Vec<HLine> = h.to_vec();
    hs.sort_by_key(|l| l.y());
    let mut levels: Vec<Level> = Vec::new();
    for l in hs {
        if let Some(last) = levels.last_mut() {
            if l.y().saturating_sub(last.y) <= tol {
                last.pieces.push((l.x0, l.x1));
                continue;
            }
        }
        levels.push(Level {
            y: l.y(),
            pieces: vec![(l.x0, l.x1)],
        });
    }
    for lv in &mut levels {
        lv.pieces.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for &(a, b) in &lv.pieces {
            match merged.last_mut() {
                Some(m) if a <= m.1 + tol => m.1 = m.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        lv.pieces = merged;
    }

    // Vertical rules spanning the gap between two rules, within their overlap.
    let spanning = |top: u32, bot: u32, left: u32, right: u32| -> Vec<u32> {
        let mut xs: Vec<u32> = v
            .iter()
            .filter(|l| {
                l.y0 <= top + tol
                    && l.y1 + tol >= bot
                    && l.x() + tol >= left
                    && l.x() <= right + tol
            })
            .map(|l| l.x())
            .collect();
        xs.sort_unstable();
        xs.dedup_by(|a, b| a.abs_diff(*b) <= tol);
        xs
    };

    // Consecutive levels whose gap is spanned by two or more verticals are a
    // row band: (top, bottom, verticals, the top level).
    type RawBand = (u32, u32, Vec<u32>, Option<usize>);
    let mut tables: Vec<Vec<RawBand>> = Vec::new();
    let mut open: Option<usize> = None; // index into tables of the table the previous band belongs to
    let mut last_bottom: Option<u32> = None;
    for i in 0..levels.len() {
        // The next level below that overlaps horizontally.
        let a = &levels[i];
        let Some(b) = levels[i + 1..]
            .iter()
            .find(|b| b.x0() < a.x1() && a.x0() < b.x1() && b.y > a.y + tol)
        else {
            continue;
        };
        // Over both rules' extent: a rule may stop short of a cell merged down across it.
        let xs = spanning(a.y, b.y, a.x0().min(b.x0()), a.x1().max(b.x1()));
        if xs.len() < 2 {
            continue;
        }
        let band = (a.y, b.y, xs, Some(i));
        match (open, last_bottom) {
            (Some(t), Some(lb)) if lb.abs_diff(a.y) <= tol => tables[t].push(band),
            _ => {
                tables.push(vec![band]);
                open = Some(tables.len() - 1);
            }
        }
        last_bottom = Some(b.y);
    }

    // Vertical rules running past the first or last rule: an open row (a row cut by a page end).
    let mut out = Vec::new();
    // An open row never reaches into the table above or below.
    let spans: Vec<(u32, u32)> = tables
        .iter()
        .map(|t| (t.first().map_or(0, |b| b.0), t.last().map_or(0, |b| b.1)))
        .collect();
    for (ti, mut bands) in tables.into_iter().enumerate() {
        let above = spans[..ti].iter().map(|s| s.1).max().unwrap_or(0);
        let below = spans[ti + 1..]
            .iter()
            .map(|s| s.0)
            .min()
            .unwrap_or(u32::MAX);
        let (x_left, x_right) = bands.iter().fold((u32::MAX, 0), |(l, r), b| {
            (
                l.min(*b.2.first().unwrap_or(&l)),
                r.max(*b.2.last().unwrap_or(&r)),
            )
        });
        let top = bands.first().map_or(0, |b| b.0);
        let bottom = bands.last().map_or(0, |b| b.1);
        let bottom_level = levels.iter().position(|l| l.y == bottom);
        let inside = |l: &&VLine| l.x() + tol >= x_left && l.x() <= x_right + tol;
        let lowest = v
            .iter()
            .filter(inside)
            .filter(|l| l.y0 <= bottom + tol)
            .map(|l| l.y1)
            .max()
            .unwrap_or(bottom)
            .min(below.max(bottom));
        if lowest > bottom + 4 * tol {
            let xs = spanning(bottom, lowest, x_left, x_right);
            if xs.len() >= 2 {
                bands.push((bottom, lowest, xs, bottom_level));
            }
        }
        let highest = v
            .iter()
            .filter(inside)
            .filter(|l| l.y1 + tol >= top)
            .map(|l| l.y0)
            .min()
            .unwrap_or(top)
            .max(above.min(top));
        if highest + 4 * tol < top {
            let xs = spanning(highest, top, x_left, x_right);
            if xs.len() >= 2 {
                bands.insert(0, (highest, top, xs, None));
            }
        }
        // Column boundaries: every band's verticals, snapped together.
        let mut all: Vec<u32> = bands.iter().flat_map(|b| b.2.iter().copied()).collect();
        all.sort_unstable();
        let mut xs: Vec<u32> = Vec::new();
        for x in all {
            if xs.last().is_none_or(|l| x.abs_diff(*l) > tol) {
                xs.push(x);
            }
        }
        let bands = bands
            .into_iter()
            .enumerate()
            .map(|(bi, (y0, y1, bx, lv))| {
                let present: Vec<bool> = xs
                    .iter()
                    .map(|x| bx.iter().any(|b| b.abs_diff(*x) <= tol))
                    .collect();
                // A cell with less than half of its top ruled continues the cell above.
                let open_top = (0..xs.len())
                    .map(|k| {
                        let Some(level) = lv.and_then(|i| levels.get(i)) else {
                            return false;
                        };
                        let Some(k1) = (k + 1..xs.len()).find(|&j| present[j]) else {
                            return false;
                        };
                        let (c0, c1) = (xs[k] + 2 * tol, xs[k1].saturating_sub(2 * tol));
                        bi > 0 && present[k] && c1 > c0 && level.covered(c0, c1) * 2 < c1 - c0
                    })
                    .collect();
                Band {
                    y0,
                    y1,
                    present,
                    open_top,
                }
            })
            .collect();
        out.push(Grid { xs, bands });
    }
    out
}

/// Column boundaries from word positions, for a table without rules: the
/// x-gaps that no word crosses in the region under a header line, with at
/// least three columns. Returns the grid (rows cut where the first column starts a new entry).
pub fn grid_from_words(
    words: &[Word],
    header_y: (i32, i32),
    page_bottom: i32,
    min_gap: i32,
) -> Option<Grid> {
    let region: Vec<&Word> = words
        .iter()
        .filter(|w| w.y0 >= header_y.0 && w.y1 <= page_bottom)
        .collect();
    if region.len() < 10 {
        return None;
    }
    let left = region.iter().map(|w| w.x0).min()?;
    let right = region.iter().map(|w| w.x1).max()?;
    let width = (right - left).max(1) as usize;
    let mut cover = vec![0u32; width + 1];
    for w in &region {
        for c in cover
            .iter_mut()
            .take((w.x1 - left) as usize)
            .skip((w.x0 - left) as usize)
        {
            *c += 1;
        }
    }
    // Gaps: runs of zero coverage at least `min_gap` wide.
    let mut xs = vec![left.max(0) as u32];
    let mut run_start: Option<usize> = None;
    for (i, &c) in cover.iter().enumerate() {
        if c == 0 {
            run_start.get_or_insert(i);
        } else if let Some(s) = run_start.take() {
            if (i - s) as i32 >= min_gap {
                xs.push((left + ((s + i) / 2) as i32) as u32);
            }
        }
    }
    xs.push(right.max(0) as u32);
    if xs.len() < 4 {
        return None;
    }
    // Rows: a new row where a word starts in the first column below the header.
    let first_col = (xs[0] as i32, xs[1] as i32);
    let mut starts: Vec<i32> = vec![header_y.0];
    let mut lines: Vec<i32> = region
        .iter()
        .filter(|w| w.cx() >= first_col.0 && w.cx() < first_col.1 && w.y0 > header_y.1)
        .map(|w| w.y0)
        .collect();
    lines.sort_unstable();
    for y in lines {
        if starts.last().is_none_or(|s| y - *s > 4) {
            starts.push(y - 2);
        }
    }
    starts.insert(1, header_y.1 + 1);
    starts.sort_unstable();
    starts.dedup();
    starts.push(page_bottom);
    let n = xs.len();
    let bands = starts
        .windows(2)
        .filter(|p| p[1] > p[0])
        .map(|p| Band {
            y0: p[0].max(0) as u32,
            y1: p[1].max(0) as u32,
            present: vec![true; n],
            open_top: vec![false; n],
        })
        .collect();
    Some(Grid { xs, bands })
}

/// Joins words into text: lines by vertical position, words left to right.
pub fn words_text(words: &mut [&Word]) -> String {
    if words.is_empty() {
        return String::new();
    }
    let mut hs: Vec<i32> = words.iter().map(|w| w.height()).collect();
    hs.sort_unstable();
    let med = hs[hs.len() / 2].max(4);
    words.sort_by_key(|w| (w.cy(), w.x0));
    let mut lines: Vec<Vec<&Word>> = Vec::new();
    let mut line_y = i32::MIN;
    for w in words.iter() {
        if lines.is_empty() || (w.cy() - line_y).abs() > med * 6 / 10 {
            lines.push(vec![w]);
            line_y = w.cy();
        } else if let Some(l) = lines.last_mut() {
            l.push(w);
            line_y = l.iter().map(|w| w.cy()).sum::<i32>() / l.len() as i32;
        }
    }
    let mut out = String::new();
    for mut l in lines {
        l.sort_by_key(|w| w.x0);
        let text = l
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // A code broken after its hyphen by the cell width ("VP-" / "TK") is one word.
        let glued = out.ends_with('-')
            && out.chars().rev().nth(1).is_some_and(char::is_alphanumeric)
            && text
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if !out.is_empty() && !glued {
            out.push('\n');
        }
        out.push_str(&text);
    }
    out
}

fn bbox(x0: u32, y0: u32, x1: u32, y1: u32) -> Option<BBox> {
    Some(BBox {
        x0: x0 as f32,
        y0: y0 as f32,
        x1: x1 as f32,
        y1: y1 as f32,
    })
}

fn mean_conf(ws: &[&Word]) -> Option<f32> {
    (!ws.is_empty()).then(|| ws.iter().map(|w| w.conf).sum::<f32>() / ws.len() as f32)
}

/// The words of one line left to right; a gap wider than twice the line's
/// height (two columns side by side) becomes three spaces, as text PDFs
/// give it.
fn line_text(l: &[&Word]) -> String {
    let mut hs: Vec<i32> = l.iter().map(|w| w.height()).collect();
    hs.sort_unstable();
    let h = hs.get(hs.len() / 2).copied().unwrap_or(0).max(1);
    // Pieces apart; a piece read with low confidence beside others is a
    // stamp's or a seal's marks, and is left out.
    let mut pieces: Vec<Vec<&Word>> = Vec::new();
    let mut prev: Option<i32> = None;
    for w in l {
        match (prev, pieces.last_mut()) {
            (Some(p), Some(piece)) if w.x0 - p <= 2 * h => piece.push(w),
            _ => pieces.push(vec![w]),
        }
        prev = Some(w.x1);
    }
    let sure = |p: &Vec<&Word>| p.iter().map(|w| w.conf).sum::<f32>() / (p.len() as f32) >= 0.5;
    if pieces.len() > 1 && pieces.iter().any(sure) {
        pieces.retain(sure);
    }
    pieces
        .iter()
        .map(|p| {
            p.iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("   ")
}

/// Lays out one page: tables from `grids`, paragraphs from the other words,
/// all in top-to-bottom order.
pub fn page_blocks(page: u32, words: &[Word], grids: &[Grid]) -> Vec<Block> {
    let mut placed = vec![false; words.len()];
    let mut blocks: Vec<(u32, Block)> = Vec::new();
    for g in grids {
        let (gx0, gy0, gx1, gy1) = g.bbox();
        // Each cell's words once (a cell merged down several rows gives its
        // text to every row it covers, as the DOCX reader does).
        let cells = g.cells();
        let texts: Vec<(String, Option<f32>)> = cells
            .iter()
            .map(|c| {
                let (x0, x1) = (g.xs[c.k0] as i32, g.xs[c.k1] as i32);
                let (y0, y1) = (g.bands[c.b0].y0 as i32, g.bands[c.b1].y1 as i32);
                let mut ws: Vec<&Word> = Vec::new();
                for (i, w) in words.iter().enumerate() {
                    let (cx, cy) = (w.cx(), w.cy());
                    if !placed[i] && cx >= x0 && cx < x1 && cy >= y0 && cy < y1 {
                        placed[i] = true;
                        ws.push(w);
                    }
                }
                (words_text(&mut ws), mean_conf(&ws))
            })
            .collect();
        let logical = g.logical_columns();
        let mut rows = Vec::new();
        for (bi, band) in g.bands.iter().enumerate() {
            let span = |c: &GridCell| {
                let cols = &logical[bi];
                match (cols[c.k0], cols[c.k1]) {
                    (Some(a), Some(b)) if b > a => (b - a) as u32,
                    _ => (c.k1 - c.k0) as u32,
                }
            };
            let mut here: Vec<(&GridCell, &(String, Option<f32>))> = cells
                .iter()
                .zip(&texts)
                .filter(|(c, _)| c.b0 <= bi && bi <= c.b1)
                .collect();
            here.sort_by_key(|(c, _)| c.k0);
            let cells: Vec<Cell> = here
                .into_iter()
                .map(|(c, (text, confidence))| Cell {
                    text: text.clone(),
                    colspan: span(c),
                    pos: Pos::on_page(page, bbox(g.xs[c.k0], band.y0, g.xs[c.k1], band.y1)),
                    confidence: *confidence,
                })
                .collect();
            if cells.is_empty() {
                continue;
            }
            rows.push(Row {
                cells,
                pos: Pos::on_page(page, bbox(gx0, band.y0, gx1, band.y1)),
            });
        }
        // Words inside the grid box but on no cell (on a rule) are dropped as noise.
        for (i, w) in words.iter().enumerate() {
            let (cx, cy) = (w.cx(), w.cy());
            if cx >= gx0 as i32 && cx <= gx1 as i32 && cy >= gy0 as i32 && cy <= gy1 as i32 {
                placed[i] = true;
            }
        }
        if !rows.is_empty() {
            blocks.push((
                gy0,
                Block::Table(Table {
                    rows,
                    pos: Pos::on_page(page, bbox(gx0, gy0, gx1, gy1)),
                }),
            ));
        }
    }
    // Remaining words: lines by tesseract's line numbers, paragraphs by vertical gaps.
    let rest: Vec<&Word> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| !placed[*i])
        .map(|(_, w)| w)
        .collect();
    let mut lines: Vec<Vec<&Word>> = Vec::new();
    for w in rest {
        match lines.iter_mut().rev().find(|l| l[0].line_key == w.line_key) {
            Some(l) => l.push(w),
            None => lines.push(vec![w]),
        }
    }
    // Split a tesseract line that the tables cut into pieces far apart in y.
    lines.sort_by_key(|l| l.iter().map(|w| w.y0).min().unwrap_or(0));
    // Lines of two columns read apart (header and signature blocks) at the
    // same height become one line again, the columns far apart in it.
    let span = |l: &[&Word]| {
        (
            l.iter().map(|w| w.x0).min().unwrap_or(0),
            l.iter().map(|w| w.y0).min().unwrap_or(0),
            l.iter().map(|w| w.x1).max().unwrap_or(0),
            l.iter().map(|w| w.y1).max().unwrap_or(0),
        )
    };
    let mut joined: Vec<Vec<&Word>> = Vec::new();
    for l in lines {
        let (x0, y0, x1, y1) = span(&l);
        let beside = joined.iter_mut().rev().take(4).find(|m| {
            let (a0, b0, a1, b1) = span(m);
            let overlap = y1.min(b1) - y0.max(b0);
            overlap * 2 > (y1 - y0).min(b1 - b0) && (x1 <= a0 || a1 <= x0)
        });
        match beside {
            Some(m) => m.extend(l),
            None => joined.push(l),
        }
    }
    let lines = joined;
    let mut para: Vec<Vec<&Word>> = Vec::new();
    let mut prev: Option<(i32, i32)> = None; // (bottom, height)
    let flush = |para: &mut Vec<Vec<&Word>>, blocks: &mut Vec<(u32, Block)>| {
        if para.is_empty() {
            return;
        }
        let all: Vec<&Word> = para.iter().flatten().copied().collect();
        let x0 = all.iter().map(|w| w.x0).min().unwrap_or(0).max(0) as u32;
        let y0 = all.iter().map(|w| w.y0).min().unwrap_or(0).max(0) as u32;
        let x1 = all.iter().map(|w| w.x1).max().unwrap_or(0).max(0) as u32;
        let y1 = all.iter().map(|w| w.y1).max().unwrap_or(0).max(0) as u32;
        let text = para
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l.sort_by_key(|w| w.x0);
                line_text(&l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        blocks.push((
            y0,
            Block::Paragraph(Paragraph {
                text,
                bold: false,
                pos: Pos::on_page(page, bbox(x0, y0, x1, y1)),
            }),
        ));
        para.clear();
    };
    for l in lines {
        let top = l.iter().map(|w| w.y0).min().unwrap_or(0);
        let bottom = l.iter().map(|w| w.y1).max().unwrap_or(0);
        let h = {
            let mut hs: Vec<i32> = l.iter().map(|w| w.height()).collect();
            hs.sort_unstable();
            hs[hs.len() / 2]
        };
        if let Some((pb, ph)) = prev {
            if top - pb > ph.max(h) * 7 / 10 {
                flush(&mut para, &mut blocks);
            }
        }
        para.push(l);
        prev = Some((bottom, h));
    }
    flush(&mut para, &mut blocks);
    blocks.sort_by_key(|(y, _)| *y);
    blocks.into_iter().map(|(_, b)| b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(t: &str, x0: i32, y0: i32) -> Word {
        Word {
            text: t.into(),
            conf: 0.9,
            x0,
            y0,
            x1: x0 + 10 * t.len() as i32,
            y1: y0 + 20,
            line_key: (1, 1, y0 as u32),
        }
    }

    #[test]
    fn words_fill_ruled_cells() {
        let h: Vec<HLine> = [100u32, 200, 300]
            .iter()
            .map(|&y| HLine {
                y0: y,
                y1: y + 2,
                x0: 50,
                x1: 650,
            })
            .collect();
        let v: Vec<VLine> = [50u32, 150, 650]
            .iter()
            .map(|&x| VLine {
                x0: x,
                x1: x + 2,
                y0: 100,
                y1: 302,
            })
            .collect();
        let g = grids(&h, &v, 6);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].bands.len(), 2);
        let words = vec![
            word("TT", 60, 120),
            word("Nội", 160, 120),
            word("dung", 200, 120),
            word("1", 60, 220),
            word("Việc", 160, 220),
            word("một", 160, 250),
            word("Số:", 60, 20),
        ];
        let blocks = page_blocks(1, &words, &g);
        assert_eq!(blocks.len(), 2);
        let Block::Table(t) = &blocks[1] else {
            panic!("table expected")
        };
        assert_eq!(t.rows[0].grid(), vec!["TT", "Nội dung"]);
        assert_eq!(t.rows[1].grid(), vec!["1", "Việc\nmột"]);
        let (a, b) = (word("VP-", 0, 0), word("TK", 0, 30));
        assert_eq!(words_text(&mut [&a, &b]), "VP-TK");
        assert!(t.rows[1].cells[1].confidence.is_some());
    }

    #[test]
    fn a_cell_merged_down_gives_its_text_to_every_row() {
        // Three columns; the rule at y = 200 stops short of the last column,
        // whose cell spans both rows.
        let mut h: Vec<HLine> = [100u32, 300]
            .iter()
            .map(|&y| HLine {
                y0: y,
                y1: y + 2,
                x0: 50,
                x1: 650,
            })
            .collect();
        h.push(HLine {
            y0: 200,
            y1: 202,
            x0: 50,
            x1: 400,
        });
        let v: Vec<VLine> = [50u32, 150, 400, 650]
            .iter()
            .map(|&x| VLine {
                x0: x,
                x1: x + 2,
                y0: 100,
                y1: 302,
            })
            .collect();
        let g = grids(&h, &v, 6);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].bands.len(), 2);
        let words = vec![
            word("1", 60, 120),
            word("Một", 160, 120),
            word("2", 60, 220),
            word("Hai", 160, 220),
            word("Sở", 420, 190),
        ];
        let blocks = page_blocks(1, &words, &g);
        let Block::Table(t) = &blocks[0] else {
            panic!("table expected")
        };
        assert_eq!(t.rows[0].grid(), vec!["1", "Một", "Sở"]);
        assert_eq!(t.rows[1].grid(), vec!["2", "Hai", "Sở"]);
    }
}

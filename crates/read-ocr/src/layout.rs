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
}

/// Builds table grids from ruling lines. `tol` is the snapping distance in pixels.
pub fn grids(h: &[HLine], v: &[VLine], tol: u32) -> Vec<Grid> {
    // Horizontal rules top to bottom, close duplicates (double rules) merged.
    let mut hs: Vec<HLine> = h.to_vec();
    hs.sort_by_key(|l| l.y());
    let mut merged: Vec<HLine> = Vec::new();
    for l in hs {
        if let Some(last) = merged.last_mut() {
            if l.y().saturating_sub(last.y()) <= tol && l.x0 < last.x1 && last.x0 < l.x1 {
                last.x0 = last.x0.min(l.x0);
                last.x1 = last.x1.max(l.x1);
                last.y1 = l.y1;
                continue;
            }
        }
        merged.push(l);
    }
    let hs = merged;

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

    // Consecutive rules (in y order) whose gap is spanned by two or more verticals are a row band.
    let mut tables: Vec<Vec<(u32, u32, Vec<u32>)>> = Vec::new();
    let mut open: Option<usize> = None; // index into tables of the table the previous band belongs to
    let mut last_bottom: Option<u32> = None;
    for i in 0..hs.len() {
        // The next rule below that overlaps horizontally.
        let a = hs[i];
        let Some(b) = hs[i + 1..]
            .iter()
            .find(|b| b.x0 < a.x1 && a.x0 < b.x1 && b.y() > a.y() + tol)
        else {
            continue;
        };
        let xs = spanning(a.y(), b.y(), a.x0.max(b.x0), a.x1.min(b.x1));
        if xs.len() < 2 {
            continue;
        }
        let band = (a.y(), b.y(), xs);
        match (open, last_bottom) {
            (Some(t), Some(lb)) if lb.abs_diff(a.y()) <= tol => tables[t].push(band),
            _ => {
                tables.push(vec![band]);
                open = Some(tables.len() - 1);
            }
        }
        last_bottom = Some(b.y());
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
                bands.push((bottom, lowest, xs));
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
                bands.insert(0, (highest, top, xs));
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
            .map(|(y0, y1, bx)| Band {
                y0,
                y1,
                present: xs
                    .iter()
                    .map(|x| bx.iter().any(|b| b.abs_diff(*x) <= tol))
                    .collect(),
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

/// Lays out one page: tables from `grids`, paragraphs from the other words,
/// all in top-to-bottom order.
pub fn page_blocks(page: u32, words: &[Word], grids: &[Grid]) -> Vec<Block> {
    let mut placed = vec![false; words.len()];
    let mut blocks: Vec<(u32, Block)> = Vec::new();
    for g in grids {
        let (gx0, gy0, gx1, gy1) = g.bbox();
        let mut rows = Vec::new();
        for band in &g.bands {
            // Cells: between consecutive present boundaries.
            let cuts: Vec<usize> = (0..g.xs.len()).filter(|&k| band.present[k]).collect();
            let mut cells = Vec::new();
            for pair in cuts.windows(2) {
                let (x0, x1) = (g.xs[pair[0]], g.xs[pair[1]]);
                let mut ws: Vec<&Word> = Vec::new();
                for (i, w) in words.iter().enumerate() {
                    let (cx, cy) = (w.cx(), w.cy());
                    if !placed[i]
                        && cx >= x0 as i32
                        && cx < x1 as i32
                        && cy >= band.y0 as i32
                        && cy < band.y1 as i32
                    {
                        placed[i] = true;
                        ws.push(w);
                    }
                }
                let confidence = mean_conf(&ws);
                let text = words_text(&mut ws);
                cells.push(Cell {
                    text,
                    colspan: (pair[1] - pair[0]) as u32,
                    pos: Pos::on_page(page, bbox(x0, band.y0, x1, band.y1)),
                    confidence,
                });
            }
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
                l.iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
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
}

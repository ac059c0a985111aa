//! One engine call per page, table columns read apart: the page is cut into
//! strips (each table column of each run of rows with the same cell layout,
//! and the running text between tables), the strips are stacked into one
//! tall image, recognised with one engine call, and word boxes are mapped back.
//! Stacking keeps text lines of neighbouring cells (at different heights)
//! from being read as one line, and keeps lone row numbers that a layout
//! analysis would drop as noise.

use crate::engine::Word;
use crate::layout::Grid;
use crate::raster::Gray;

/// A region of the page and where it sits in the stacked image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strip {
    /// Left edge on the page.
    pub x0: u32,
    /// Top edge on the page.
    pub y0: u32,
    /// Right edge on the page (exclusive).
    pub x1: u32,
    /// Bottom edge on the page (exclusive).
    pub y1: u32,
    /// Top edge in the stacked image.
    pub at: u32,
}

/// Cuts the page into strips: table cells column by column, the rest in slabs.
pub fn cut(img: &Gray, grids: &[Grid], inset: u32) -> Vec<(u32, u32, u32, u32)> {
    let mut out = Vec::new();
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for g in grids {
        let (_, gy0, _, gy1) = g.bbox();
        spans.push((gy0, gy1));
        // Every cell on its own: lines of neighbouring cells never meet.
        // A cell merged down several rows is one strip.
        for c in g.cells() {
            let (y0, y1) = (g.bands[c.b0].y0, g.bands[c.b1].y1);
            let (x0, x1) = (g.xs[c.k0] + inset, g.xs[c.k1].saturating_sub(inset));
            let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2);
            // A cell another grid already gave (overlapping grids) is read once.
            let seen = out
                .iter()
                .any(|r: &(u32, u32, u32, u32)| cx >= r.0 && cx < r.2 && cy >= r.1 && cy < r.3);
            if x1 > x0 + 4 && y1 > y0 + 2 * inset + 4 && !seen {
                out.push((x0, y0 + inset, x1, y1 - inset));
            }
        }
    }
    // Slabs of the page above, between and below the tables.
    spans.sort_unstable();
    let mut y = 0;
    for (a, b) in spans
        .into_iter()
        .chain(std::iter::once((img.height, img.height)))
    {
        if a > y + 8 {
            out.push((0, y, img.width, a));
        }
        y = y.max(b);
    }
    out
}

/// Splits a full-width region of running text where its lines run in two
/// columns side by side (the header block "BỘ CÔNG AN | CỘNG HÒA …", the
/// signature block "Nơi nhận: | KT. CHỦ TỊCH"): a run of text lines whose
/// blank columns share a gap at least `min_gap` wide (with ink on both sides)
/// becomes a left and a right region, read apart; other lines stay whole.
/// Regions are returned top to bottom.
pub fn split_columns(
    img: &Gray,
    r: (u32, u32, u32, u32),
    thr: u8,
    min_gap: u32,
) -> Vec<(u32, u32, u32, u32)> {
    let (x0, y0, x1, y1) = (r.0, r.1, r.2.min(img.width), r.3.min(img.height));
    if x1 <= x0 + 4 * min_gap || y1 <= y0 {
        return vec![r];
    }
    const CELL: u32 = 4;
    let bridge = (min_gap / 10).max(2);
    let cols = ((x1 - x0) / CELL) as usize;
    // Text lines: runs of rows with ink, with each line's inked column cells.
    let mut lines: Vec<(u32, u32, Vec<bool>)> = Vec::new();
    let mut cur: Option<(u32, u32, Vec<bool>)> = None;
    for y in y0..y1 {
        let row = &img.data[(y * img.width) as usize..][..img.width as usize];
        let mut n = 0;
        let mut ink = vec![false; cols];
        for (c, k) in ink.iter_mut().enumerate() {
            let a = x0 as usize + c * CELL as usize;
            if row[a..a + CELL as usize].iter().any(|&v| v < thr) {
                *k = true;
                n += 1;
            }
        }
        match (&mut cur, n >= 2) {
            (Some(l), true) => {
                l.1 = y + 1;
                for (a, b) in l.2.iter_mut().zip(&ink) {
                    *a |= *b;
                }
            }
            (None, true) => cur = Some((y, y + 1, ink)),
            // A short blank (between accents and letters) does not end a line.
            (Some(l), false) if y < l.1 + bridge => {}
            (Some(_), false) => lines.extend(cur.take()),
            (None, false) => {}
        }
    }
    lines.extend(cur);
    let need = (min_gap / CELL) as usize;
    // The widest blank run inside the inked span of `ink`, with at least
    // `need` inked cells on each side: (start, end) in cells.
    let gap_of = |ink: &[bool]| -> Option<(usize, usize)> {
        let first = ink.iter().position(|&k| k)?;
        let last = ink.iter().rposition(|&k| k)?;
        let mut best: Option<(usize, usize)> = None;
        let mut start: Option<usize> = None;
        for (c, &k) in ink.iter().enumerate().take(last + 1).skip(first) {
            if !k {
                start.get_or_insert(c);
            } else if let Some(s) = start.take() {
                let left = ink[first..s].iter().filter(|&&k| k).count();
                let right = ink[c..=last].iter().filter(|&&k| k).count();
                if c - s >= need
                    && left >= need
                    && right >= need
                    && best.is_none_or(|b| c - s > b.1 - b.0)
                {
                    best = Some((s, c));
                }
            }
        }
        best
    };
    let mut out = Vec::new();
    let mut top = y0;
    let mut i = 0;
    while i < lines.len() {
        let Some(mut gap) = gap_of(&lines[i].2) else {
            i += 1;
            continue;
        };
        // Extend the zone over the following lines that share the gap.
        let mut blank: Vec<bool> = lines[i].2.iter().map(|k| !k).collect();
        let mut j = i + 1;
        while j < lines.len() {
            let both: Vec<bool> = blank
                .iter()
                .zip(&lines[j].2)
                .map(|(b, k)| *b && !k)
                .collect();
            let ink: Vec<bool> = both.iter().map(|b| !b).collect();
            match gap_of(&ink) {
                Some(g) => {
                    blank = both;
                    gap = g;
                    j += 1;
                }
                None => break,
            }
        }
        // Cut halfway to the neighbouring lines.
        let zy0 = match i {
            0 => top.max(lines[i].0.saturating_sub(bridge)),
            _ => (lines[i - 1].1 + lines[i].0) / 2,
        };
        let zy1 = match lines.get(j) {
            Some(next) => (lines[j - 1].1 + next.0) / 2,
            None => (lines[j - 1].1 + bridge).min(y1),
        };
        let split = x0 + ((gap.0 + gap.1) as u32 * CELL) / 2;
        if zy0 > top {
            out.push((x0, top, x1, zy0));
        }
        out.push((x0, zy0, split, zy1));
        out.push((split, zy0, x1, zy1));
        top = zy1;
        i = j;
    }
    if out.is_empty() {
        return vec![r];
    }
    if y1 > top {
        out.push((x0, top, x1, y1));
    }
    out
}

/// A region trimmed to its ink (with `margin`), or `None` when it has none.
/// Lone specks (fewer than 3 ink pixels in a row) do not count.
fn trim(img: &Gray, r: (u32, u32, u32, u32), thr: u8, margin: u32) -> Option<(u32, u32, u32, u32)> {
    let (x0, y0, x1, y1) = (r.0, r.1, r.2.min(img.width), r.3.min(img.height));
    let mut bb: Option<(u32, u32, u32, u32)> = None;
    for y in y0..y1 {
        let row = &img.data[(y * img.width) as usize..][..img.width as usize];
        let inked: Vec<u32> = (x0..x1).filter(|&x| row[x as usize] < thr).collect();
        if inked.len() < 3 {
            continue;
        }
        let (a, b) = (inked[0], inked[inked.len() - 1]);
        bb = Some(match bb {
            None => (a, y, b, y),
            Some(o) => (o.0.min(a), o.1.min(y), o.2.max(b), o.3.max(y)),
        });
    }
    let (a, b, c, d) = bb?;
    Some((
        a.saturating_sub(margin).max(x0),
        b.saturating_sub(margin).max(y0),
        (c + 1 + margin).min(x1),
        (d + 1 + margin).min(y1),
    ))
}

/// Stacks the inked regions (trimmed) into one image with `gap` white pixels between them.
pub fn stack(
    img: &Gray,
    regions: &[(u32, u32, u32, u32)],
    thr: u8,
    gap: u32,
) -> (Gray, Vec<Strip>) {
    let kept: Vec<(u32, u32, u32, u32)> = regions
        .iter()
        .filter_map(|r| trim(img, *r, thr, gap / 3))
        .collect();
    sheet(img, &kept, gap)
}

/// [`stack`] into as many images as needed so that none is taller than
/// `max_height` (a region taller than that alone is cut into slabs): the
/// engine refuses images with a side over 32,767 pixels, and a dense table
/// page at 300 dpi stacks to more.
pub fn stack_sheets(
    img: &Gray,
    regions: &[(u32, u32, u32, u32)],
    thr: u8,
    gap: u32,
    max_height: u32,
) -> Vec<(Gray, Vec<Strip>)> {
    let room = max_height.max(4 * gap + 16) - 2 * gap;
    let mut kept: Vec<(u32, u32, u32, u32)> = Vec::new();
    for r in regions.iter().filter_map(|r| trim(img, *r, thr, gap / 3)) {
        let mut y = r.1;
        while r.3 - y > room {
            kept.push((r.0, y, r.2, y + room));
            y += room;
        }
        kept.push((r.0, y, r.2, r.3));
    }
    let mut sheets = Vec::new();
    let mut group: Vec<(u32, u32, u32, u32)> = Vec::new();
    let mut height = gap;
    for r in kept {
        let h = r.3 - r.1 + gap;
        if !group.is_empty() && height + h > max_height {
            sheets.push(sheet(img, &group, gap));
            group.clear();
            height = gap;
        }
        group.push(r);
        height += h;
    }
    if !group.is_empty() || sheets.is_empty() {
        sheets.push(sheet(img, &group, gap));
    }
    sheets
}

/// The regions (already trimmed) stacked into one image.
fn sheet(img: &Gray, kept: &[(u32, u32, u32, u32)], gap: u32) -> (Gray, Vec<Strip>) {
    let kept = kept.to_vec();
    let width = kept.iter().map(|r| r.2 - r.0).max().unwrap_or(1) + 2 * gap;
    let height = kept.iter().map(|r| r.3 - r.1 + gap).sum::<u32>() + gap;
    let mut out = Gray::filled(width, height.max(1), 255);
    let mut strips = Vec::new();
    let mut at = gap;
    for (x0, y0, x1, y1) in kept {
        for y in y0..y1 {
            let src = (y * img.width + x0) as usize;
            let dst = ((at + y - y0) * width + gap) as usize;
            out.data[dst..dst + (x1 - x0) as usize]
                .copy_from_slice(&img.data[src..src + (x1 - x0) as usize]);
        }
        strips.push(Strip { x0, y0, x1, y1, at });
        at += y1 - y0 + gap;
    }
    (out, strips)
}

/// Maps words of the stacked image back onto the page; a word's line key
/// gets the strip's index in front so lines never join across strips.
pub fn unstack(words: Vec<Word>, strips: &[Strip], gap: u32) -> Vec<Word> {
    words
        .into_iter()
        .filter_map(|mut w| {
            let cy = w.cy().max(0) as u32;
            let (i, s) = strips
                .iter()
                .enumerate()
                .find(|(_, s)| cy >= s.at && cy < s.at + (s.y1 - s.y0))?;
            let dx = s.x0 as i32 - gap as i32;
            let dy = s.y0 as i32 - s.at as i32;
            w.x0 += dx;
            w.x1 += dx;
            w.y0 += dy;
            w.y1 += dy;
            w.line_key = (
                (i as u32).wrapping_mul(1000).wrapping_add(w.line_key.0),
                w.line_key.1,
                w.line_key.2,
            );
            Some(w)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Band;

    #[test]
    fn stacks_and_maps_back() {
        let mut img = Gray::filled(200, 300, 255);
        for x in 50..60 {
            img.data[(150 * 200 + x) as usize] = 0;
            img.data[(20 * 200 + x - 30) as usize] = 0;
        }
        let g = Grid {
            xs: vec![10, 100, 190],
            bands: vec![Band {
                y0: 100,
                y1: 200,
                present: vec![true; 3],
                open_top: vec![false; 3],
            }],
        };
        let regions = cut(&img, &[g], 2);
        assert_eq!(regions.len(), 4);
        let (stacked, strips) = stack(&img, &regions, 128, 10);
        assert_eq!(strips.len(), 2);
        assert!(stacked.width < 200);
        let s = strips[0];
        let w = Word {
            text: "x".into(),
            conf: 1.0,
            x0: 10 + 5,
            y0: s.at as i32 + 3,
            x1: 10 + 9,
            y1: s.at as i32 + 9,
            line_key: (1, 1, 1),
        };
        let back = unstack(vec![w], &strips, 10);
        assert_eq!((back[0].x0, back[0].y0), (s.x0 as i32 + 5, s.y0 as i32 + 3));
    }

    #[test]
    fn tall_stacks_are_split_into_sheets() {
        // 60 inked cells of 100 rows each: 60 * 110 + 10 rows stacked.
        let mut img = Gray::filled(50, 6000, 255);
        for y in 0..6000 {
            if y % 100 > 10 && y % 100 < 90 {
                img.data[(y * 50 + 20) as usize..(y * 50 + 30) as usize].fill(0);
            }
        }
        let regions: Vec<(u32, u32, u32, u32)> =
            (0..60).map(|i| (0, i * 100, 50, i * 100 + 100)).collect();
        let sheets = stack_sheets(&img, &regions, 128, 10, 2000);
        assert!(sheets.len() >= 3, "{}", sheets.len());
        assert!(sheets.iter().all(|(g, _)| g.height <= 2000));
        assert_eq!(sheets.iter().map(|(_, s)| s.len()).sum::<usize>(), 60);
        // One region taller than a sheet is cut into slabs.
        let tall = stack_sheets(&img, &[(0, 0, 50, 6000)], 128, 10, 2000);
        assert!(tall.len() >= 3 && tall.iter().all(|(g, _)| g.height <= 2000));
    }
}

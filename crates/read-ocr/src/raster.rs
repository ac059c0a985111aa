//! Grey page bitmaps: decoding, binarisation, skew estimate and rotation,
//! ruling-line detection.

use crate::OcrError;

/// An 8-bit grey bitmap, row-major, 0 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` samples.
    pub data: Vec<u8>,
}

/// The largest side a page bitmap keeps; larger images are scaled down (bounded time and memory).
pub const MAX_SIDE: u32 = 7000;

impl Gray {
    /// A bitmap filled with one value.
    pub fn filled(width: u32, height: u32, v: u8) -> Self {
        Gray {
            width,
            height,
            data: vec![v; width as usize * height as usize],
        }
    }

    /// Decodes PNG, JPEG or TIFF bytes (the first frame) to grey.
    pub fn decode(bytes: &[u8]) -> Result<Self, OcrError> {
        let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes));
        reader = reader
            .with_guessed_format()
            .map_err(|e| OcrError::Image(e.to_string()))?;
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(1 << 30);
        reader.limits(limits);
        let img = reader
            .decode()
            .map_err(|e| OcrError::Image(e.to_string()))?;
        if img.color().has_color() {
            let rgb = img.into_rgb8();
            let (w, h) = rgb.dimensions();
            return Ok(Gray::from_rgb(w, h, rgb.as_raw()).bounded());
        }
        let g = img.into_luma8();
        let (w, h) = g.dimensions();
        Ok(Gray {
            width: w,
            height: h,
            data: g.into_raw(),
        }
        .bounded())
    }

    /// A grey page from RGB samples (`width * height * 3`), with coloured
    /// marks taken out: the red and blue of seals, stamps and signatures
    /// become paper, black print (also where a seal lies over it) stays.
    pub fn from_rgb(width: u32, height: u32, rgb: &[u8]) -> Self {
        let mut out = Gray::filled(width, height, 255);
        for (o, px) in out.data.iter_mut().zip(rgb.chunks_exact(3)) {
            *o = grey_without_colour(px[0], px[1], px[2]);
        }
        out
    }

    /// Scales the bitmap down (by an integer factor, box filter) when a side exceeds [`MAX_SIDE`].
    pub fn bounded(self) -> Self {
        let side = self.width.max(self.height);
        if side <= MAX_SIDE {
            return self;
        }
        let f = side.div_ceil(MAX_SIDE);
        self.shrink(f)
    }

    /// Box-filter reduction by an integer factor.
    pub fn shrink(&self, f: u32) -> Self {
        let f = f.max(1);
        let (w, h) = (self.width / f, self.height / f);
        let mut out = Gray::filled(w.max(1), h.max(1), 255);
        if w == 0 || h == 0 {
            return out;
        }
        for y in 0..h {
            for x in 0..w {
                let mut sum = 0u32;
                for dy in 0..f {
                    let row = ((y * f + dy) * self.width) as usize;
                    for dx in 0..f {
                        sum += self.data[row + (x * f + dx) as usize] as u32;
                    }
                }
                out.data[(y * w + x) as usize] = (sum / (f * f)) as u8;
            }
        }
        out
    }

    /// Bilinear enlargement by an integer factor (small print reads better
    /// larger). Fixed point: 8-bit weights, the same for every row (column)
    /// at the same place within its source pixel, found once.
    pub fn enlarged(&self, f: u32) -> Self {
        let f = f.max(1);
        if f == 1 || self.width == 0 || self.height == 0 {
            return self.clone();
        }
        let (w, h) = (self.width * f, self.height * f);
        let mut out = Gray::filled(w, h, 255);
        // For each output column (row): the two source columns (rows) and
        // the weight of the second, 0..=256.
        let taps = |len: u32, out_len: u32| -> Vec<(usize, usize, i32)> {
            let max = (len - 1) as f64;
            (0..out_len)
                .map(|o| {
                    let s = ((f64::from(o) + 0.5) / f64::from(f) - 0.5).clamp(0.0, max);
                    let i0 = s.floor() as u32;
                    let weight = ((s - f64::from(i0)) * 256.0).round() as i32;
                    (i0 as usize, (i0 + 1).min(len - 1) as usize, weight)
                })
                .collect()
        };
        let (cols, rows) = (taps(self.width, w), taps(self.height, h));
        let sw = self.width as usize;
        for (row, &(y0, y1, fy)) in out.data.chunks_exact_mut(w as usize).zip(&rows) {
            let (a, b) = (&self.data[y0 * sw..][..sw], &self.data[y1 * sw..][..sw]);
            for (o, &(x0, x1, fx)) in row.iter_mut().zip(&cols) {
                let (p00, p10) = (i32::from(a[x0]), i32::from(a[x1]));
                let (p01, p11) = (i32::from(b[x0]), i32::from(b[x1]));
                let top = (p00 << 8) + (p10 - p00) * fx;
                let bottom = (p01 << 8) + (p11 - p01) * fx;
                *o = (((top << 8) + (bottom - top) * fy + (1 << 15)) >> 16) as u8;
            }
        }
        out
    }

    /// Sample at (x, y).
    #[inline]
    pub fn get(&self, x: u32, y: u32) -> u8 {
        self.data[(y * self.width + x) as usize]
    }

    /// Binary PGM (P5) bytes, the engine's input.
    pub fn to_pgm(&self) -> Vec<u8> {
        let mut out = format!("P5\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.data);
        out
    }

    /// The header of an uncompressed 8-bit grey TIFF of this bitmap at
    /// `dpi` (little-endian, one strip); the samples follow it as they are.
    pub fn tiff_header(&self, dpi: u32) -> Vec<u8> {
        const SHORT: u16 = 3;
        const LONG: u16 = 4;
        const RATIONAL: u16 = 5;
        // Header (8), entry count (2), 12 entries (12 each), next IFD (4), two rationals (16).
        let entries: u32 = 12;
        let ifd_end = 8 + 2 + 12 * entries + 4;
        let data_at = ifd_end + 16;
        let tags: [(u16, u16, u32); 12] = [
            (256, LONG, self.width),
            (257, LONG, self.height),
            (258, SHORT, 8),
            (259, SHORT, 1),
            (262, SHORT, 1),
            (273, LONG, data_at),
            (277, SHORT, 1),
            (278, LONG, self.height),
            (279, LONG, self.width.saturating_mul(self.height)),
            (282, RATIONAL, ifd_end),
            (283, RATIONAL, ifd_end + 8),
            (296, SHORT, 2),
        ];
        let mut out = Vec::with_capacity(data_at as usize);
        out.extend_from_slice(b"II*\0");
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&(entries as u16).to_le_bytes());
        for (tag, kind, value) in tags {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            if kind == SHORT {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
        for _ in 0..2 {
            out.extend_from_slice(&dpi.max(1).to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
        }
        out
    }

    /// The number of samples at each grey level.
    pub fn histogram(&self) -> [u64; 256] {
        // Four tables counted in turn: no update waits on the one before.
        let mut total = [0u64; 256];
        for block in self.data.chunks(1 << 30) {
            let mut lanes = [[0u32; 256]; 4];
            let mut quads = block.chunks_exact(4);
            for q in &mut quads {
                lanes[0][q[0] as usize] += 1;
                lanes[1][q[1] as usize] += 1;
                lanes[2][q[2] as usize] += 1;
                lanes[3][q[3] as usize] += 1;
            }
            for &v in quads.remainder() {
                lanes[0][v as usize] += 1;
            }
            for (i, t) in total.iter_mut().enumerate() {
                *t += lanes.iter().map(|l| l[i] as u64).sum::<u64>();
            }
        }
        total
    }

    /// The grey level that best separates ink from paper (Otsu).
    pub fn otsu(&self) -> u8 {
        otsu_level(&self.histogram())
    }

    /// The ink threshold: Otsu, kept away from the extremes of a near-blank page.
    pub fn ink_threshold(&self) -> u8 {
        ink_threshold_of(&self.histogram())
    }

    /// The paper's grey level: the most common level lighter than `thr`.
    pub fn paper_level(&self, thr: u8) -> u8 {
        paper_level_of(&self.histogram(), thr)
    }

    /// The threshold for ruling lines: thin rules come out lighter than text
    /// strokes after scanning, so it sits closer to the paper.
    pub fn rule_threshold(&self, thr: u8) -> u8 {
        rule_threshold_for(self.paper_level(thr), thr)
    }

    /// Share of pixels darker than `thr`.
    pub fn ink_share(&self, thr: u8) -> f64 {
        if self.data.is_empty() {
            return 0.0;
        }
        self.data.iter().filter(|&&v| v < thr).count() as f64 / self.data.len() as f64
    }

    /// The page turned by 180 degrees.
    pub fn rotated_180(&self) -> Self {
        let mut data = self.data.clone();
        data.reverse();
        Gray {
            width: self.width,
            height: self.height,
            data,
        }
    }

    /// The page rotated by `deg` degrees about its centre (positive turns the
    /// content clockwise on screen), bilinear, paper-white outside.
    pub fn rotated(&self, deg: f64) -> Self {
        let (w, h) = (self.width as i64, self.height as i64);
        let mut out = Gray::filled(self.width, self.height, 255);
        let (s, c) = deg.to_radians().sin_cos();
        let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
        let (wi, hi) = (w as usize, h as usize);
        if wi == 0 {
            return out;
        }
        let (step_x, step_y) = (c as f32, -s as f32);
        for (y, row) in out.data.chunks_exact_mut(wi).enumerate() {
            let dy = y as f64 - cy;
            // Inverse mapping: source = R(-deg) * (dest - centre) + centre,
            // stepped along the row.
            let mut sx = (cx + dy * s - cx * c) as f32;
            let mut sy = (cy + dy * c + cx * s) as f32;
            for px in row.iter_mut() {
                if sx >= 0.0 && sy >= 0.0 && (sx as usize) + 1 < wi && (sy as usize) + 1 < hi {
                    let (x0, y0) = (sx as usize, sy as usize);
                    let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
                    let i = y0 * wi + x0;
                    let (a, b) = (&self.data[i..i + 2], &self.data[i + wi..i + wi + 2]);
                    let (p00, p10) = (a[0] as f32, a[1] as f32);
                    let (p01, p11) = (b[0] as f32, b[1] as f32);
                    let top = p00 + (p10 - p00) * fx;
                    let bottom = p01 + (p11 - p01) * fx;
                    *px = (top + (bottom - top) * fy + 0.5) as u8;
                }
                sx += step_x;
                sy += step_y;
            }
        }
        out
    }

    /// Estimates the skew of text lines and rules, in degrees (the angle
    /// [`Gray::rotated`] must turn by to straighten the page), within ±`range`.
    pub fn skew_degrees(&self, thr: u8, range: f64) -> f64 {
        // Ink points on a reduced grid (every `step`-th pixel).
        let step = (self.width.max(self.height) / 1200).max(1);
        let mut pts: Vec<(f32, f32)> = Vec::new();
        let mut y = 0;
        while y < self.height {
            let mut x = 0;
            while x < self.width {
                if self.get(x, y) < thr {
                    pts.push((x as f32, y as f32));
                }
                x += step;
            }
            y += step;
        }
        if pts.len() < 200 {
            return 0.0;
        }
        if pts.len() > 400_000 {
            let keep = pts.len() / 400_000 + 1;
            pts = pts.into_iter().step_by(keep).collect();
        }
        let bins = (self.height / step + 1) as usize;
        // The coarse search looks at a sample of the points, the fine one at all.
        let sample: Vec<(f32, f32)> = pts
            .iter()
            .copied()
            .step_by(pts.len() / 50_000 + 1)
            .collect();
        let score = |pts: &[(f32, f32)], deg: f64| -> f64 {
            let t = deg.to_radians().tan() as f32;
            let mut hist = vec![0u32; bins * 2 + 8];
            let off = bins as f32;
            for &(x, y) in pts {
                let yy = (y - x * t) / step as f32 + off;
                if yy >= 0.0 && (yy as usize) < hist.len() {
                    hist[yy as usize] += 1;
                }
            }
            hist.iter().map(|&c| (c as f64) * (c as f64)).sum()
        };
        let mut best = (0.0f64, score(&sample, 0.0));
        let mut a = -range;
        while a <= range + 1e-9 {
            let s = score(&sample, a);
            if s > best.1 {
                best = (a, s);
            }
            a += 0.1;
        }
        let centre = best.0;
        best = (centre, score(&pts, centre));
        let mut a = centre - 0.1;
        while a <= centre + 0.1 + 1e-9 {
            let s = score(&pts, a);
            if s > best.1 {
                best = (a, s);
            }
            a += 0.02;
        }
        // Ink along y = x*tan(a) + b is straightened by turning the content by -a.
        -best.0
    }

    /// The page turned by 90 degrees clockwise (a sheet scanned sideways).
    pub fn rotated_90(&self) -> Self {
        let (w, h) = (self.width as usize, self.height as usize);
        let mut out = Gray::filled(self.height, self.width, 255);
        // Output (x, y) takes source (y, h - 1 - x).
        for (y, row) in out.data.chunks_exact_mut(h.max(1)).enumerate() {
            for (x, px) in row.iter_mut().enumerate() {
                *px = self.data[(h - 1 - x) * w + y];
            }
        }
        out
    }

    /// How strongly the ink lies in horizontal text lines, against the same
    /// page turned by 90°: `(rows, columns)`, the roughness of the ink's
    /// projection profile down the rows and along the columns, at about
    /// 75 dpi, leaving out ruling lines (runs longer than half an inch).
    /// Text lines give a row profile that alternates between lines and gaps;
    /// across the lines (columns) it is smooth. A page whose columns are
    /// rougher than its rows lies sideways.
    pub fn line_profiles(&self, thr: u8, dpi: u32) -> (f64, f64) {
        let f = (dpi / 75).max(1) as usize;
        let (w, h) = (self.width as usize, self.height as usize);
        if w < 8 * f || h < 8 * f {
            return (0.0, 0.0);
        }
        let ink: Vec<bool> = self.data.iter().map(|&v| v < thr).collect();
        let long = (dpi / 2).max(24) as usize;
        // Ink in runs longer than `long` along rows or down columns (rules) is left out.
        let mut keep = ink.clone();
        for y in 0..h {
            let row = &ink[y * w..(y + 1) * w];
            let mut x = 0;
            while x < w {
                if !row[x] {
                    x += 1;
                    continue;
                }
                let s = x;
                while x < w && row[x] {
                    x += 1;
                }
                if x - s > long {
                    keep[y * w + s..y * w + x].fill(false);
                }
            }
        }
        let mut run = vec![0u32; w];
        for y in 0..=h {
            for x in 0..w {
                if y < h && ink[y * w + x] {
                    run[x] += 1;
                    continue;
                }
                let r = run[x] as usize;
                if r > long {
                    for yy in y - r..y {
                        keep[yy * w + x] = false;
                    }
                }
                run[x] = 0;
            }
        }
        let (w, h, keep) = (w / f, h / f, {
            // Ink counts in f×f cells.
            let mut cells = vec![0f64; (w / f) * (h / f)];
            let (cw, ch) = (w / f, h / f);
            for y in 0..ch * f {
                for x in 0..cw * f {
                    if keep[y * w + x] {
                        cells[(y / f) * cw + x / f] += 1.0;
                    }
                }
            }
            cells
        });
        // Profiles of narrow bands (an eighth of the page across): a line
        // skewed by a few degrees still stands out within a band.
        const BANDS: usize = 24;
        let (bw, bh) = (w.div_ceil(BANDS), h.div_ceil(BANDS));
        let mut rows = vec![0f64; h * BANDS];
        let mut cols = vec![0f64; w * BANDS];
        for y in 0..h {
            for x in 0..w {
                let v = keep[y * w + x];
                rows[(x / bw) * h + y] += v;
                cols[(y / bh) * w + x] += v;
            }
        }
        // The share of a band's profile, between its first and last ink,
        // that is (nearly) empty: the gaps between text lines.
        let gaps = |p: &[f64], len: usize| -> f64 {
            let (mut empty, mut span) = (0usize, 0usize);
            for b in p.chunks(len) {
                let Some(first) = b.iter().position(|&v| v > 0.0) else {
                    continue;
                };
                let last = b.iter().rposition(|&v| v > 0.0).unwrap_or(first);
                let inner = &b[first..=last];
                let mean = inner.iter().sum::<f64>() / inner.len() as f64;
                let low = (mean * 0.08).max(1.0);
                empty += inner.iter().filter(|&&v| v <= low).count();
                span += inner.len();
            }
            if span == 0 {
                0.0
            } else {
                empty as f64 / span as f64
            }
        };
        (gaps(&rows, h), gaps(&cols, w))
    }

    /// Stretches grey levels so that the paper (`paper` and lighter) becomes
    /// pure white: pieces of the page cut out and laid on white show no edges.
    pub fn whiten(&mut self, paper: u8) {
        let top = (paper as u32).saturating_sub(6).max(32);
        let mut lut = [0u8; 256];
        for (i, l) in lut.iter_mut().enumerate() {
            *l = ((i as u32 * 255) / top).min(255) as u8;
        }
        for v in self.data.iter_mut() {
            *v = lut[*v as usize];
        }
    }

    /// Paints the given boxes white (ruling lines before recognition).
    pub fn erase(&mut self, boxes: &[(u32, u32, u32, u32)]) {
        for &(x0, y0, x1, y1) in boxes {
            for y in y0.min(self.height)..y1.min(self.height) {
                let row = (y * self.width) as usize;
                for x in x0.min(self.width)..x1.min(self.width) {
                    self.data[row + x as usize] = 255;
                }
            }
        }
    }
}

/// The grey level of one colour sample with coloured ink taken out. Grey
/// and black samples keep their luminance. A saturated sample (red or blue
/// ink) is lifted towards white by its saturation (the spread of its
/// channels): a red seal or a blue signature stroke becomes (nearly) paper,
/// while black print under a seal, dark in every channel, stays dark.
pub fn grey_without_colour(r: u8, g: u8, b: u8) -> u8 {
    let (r, g, b) = (r as u32, g as u32, b as u32);
    let luma = (r * 299 + g * 587 + b * 114) / 1000;
    let (mx, mn) = (r.max(g).max(b), r.min(g).min(b));
    let sat = mx - mn;
    if sat <= 24 {
        return luma as u8;
    }
    let lifted = (luma + sat * 3 / 2).min(255);
    // Blend from luminance (sat 24) to the lifted level (sat 64 and over).
    let t = (sat - 24).min(40);
    ((luma * (40 - t) + lifted * t) / 40) as u8
}

/// A CMYK sample (0 = no ink) as RGB.
pub fn cmyk_to_rgb(c: u8, m: u8, y: u8, k: u8) -> [u8; 3] {
    let w = 255 - k as u32;
    [
        ((255 - c as u32) * w / 255) as u8,
        ((255 - m as u32) * w / 255) as u8,
        ((255 - y as u32) * w / 255) as u8,
    ]
}

/// Otsu's level of a grey-level histogram.
fn otsu_level(hist: &[u64; 256]) -> u8 {
    let total: f64 = hist.iter().map(|&c| c as f64).sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0.0f64, 0.0f64, -1.0f64, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * c as f64;
        let m0 = sum0 / w0;
        let m1 = (sum_all - sum0) / w1;
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// [`Gray::ink_threshold`] from the page's histogram.
pub fn ink_threshold_of(hist: &[u64; 256]) -> u8 {
    otsu_level(hist).clamp(60, 200)
}

/// The paper's level in a histogram: the most common level lighter than `thr`.
pub fn paper_level_of(hist: &[u64; 256], thr: u8) -> u8 {
    (thr as usize..256).max_by_key(|&i| hist[i]).unwrap_or(255) as u8
}

/// The threshold for ruling lines on a page whose paper level is `paper`
/// (see [`Gray::rule_threshold`]).
pub fn rule_threshold_for(paper: u8, thr: u8) -> u8 {
    let paper = paper as i32;
    let t = paper - (paper - thr as i32) * 2 / 5;
    t.clamp(thr as i32, 250) as u8
}

/// A horizontal ruling line: `y` range and `x` extent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HLine {
    /// Top row of the line.
    pub y0: u32,
    /// Bottom row (inclusive).
    pub y1: u32,
    /// Left end.
    pub x0: u32,
    /// Right end.
    pub x1: u32,
}

impl HLine {
    /// Centre row.
    pub fn y(&self) -> u32 {
        (self.y0 + self.y1) / 2
    }
}

/// A vertical ruling line: `x` range and `y` extent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VLine {
    /// Left column of the line.
    pub x0: u32,
    /// Right column (inclusive).
    pub x1: u32,
    /// Top end.
    pub y0: u32,
    /// Bottom end.
    pub y1: u32,
}

impl VLine {
    /// Centre column.
    pub fn x(&self) -> u32 {
        (self.x0 + self.x1) / 2
    }
}

/// Whether a page of `width` x `height` pixels at `dpi` skewed by `skew`
/// degrees is worth straightening: when a rule along its longer side drifts
/// across more pixels than a rule is thick (3 pixels at 300 dpi: a skew
/// over about 0.05° on an A4 page). A long rule left slanted by even a
/// quarter of a degree drifts 15 pixels down a page and no longer lines up
/// with the rules it meets.
pub fn worth_straightening(skew: f64, width: u32, height: u32, dpi: u32) -> bool {
    let drift = skew.to_radians().tan().abs() * f64::from(width.max(height));
    drift > f64::from((dpi / 100).max(2))
}

/// Runs of ink along the rows at least `min_len` long, bridging gaps of
/// `gap` pixels: `(row, start, end)`. A pixel or the one below it darker
/// than `thr` is ink (a thin rule may fall between two pixel rows).
fn horizontal_runs(img: &Gray, thr: u8, min_len: u32, gap: u32) -> Vec<(u32, u32, u32)> {
    let w = img.width as usize;
    let mut out = Vec::new();
    if w == 0 {
        return out;
    }
    let mut ink = vec![false; w];
    for (y, row) in img.data.chunks_exact(w).enumerate() {
        match img.data.get((y + 1) * w..(y + 2) * w) {
            Some(below) => {
                for ((k, &a), &b) in ink.iter_mut().zip(row).zip(below) {
                    *k = (a < thr) | (b < thr);
                }
            }
            None => {
                for (k, &a) in ink.iter_mut().zip(row) {
                    *k = a < thr;
                }
            }
        }
        let y = y as u32;
        let mut start: Option<u32> = None;
        let mut last_ink = 0u32;
        for (x, &k) in ink.iter().enumerate() {
            let x = x as u32;
            if k {
                if start.is_none() {
                    start = Some(x);
                }
                last_ink = x;
            } else if let Some(s) = start {
                if x - last_ink > gap {
                    if last_ink + 1 - s >= min_len {
                        out.push((y, s, last_ink));
                    }
                    start = None;
                }
            }
        }
        if let Some(s) = start {
            if last_ink + 1 - s >= min_len {
                out.push((y, s, last_ink));
            }
        }
    }
    out
}

/// Runs of ink down the columns (as [`horizontal_runs`]: `(column, start,
/// end)`), computed row by row (cache-friendly): a pixel or its right
/// neighbour darker than `thr` is ink.
fn vertical_runs(img: &Gray, thr: u8, min_len: u32, gap: u32) -> Vec<(u32, u32, u32)> {
    let w = img.width as usize;
    let mut out = Vec::new();
    if w == 0 {
        return out;
    }
    let mut start: Vec<Option<u32>> = vec![None; w];
    let mut last: Vec<u32> = vec![0; w];
    let mut ink = vec![false; w];
    for (y, row) in img.data.chunks_exact(w).enumerate() {
        let y = y as u32;
        for ((k, &a), &b) in ink.iter_mut().zip(row).zip(&row[1..]) {
            *k = (a < thr) | (b < thr);
        }
        ink[w - 1] = row[w - 1] < thr;
        for (x, &k) in ink.iter().enumerate() {
            if k {
                if start[x].is_none() {
                    start[x] = Some(y);
                }
                last[x] = y;
            } else if let Some(s) = start[x] {
                if y - last[x] > gap {
                    if last[x] + 1 - s >= min_len {
                        out.push((x as u32, s, last[x]));
                    }
                    start[x] = None;
                }
            }
        }
    }
    for x in 0..w {
        if let Some(s) = start[x] {
            if last[x] + 1 - s >= min_len {
                out.push((x as u32, s, last[x]));
            }
        }
    }
    out
}

/// The steepest slant of a ruling line that is still one line: the page's
/// skew left after straightening (the estimate may be a step or two off),
/// in radians' tangent (about 0.6°).
const MAX_SLANT: f64 = 0.01;

/// Merges runs on adjacent lines that overlap along the run into one line
/// `(first index, last index, start, end)`. A line is kept when it is thin:
/// its ink (the runs' total length) over its length is under `max_thick`,
/// and its extent across is no more than that plus the drift of a line
/// slanted by [`MAX_SLANT`] over its length. A rule of a page left slightly
/// skewed runs across more pixel lines than it is thick (a border 3,300
/// pixels long at 0.26° drifts 15 pixels), and is still one rule; a block
/// of ink (a seal, a photograph) is not.
fn merge_runs(mut rs: Vec<(u32, u32, u32)>, max_thick: u32) -> Vec<(u32, u32, u32, u32)> {
    rs.sort_by_key(|r| (r.0, r.1));
    // (first, last, start, end, ink)
    let mut lines: Vec<(u32, u32, u32, u32, u64)> = Vec::new();
    for (m, s, e) in rs {
        let found = lines.iter_mut().rev().take(40).find(|l| {
            l.1 + 1 >= m
                && m <= l.1 + 2
                && s.max(l.2) < e.min(l.3)
                && (e.min(l.3) - s.max(l.2)) * 2 > (e - s).min(l.3 - l.2)
        });
        match found {
            Some(l) => {
                l.1 = m;
                l.2 = l.2.min(s);
                l.3 = l.3.max(e);
                l.4 += u64::from(e - s + 1);
            }
            None => lines.push((m, m, s, e, u64::from(e - s + 1))),
        }
    }
    lines.retain(|l| {
        let len = u64::from(l.3 - l.2 + 1);
        let across = l.1 - l.0;
        let drift = (f64::from(l.3 - l.2) * MAX_SLANT) as u32;
        l.4 < u64::from(max_thick) * len && across < max_thick + drift
    });
    lines.into_iter().map(|l| (l.0, l.1, l.2, l.3)).collect()
}

/// The boxes `(x0, y0, x1, y1)` (ends exclusive) covering ruling lines,
/// widened by `pad` pixels on every side (to erase them).
pub fn line_boxes(h: &[HLine], v: &[VLine], pad: u32) -> Vec<(u32, u32, u32, u32)> {
    let padded = |x0: u32, y0: u32, x1: u32, y1: u32| {
        (
            x0.saturating_sub(pad),
            y0.saturating_sub(pad),
            x1 + 1 + pad,
            y1 + 1 + pad,
        )
    };
    h.iter()
        .map(|l| padded(l.x0, l.y0, l.x1, l.y1))
        .chain(v.iter().map(|l| padded(l.x0, l.y0, l.x1, l.y1)))
        .collect()
}

/// Finds ruling lines: long dark horizontal and vertical runs (`thr`: see
/// [`Gray::rule_threshold`]). A vertical run shorter than a rule must be is
/// still a rule when it runs from one horizontal rule to the next: the
/// column rules of a row cut short by the page end (one line of text high).
pub fn ruling_lines(img: &Gray, thr: u8, dpi: u32) -> (Vec<HLine>, Vec<VLine>) {
    let (w, h) = (img.width, img.height);
    let inch = dpi.max(50);
    let gap = (inch / 100).max(2);
    let max_thick = (inch / 25).max(4);
    let hr = horizontal_runs(img, thr, (inch * 3 / 4).min(w / 3).max(20), gap);
    let h_lines: Vec<HLine> = merge_runs(hr, max_thick)
        .into_iter()
        .map(|(y0, y1, x0, x1)| HLine { y0, y1, x0, x1 })
        .collect();
    let min_len = (inch * 2 / 5).min(h / 3).max(15);
    let short_len = (inch / 6).clamp(10, min_len);
    let (long, short): (Vec<_>, Vec<_>) = vertical_runs(img, thr, short_len, gap)
        .into_iter()
        .partition(|r| r.2 + 1 - r.1 >= min_len);
    let mut v_lines: Vec<VLine> = merge_runs(long, max_thick)
        .into_iter()
        .map(|(x0, x1, y0, y1)| VLine { x0, x1, y0, y1 })
        .collect();
    // A short run ends on a horizontal rule that reaches its column, at the
    // rule's near edge or inside it.
    let ends_on = |x: u32, y: u32| {
        h_lines.iter().any(|l| {
            l.x0 <= x + max_thick
                && x <= l.x1 + max_thick
                && y + max_thick >= l.y0
                && y <= l.y1 + max_thick
        })
    };
    let bridged = merge_runs(short, max_thick)
        .into_iter()
        .map(|(x0, x1, y0, y1)| VLine { x0, x1, y0, y1 })
        .filter(|l| {
            let x = l.x();
            ends_on(x, l.y0) && ends_on(x, l.y1) && !ends_on(x, (l.y0 + l.y1) / 2)
        });
    v_lines.extend(bridged);
    (h_lines, v_lines)
}

#[cfg(test)]
mod tests {

    #[test]
    fn line_boxes_cover_the_lines_with_padding() {
        let h = [HLine {
            y0: 10,
            y1: 11,
            x0: 1,
            x1: 50,
        }];
        let v = [VLine {
            x0: 20,
            x1: 20,
            y0: 0,
            y1: 30,
        }];
        assert_eq!(line_boxes(&h, &v, 2), vec![(0, 8, 53, 14), (18, 0, 23, 33)]);
    }

    use super::*;

    fn page_with_rules(angle: f64) -> Gray {
        let mut g = Gray::filled(800, 1000, 240);
        for y in [200u32, 300, 400, 500] {
            for x in 100..700 {
                for t in 0..3 {
                    g.data[((y + t) * 800 + x) as usize] = 20;
                }
            }
        }
        for x in [100u32, 300, 699] {
            for y in 200..503 {
                for t in 0..3 {
                    g.data[(y * 800 + x + t) as usize] = 20;
                }
            }
        }
        if angle != 0.0 {
            g.rotated(angle)
        } else {
            g
        }
    }

    /// A page with text-like marks: short strokes of varied grey, a few rules.
    fn busy_page(w: u32, h: u32) -> Gray {
        let mut g = Gray::filled(w, h, 235);
        let mut seed = 12345u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            seed >> 8
        };
        for _ in 0..(w * h / 40) {
            let (x, y) = (next() % w, next() % h);
            let (len, v) = (next() % 9 + 1, (next() % 120) as u8);
            for k in 0..len {
                if x + k < w {
                    g.data[(y * w + x + k) as usize] = v;
                }
            }
        }
        for y in [h / 5, h / 2] {
            for x in 0..w {
                g.data[(y * w + x) as usize] = 20;
            }
        }
        g
    }

    /// Bilinear rotation computed per sample in double precision.
    fn rotated_exactly(g: &Gray, deg: f64) -> Gray {
        let (w, h) = (g.width as usize, g.height as usize);
        let mut out = Gray::filled(g.width, g.height, 255);
        let (s, c) = deg.to_radians().sin_cos();
        let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f64 - cx, y as f64 - cy);
                let sx = cx + dx * c + dy * s;
                let sy = cy - dx * s + dy * c;
                if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f64 || sy >= (h - 1) as f64 {
                    continue;
                }
                let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
                let (fx, fy) = (sx - x0 as f64, sy - y0 as f64);
                let p = |xx: usize, yy: usize| f64::from(g.data[yy * w + xx]);
                let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
                let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
                out.data[y * w + x] = (top * (1.0 - fy) + bottom * fy + 0.5) as u8;
            }
        }
        out
    }

    #[test]
    fn rotation_is_bilinear_within_a_grey_level() {
        let g = busy_page(301, 257);
        for deg in [-4.9, -1.3, 0.0, 0.37, 2.0, 30.0, 89.0, -135.0, 179.3] {
            let (fast, exact) = (g.rotated(deg), rotated_exactly(&g, deg));
            let diffs: Vec<u32> = fast
                .data
                .iter()
                .zip(&exact.data)
                .map(|(&a, &b)| u32::from(a.abs_diff(b)))
                .collect();
            let mean = diffs.iter().sum::<u32>() as f64 / diffs.len() as f64;
            // Off by more than a level only where the two round a position
            // on the page's edge differently.
            let off = diffs.iter().filter(|&&d| d > 1).count();
            assert!(mean < 0.15, "{deg}°: mean difference {mean}");
            assert!(off <= 12, "{deg}°: {off} samples off by more than a level");
        }
        assert_eq!(Gray::filled(1, 5, 0).rotated(1.0), Gray::filled(1, 5, 255));
        assert_eq!(Gray::filled(0, 0, 0).rotated(1.0), Gray::filled(0, 0, 255));
    }

    #[test]
    fn enlargement_is_bilinear() {
        let g = busy_page(61, 47);
        for f in [2u32, 3] {
            let big = g.enlarged(f);
            assert_eq!((big.width, big.height), (61 * f, 47 * f));
            let (mw, mh) = (60.0, 46.0);
            let mut worst = 0u8;
            for y in 0..big.height {
                let sy = ((f64::from(y) + 0.5) / f64::from(f) - 0.5).clamp(0.0, mh);
                let (y0, fy) = (sy.floor() as u32, sy.fract());
                let y1 = (y0 + 1).min(46);
                for x in 0..big.width {
                    let sx = ((f64::from(x) + 0.5) / f64::from(f) - 0.5).clamp(0.0, mw);
                    let (x0, fx) = (sx.floor() as u32, sx.fract());
                    let x1 = (x0 + 1).min(60);
                    let p = |xx, yy| f64::from(g.get(xx, yy));
                    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
                    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
                    let exact = (top * (1.0 - fy) + bottom * fy).round() as u8;
                    worst = worst.max(exact.abs_diff(big.get(x, y)));
                }
            }
            assert!(worst <= 1, "x{f}: off by {worst}");
        }
        assert_eq!(g.enlarged(1), g);
    }

    #[test]
    fn a_tilted_rule_is_straightened_within_a_pixel() {
        // A rule 3 pixels thick across an A4-wide page at 300 dpi, drawn
        // going down to the right by 2.3°, and some text-like marks.
        let (w, h) = (2480u32, 1200u32);
        let mut g = Gray::filled(w, h, 240);
        let t = 2.3f64.to_radians().tan();
        for x in 100..w - 100 {
            // Rows top..top + 3, the end rows partly inked (no staircase).
            let top = 600.0 + (f64::from(x) - f64::from(w) / 2.0) * t;
            for y in top.floor() as u32..=(top + 3.0).ceil() as u32 {
                let (a, b) = (f64::from(y).max(top), f64::from(y + 1).min(top + 3.0));
                let cover = (b - a).clamp(0.0, 1.0);
                g.data[(y * w + x) as usize] = (240.0 - 220.0 * cover).round() as u8;
            }
        }
        let skew = g.skew_degrees(128, 5.0);
        assert!((skew + 2.3).abs() < 0.05, "skew {skew}");
        // The rule's centre (ink-weighted row) in every column it crosses.
        let spread = |page: &Gray| {
            let centres: Vec<f64> = (300..w - 300)
                .map(|x| {
                    let (mut sum, mut weight) = (0.0, 0.0);
                    for y in 0..h {
                        let ink = 240.0 - f64::from(page.get(x, y));
                        if ink > 0.0 {
                            sum += ink * f64::from(y);
                            weight += ink;
                        }
                    }
                    sum / weight
                })
                .collect();
            let (lo, hi) = centres
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), &c| (l.min(c), h.max(c)));
            hi - lo
        };
        assert!(spread(&g) > 70.0);
        let exact = spread(&g.rotated(-2.3));
        assert!(
            exact < 0.25,
            "turned by the drawn angle, the rule spans {exact:.2} rows"
        );
        let estimated = spread(&g.rotated(skew));
        assert!(
            estimated < 1.0,
            "straightened, the rule spans {estimated:.2} rows"
        );
    }

    #[test]
    fn finds_rules_and_skew() {
        let g = page_with_rules(0.0);
        let (h, v) = ruling_lines(&g, 128, 200);
        assert_eq!(h.len(), 4, "{h:?}");
        assert_eq!(v.len(), 3, "{v:?}");
        let tilted = page_with_rules(1.5);
        let skew = tilted.skew_degrees(128, 3.0);
        assert!((skew + 1.5).abs() < 0.15, "skew {skew}");
        let straight = tilted.rotated(skew);
        let (h, _) = ruling_lines(&straight, 128, 200);
        assert_eq!(h.len(), 4, "{h:?}");
    }

    /// An A4 page at 300 dpi with a table border drawn slanted by `dx`
    /// pixels over its height (3 pixels thick), a short straight rule and a
    /// block of ink (a seal).
    fn page_with_slanted_border(dx: u32) -> Gray {
        let (w, h) = (2480u32, 3508u32);
        let mut g = Gray::filled(w, h, 240);
        let (top, bottom) = (100u32, 3400u32);
        for y in top..bottom {
            let x = 110 + dx * (y - top) / (bottom - top);
            for t in 0..3 {
                g.data[(y * w + x + t) as usize] = 30;
            }
        }
        for y in 500..1500 {
            for t in 0..3 {
                g.data[(y * w + 900 + t) as usize] = 30;
            }
        }
        for y in 2000..2400 {
            for x in 1500..1600 {
                g.data[(y * w + x) as usize] = 30;
            }
        }
        g
    }

    #[test]
    fn a_long_rule_left_slightly_slanted_is_one_rule() {
        // 15 pixels over 3,300: 0.26°, a skew a page may keep.
        let g = page_with_slanted_border(15);
        let (_, v) = ruling_lines(&g, 128, 300);
        assert!(
            v.iter()
                .any(|l| l.y0 <= 101 && l.y1 >= 3398 && l.x() > 110 && l.x() < 128),
            "{v:?}"
        );
        assert!(v.iter().any(|l| (899..=902).contains(&l.x())), "{v:?}");
        // The block of ink is no rule, however long.
        assert!(!v.iter().any(|l| l.x0 >= 1490 && l.x1 <= 1610), "{v:?}");
    }

    #[test]
    fn column_rules_of_a_row_cut_short_by_the_page_end() {
        // 300 dpi: a table with a tall row and a last row 60 pixels high
        // (one line of text, the rest of the row on the next page), and a
        // stroke of a letter 60 pixels tall in the tall row.
        let (w, h) = (1200u32, 1000u32);
        let mut g = Gray::filled(w, h, 240);
        for y in [100u32, 500, 560] {
            for x in 100..1100 {
                for t in 0..3 {
                    g.data[((y + t) * w + x) as usize] = 30;
                }
            }
        }
        for (x, y0, y1) in [
            (100u32, 100u32, 563u32),
            (1097, 100, 563),
            (400, 100, 563),
            (700, 500, 563),
        ] {
            for y in y0..y1 {
                for t in 0..3 {
                    g.data[(y * w + x + t) as usize] = 30;
                }
            }
        }
        for y in 250..310 {
            for t in 0..3 {
                g.data[(y * w + 900 + t) as usize] = 30;
            }
        }
        let (_, v) = ruling_lines(&g, 128, 300);
        assert!(v.iter().any(|l| (700..=702).contains(&l.x())), "{v:?}");
        assert!(!v.iter().any(|l| (899..=902).contains(&l.x())), "{v:?}");
        assert_eq!(v.len(), 4, "{v:?}");
    }

    #[test]
    fn slight_skews_are_straightened() {
        // A4 at 300 dpi: 0.26° drifts 16 pixels down the page.
        assert!(worth_straightening(0.26, 2480, 3508, 300));
        assert!(worth_straightening(-0.1, 2480, 3508, 300));
        assert!(!worth_straightening(0.02, 2480, 3508, 300));
        assert!(!worth_straightening(0.0, 2480, 3508, 300));
    }

    #[test]
    fn tiff_round_trip() {
        let mut g = Gray::filled(7, 5, 200);
        g.data[3] = 0;
        g.data[34] = 17;
        let mut tiff = g.tiff_header(300);
        tiff.extend_from_slice(&g.data);
        assert_eq!(Gray::decode(&tiff).expect("decodes"), g);
    }

    #[test]
    fn turns_by_90() {
        let mut g = Gray::filled(3, 2, 255);
        g.data[0] = 0; // top left
        let t = g.rotated_90();
        assert_eq!((t.width, t.height), (2, 3));
        assert_eq!(t.data[1], 0, "top left goes to top right");
        assert_eq!(t.rotated_90().rotated_90().rotated_90(), g);
    }

    #[test]
    fn coloured_marks_become_paper() {
        // Red seal, blue signature: light.
        assert!(grey_without_colour(205, 40, 45) > 220);
        assert!(grey_without_colour(30, 45, 160) > 150);
        assert!(grey_without_colour(28, 41, 131) > 190);
        // Black print, also under red ink: dark.
        assert!(grey_without_colour(25, 25, 28) < 40);
        assert!(grey_without_colour(40, 12, 12) < 80);
        // Grey and tinted paper keep their level.
        assert_eq!(grey_without_colour(128, 128, 128), 128);
        assert!(grey_without_colour(238, 232, 215) > 220);
        assert_eq!(cmyk_to_rgb(0, 0, 0, 0), [255, 255, 255]);
        assert_eq!(cmyk_to_rgb(0, 255, 255, 0), [255, 0, 0]);
        let g = Gray::from_rgb(2, 1, &[205, 40, 45, 20, 20, 20]);
        assert!(g.data[0] > 220 && g.data[1] < 30);
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut g = Gray::filled(10, 10, 230);
        for v in g.data.iter_mut().take(20) {
            *v = 30;
        }
        let t = g.otsu();
        assert!((30..230).contains(&t));
        assert_eq!(g.rotated_180().data[99], 30);
    }
}

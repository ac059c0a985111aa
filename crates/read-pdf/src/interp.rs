//! The content-stream interpreter: text state and graphics state in, glyphs
//! with positions and ruling-line segments out.
//!
//! Coordinates out are page coordinates with the origin at the top left of
//! the page box, y growing downwards, in points.

use crate::font::{self, Font};
use crate::Limits;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;
use std::rc::Rc;

/// An affine matrix `[a b c d e f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mat([f32; 6]);

impl Mat {
    pub const ID: Mat = Mat([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other` (apply self first, then other).
    pub fn mul(&self, o: &Mat) -> Mat {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        Mat([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn translate(x: f32, y: f32) -> Mat {
        Mat([1.0, 0.0, 0.0, 1.0, x, y])
    }
}

/// One placed glyph.
#[derive(Debug, Clone)]
pub struct Glyph {
    /// Left edge.
    pub x: f32,
    /// Baseline (from the top of the page).
    pub y: f32,
    /// Advance width.
    pub w: f32,
    /// Font size on the page.
    pub size: f32,
    /// Unicode text (usually one char).
    pub text: String,
    /// Bold font or fill+stroke rendering.
    pub bold: bool,
}

/// An axis-aligned rule: horizontal (`y0 == y1`) or vertical (`x0 == x1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seg {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// What a page's content produced.
#[derive(Debug, Default)]
pub struct PageContent {
    pub glyphs: Vec<Glyph>,
    pub hrules: Vec<Seg>,
    pub vrules: Vec<Seg>,
    /// Page height (points), for telling the top and bottom margins.
    pub height: f32,
    /// Problems worth a warning (truncated content, unmapped fonts, …).
    pub notes: Vec<String>,
    /// Whether the page draws images (a scan when there is no text).
    pub has_image: bool,
}

#[derive(Clone)]
struct GState {
    ctm: Mat,
    font: Option<Rc<Font>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    hscale: f32,
    leading: f32,
    rise: f32,
    render: i64,
    stroke_white: bool,
    fill_white: bool,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: Mat::ID,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
            render: 0,
            stroke_white: false,
            fill_white: false,
        }
    }
}

/// The interpreter for one page.
pub struct Interp<'a> {
    doc: &'a Document,
    limits: &'a Limits,
    fonts: &'a mut HashMap<ObjectId, Rc<Font>>,
    out: PageContent,
    /// Page space → top-left page coordinates.
    base: Mat,
    ops: usize,
    unmapped_fonts: Vec<String>,
}

impl<'a> Interp<'a> {
    /// Runs the page's content and returns what it drew.
    pub fn run_page(
        doc: &'a Document,
        page: &'a Dictionary,
        content: &[u8],
        limits: &'a Limits,
        fonts: &'a mut HashMap<ObjectId, Rc<Font>>,
    ) -> PageContent {
        let (x0, y0, x1, y1) = page_box(doc, page);
        let rotate = inherited(doc, page, b"Rotate")
            .and_then(|o| o.as_i64().ok())
            .unwrap_or(0)
            .rem_euclid(360);
        let (w, h) = (x1 - x0, y1 - y0);
        // Flip y and move the box origin to the top left; honour /Rotate.
        let flip = Mat([1.0, 0.0, 0.0, -1.0, -x0, y1]);
        let (base, height) = match rotate {
            90 => (flip.mul(&Mat([0.0, 1.0, -1.0, 0.0, h, 0.0])), w),
            180 => (flip.mul(&Mat([-1.0, 0.0, 0.0, -1.0, w, h])), h),
            270 => (flip.mul(&Mat([0.0, -1.0, 1.0, 0.0, 0.0, w])), w),
            _ => (flip, h),
        };
        let mut it = Interp {
            doc,
            limits,
            fonts,
            out: PageContent {
                height,
                ..PageContent::default()
            },
            base,
            ops: 0,
            unmapped_fonts: Vec::new(),
        };
        let resources = inherited(doc, page, b"Resources").and_then(|o| match o {
            Object::Dictionary(d) => Some(d),
            _ => None,
        });
        it.run(content, resources, GState::default(), 0);
        it.annotations(page);
        for f in std::mem::take(&mut it.unmapped_fonts) {
            it.out.notes.push(format!(
                "font {f} has no ToUnicode map; its text may be wrong"
            ));
        }
        it.out
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'a Dictionary>,
        init: GState,
        depth: usize,
    ) {
        let mut gs = init;
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Mat::ID;
        let mut tlm = Mat::ID;
        // Path under construction: subpaths of points (in page coordinates).
        let mut path: Vec<Vec<(f32, f32)>> = Vec::new();
        let mut rects: Vec<[(f32, f32); 4]> = Vec::new();
        for op in Content::decode_iter(content) {
            let op = match op {
                Ok(op) => op,
                Err(_) => {
                    self.out.notes.push(
                        "a content stream has unreadable operators; the rest of it was skipped"
                            .into(),
                    );
                    break;
                }
            };
            self.ops += 1;
            if self.ops > self.limits.max_ops_per_page {
                self.out.notes.push(format!(
                    "more than {} operators on one page; the rest was skipped",
                    self.limits.max_ops_per_page
                ));
                break;
            }
            if self.out.glyphs.len() > self.limits.max_glyphs_per_page {
                self.out.notes.push(format!(
                    "more than {} characters on one page; the rest was skipped",
                    self.limits.max_glyphs_per_page
                ));
                break;
            }
            let a = &op.operands;
            let n = |i: usize| a.get(i).and_then(number).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" if a.len() >= 6 => {
                    gs.ctm = Mat([n(0), n(1), n(2), n(3), n(4), n(5)]).mul(&gs.ctm);
                }
                "BT" => {
                    tm = Mat::ID;
                    tlm = Mat::ID;
                }
                "Tf" => {
                    gs.size = n(1);
                    gs.font = a
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| self.font(resources, name));
                }
                "Tc" => gs.char_spacing = n(0),
                "Tw" => gs.word_spacing = n(0),
                "Tz" => gs.hscale = n(0) / 100.0,
                "TL" => gs.leading = n(0),
                "Ts" => gs.rise = n(0),
                "Tr" => gs.render = a.first().and_then(|o| o.as_i64().ok()).unwrap_or(0),
                "Td" => {
                    tlm = Mat::translate(n(0), n(1)).mul(&tlm);
                    tm = tlm;
                }
                "TD" => {
                    gs.leading = -n(1);
                    tlm = Mat::translate(n(0), n(1)).mul(&tlm);
                    tm = tlm;
                }
                "Tm" if a.len() >= 6 => {
                    tlm = Mat([n(0), n(1), n(2), n(3), n(4), n(5)]);
                    tm = tlm;
                }
                "T*" => {
                    tlm = Mat::translate(0.0, -gs.leading).mul(&tlm);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = a.first() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "'" => {
                    tlm = Mat::translate(0.0, -gs.leading).mul(&tlm);
                    tm = tlm;
                    if let Some(Object::String(s, _)) = a.first() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "\"" => {
                    gs.word_spacing = n(0);
                    gs.char_spacing = n(1);
                    tlm = Mat::translate(0.0, -gs.leading).mul(&tlm);
                    tm = tlm;
                    if let Some(Object::String(s, _)) = a.get(2) {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = a.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(&gs, &mut tm, s),
                                other => {
                                    if let Some(v) = number(other) {
                                        let tx = -v / 1000.0 * gs.size * gs.hscale;
                                        tm = Mat::translate(tx, 0.0).mul(&tm);
                                    }
                                }
                            }
                        }
                    }
                }
                // Colours: remember whether strokes and fills are white (invisible rules).
                "G" | "RG" | "K" | "SC" | "SCN" => gs.stroke_white = is_white(a),
                "g" | "rg" | "k" | "sc" | "scn" => gs.fill_white = is_white(a),
                "m" => {
                    let p = self.page_point(&gs, n(0), n(1));
                    path.push(vec![p]);
                }
                "l" => {
                    let p = self.page_point(&gs, n(0), n(1));
                    match path.last_mut() {
                        Some(sp) => sp.push(p),
                        None => path.push(vec![p]),
                    }
                }
                "c" | "v" | "y" => {
                    // Curves are not rules; keep the end point so later lines connect.
                    let k = a.len();
                    if k >= 2 {
                        let p = self.page_point(&gs, n(k - 2), n(k - 1));
                        if let Some(sp) = path.last_mut() {
                            sp.push((f32::NAN, f32::NAN));
                            sp.push(p);
                        }
                    }
                }
                "h" => {
                    if let Some(sp) = path.last_mut() {
                        if let Some(&first) = sp.first() {
                            sp.push(first);
                        }
                    }
                }
                "re" if a.len() >= 4 => {
                    let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                    let pts = [
                        self.page_point(&gs, x, y),
                        self.page_point(&gs, x + w, y),
                        self.page_point(&gs, x + w, y + h),
                        self.page_point(&gs, x, y + h),
                    ];
                    rects.push(pts);
                    path.push(vec![pts[0], pts[1], pts[2], pts[3], pts[0]]);
                }
                "S" | "s" => {
                    if !gs.stroke_white {
                        self.stroke(&path);
                    }
                    path.clear();
                    rects.clear();
                }
                "f" | "F" | "f*" => {
                    if !gs.fill_white {
                        self.fill(&rects);
                    }
                    path.clear();
                    rects.clear();
                }
                "B" | "B*" | "b" | "b*" => {
                    if !gs.stroke_white {
                        self.stroke(&path);
                    }
                    if !gs.fill_white {
                        self.fill(&rects);
                    }
                    path.clear();
                    rects.clear();
                }
                "n" => {
                    path.clear();
                    rects.clear();
                }
                "Do" => {
                    if let Some(name) = a.first().and_then(|o| o.as_name().ok()) {
                        self.xobject(resources, name, &gs, depth);
                    }
                }
                "BI" | "ID" | "EI" => self.out.has_image = true,
                _ => {}
            }
        }
    }

    fn page_point(&self, gs: &GState, x: f32, y: f32) -> (f32, f32) {
        gs.ctm.mul(&self.base).apply(x, y)
    }

    /// Resolves a font by resource name (cached per font object).
    fn font(&mut self, resources: Option<&'a Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let fonts = resources
            .and_then(|r| font::get(self.doc, r, b"Font"))
            .and_then(|o| o.as_dict().ok())?;
        let entry = fonts.get(name).ok()?;
        let id = entry.as_reference().ok();
        if let Some(id) = id {
            if let Some(f) = self.fonts.get(&id) {
                return Some(f.clone());
            }
        }
        let fd = match font::deref(self.doc, entry) {
            Object::Dictionary(d) => d,
            _ => return None,
        };
        let f = Rc::new(font::load(self.doc, fd));
        if f.unmapped && !self.unmapped_fonts.contains(&f.name) {
            self.unmapped_fonts.push(f.name.clone());
        }
        if let Some(id) = id {
            self.fonts.insert(id, f.clone());
        }
        Some(f)
    }

    /// Shows a string: one glyph per code, advancing the text matrix.
    fn show(&mut self, gs: &GState, tm: &mut Mat, bytes: &[u8]) {
        let Some(font) = gs.font.clone() else { return };
        let invisible = gs.render == 3 || gs.render == 7;
        for code in font.codes(bytes) {
            let w0 = font.width(code);
            let trm = Mat([gs.size * gs.hscale, 0.0, 0.0, gs.size, 0.0, gs.rise])
                .mul(tm)
                .mul(&gs.ctm)
                .mul(&self.base);
            let [a, b, c, d, e, f] = trm.0;
            let is_space = !font.two_byte && code == 32;
            if !invisible && a.abs() > 1e-3 && b.abs() <= 0.2 * a.abs() && c.abs() <= 0.2 * d.abs()
            {
                let text = font.text(code).unwrap_or_else(|| "\u{FFFD}".into());
                if !text.is_empty() && text.chars().all(|ch| !ch.is_control() || ch == '\t') {
                    let size = (c * c + d * d).sqrt();
                    let w = w0 * a.abs();
                    let x = if a < 0.0 { e - w } else { e };
                    self.out.glyphs.push(Glyph {
                        x,
                        y: f,
                        w,
                        size,
                        text,
                        bold: font.bold || gs.render == 2,
                    });
                }
            }
            let spacing = gs.char_spacing + if is_space { gs.word_spacing } else { 0.0 };
            let tx = (w0 * gs.size + spacing) * gs.hscale;
            *tm = Mat::translate(tx, 0.0).mul(tm);
        }
    }

    fn stroke(&mut self, path: &[Vec<(f32, f32)>]) {
        for sp in path {
            for pair in sp.windows(2) {
                let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
                if x0.is_nan() || x1.is_nan() {
                    continue;
                }
                self.add_rule(x0, y0, x1, y1);
            }
        }
    }

    /// Thin filled rectangles are rules (Word draws cell borders this way).
    fn fill(&mut self, rects: &[[(f32, f32); 4]]) {
        for r in rects {
            let xs = r.iter().map(|p| p.0);
            let ys = r.iter().map(|p| p.1);
            let (x0, x1) = (
                xs.clone().fold(f32::MAX, f32::min),
                xs.fold(f32::MIN, f32::max),
            );
            let (y0, y1) = (
                ys.clone().fold(f32::MAX, f32::min),
                ys.fold(f32::MIN, f32::max),
            );
            let (w, h) = (x1 - x0, y1 - y0);
            if h <= 3.0 && w > 3.0 * h.max(0.5) {
                let y = (y0 + y1) / 2.0;
                self.add_rule(x0, y, x1, y);
            } else if w <= 3.0 && h > 3.0 * w.max(0.5) {
                let x = (x0 + x1) / 2.0;
                self.add_rule(x, y0, x, y1);
            }
        }
    }

    fn add_rule(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        if self.out.hrules.len() + self.out.vrules.len() > self.limits.max_rules_per_page {
            return;
        }
        let (dx, dy) = ((x1 - x0).abs(), (y1 - y0).abs());
        if dy <= 1.0 && dx >= 2.0 {
            let y = (y0 + y1) / 2.0;
            self.out.hrules.push(Seg {
                x0: x0.min(x1),
                y0: y,
                x1: x0.max(x1),
                y1: y,
            });
        } else if dx <= 1.0 && dy >= 2.0 {
            let x = (x0 + x1) / 2.0;
            self.out.vrules.push(Seg {
                x0: x,
                y0: y0.min(y1),
                x1: x,
                y1: y0.max(y1),
            });
        }
    }

    /// Runs the normal appearance streams of the page's annotations: a
    /// signing system stamps the document's number and date as annotations
    /// ("Số: 329", "ngày 19") that a reader of the page sees printed. Hidden
    /// annotations and links are skipped.
    fn annotations(&mut self, page: &'a Dictionary) {
        let doc = self.doc;
        let Some(Object::Array(annots)) = font::get(doc, page, b"Annots") else {
            return;
        };
        for a in annots.iter().take(500) {
            let Ok(annot) = font::deref(doc, a).as_dict() else {
                continue;
            };
            let flags = font::get(doc, annot, b"F")
                .and_then(|o| o.as_i64().ok())
                .unwrap_or(0);
            // Invisible, hidden or no-view annotations are not seen.
            if flags & (1 | 2 | 32) != 0 {
                continue;
            }
            let subtype = font::get(doc, annot, b"Subtype").and_then(|o| o.as_name().ok());
            if matches!(subtype, Some(b"Link" | b"Popup")) {
                continue;
            }
            let Some(ap) = font::get(doc, annot, b"AP").and_then(|o| o.as_dict().ok()) else {
                continue;
            };
            let normal = match font::get(doc, ap, b"N") {
                Some(Object::Stream(s)) => s,
                // Appearance states: the one the annotation is in.
                Some(Object::Dictionary(states)) => {
                    let Some(state) = font::get(doc, annot, b"AS").and_then(|o| o.as_name().ok())
                    else {
                        continue;
                    };
                    match states.get(state).ok().map(|o| font::deref(doc, o)) {
                        Some(Object::Stream(s)) => s,
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let (Some(rect), Some(bbox)) = (
                four(doc, font::get(doc, annot, b"Rect")),
                four(doc, font::get(doc, &normal.dict, b"BBox")),
            ) else {
                continue;
            };
            let matrix = match font::get(doc, &normal.dict, b"Matrix") {
                Some(Object::Array(m)) => {
                    let v: Vec<f32> = m
                        .iter()
                        .filter_map(|o| number(font::deref(doc, o)))
                        .collect();
                    if v.len() == 6 {
                        Mat([v[0], v[1], v[2], v[3], v[4], v[5]])
                    } else {
                        Mat::ID
                    }
                }
                _ => Mat::ID,
            };
            // The transformed box is mapped onto the annotation's rectangle.
            let corners = [
                matrix.apply(bbox[0], bbox[1]),
                matrix.apply(bbox[2], bbox[1]),
                matrix.apply(bbox[0], bbox[3]),
                matrix.apply(bbox[2], bbox[3]),
            ];
            let (bx0, by0, bx1, by1) = corners.iter().fold(
                (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                |(a, b, c, d), &(x, y)| (a.min(x), b.min(y), c.max(x), d.max(y)),
            );
            if !(bx1 - bx0 > 1e-3 && by1 - by0 > 1e-3) {
                continue;
            }
            let (rx0, ry0) = (rect[0].min(rect[2]), rect[1].min(rect[3]));
            let (rx1, ry1) = (rect[0].max(rect[2]), rect[1].max(rect[3]));
            let sx = (rx1 - rx0) / (bx1 - bx0);
            let sy = (ry1 - ry0) / (by1 - by0);
            let fit = Mat([sx, 0.0, 0.0, sy, rx0 - bx0 * sx, ry0 - by0 * sy]);
            let Some(data) = stream_data(normal, self.limits.max_content_bytes) else {
                continue;
            };
            let res = match font::get(doc, &normal.dict, b"Resources") {
                Some(Object::Dictionary(d)) => Some(d),
                _ => None,
            };
            let gs = GState {
                ctm: matrix.mul(&fit),
                ..GState::default()
            };
            self.run(&data, res, gs, 1);
        }
    }

    /// Runs a form XObject (or notes an image).
    fn xobject(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        gs: &GState,
        depth: usize,
    ) {
        let doc = self.doc;
        let Some(xobjs) = resources
            .and_then(|r| font::get(doc, r, b"XObject"))
            .and_then(|o| o.as_dict().ok())
        else {
            return;
        };
        let Some(Object::Stream(s)) = xobjs.get(name).ok().map(|o| font::deref(doc, o)) else {
            return;
        };
        match font::get(doc, &s.dict, b"Subtype").and_then(|o| o.as_name().ok()) {
            Some(b"Image") => self.out.has_image = true,
            Some(b"Form") => {
                if depth >= self.limits.max_form_depth {
                    self.out
                        .notes
                        .push("form XObjects nest too deep; the innermost were skipped".into());
                    return;
                }
                let Some(data) = stream_data(s, self.limits.max_content_bytes) else {
                    self.out
                        .notes
                        .push("a form XObject could not be decompressed".into());
                    return;
                };
                let mut inner = gs.clone();
                if let Some(Object::Array(m)) = font::get(doc, &s.dict, b"Matrix") {
                    let v: Vec<f32> = m
                        .iter()
                        .filter_map(|o| number(font::deref(doc, o)))
                        .collect();
                    if v.len() == 6 {
                        inner.ctm = Mat([v[0], v[1], v[2], v[3], v[4], v[5]]).mul(&inner.ctm);
                    }
                }
                let res = match font::get(doc, &s.dict, b"Resources") {
                    Some(Object::Dictionary(d)) => Some(d),
                    _ => resources,
                };
                self.run(&data, res, inner, depth + 1);
            }
            _ => {}
        }
    }
}

/// A stream's content, decompressed within `limit` bytes (an unfiltered
/// stream as it is); `None` when it cannot be decompressed.
fn stream_data(s: &lopdf::Stream, limit: usize) -> Option<Vec<u8>> {
    s.decompressed_content_with_limit(limit)
        .ok()
        .or_else(|| s.dict.get(b"Filter").is_err().then(|| s.content.clone()))
}

/// Four numbers (a rectangle) from an array object.
fn four(doc: &Document, o: Option<&Object>) -> Option<[f32; 4]> {
    let Some(Object::Array(a)) = o else {
        return None;
    };
    let v: Vec<f32> = a
        .iter()
        .filter_map(|o| number(font::deref(doc, o)))
        .collect();
    (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) if r.is_finite() => Some(*r),
        _ => None,
    }
}

fn is_white(a: &[Object]) -> bool {
    let v: Vec<f32> = a.iter().filter_map(number).collect();
    match v.len() {
        1 | 3 => v.iter().all(|&c| c >= 0.95),
        4 => v.iter().all(|&c| c <= 0.05),
        _ => false,
    }
}

/// An attribute of the page or of its ancestors in the page tree.
pub fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Some(v) = font::get(doc, node, key) {
            return Some(v);
        }
        node = match font::get(doc, node, b"Parent") {
            Some(Object::Dictionary(d)) => d,
            _ => return None,
        };
    }
    None
}

/// The page box (CropBox, else MediaBox, else Letter): `(x0, y0, x1, y1)`.
fn page_box(doc: &Document, page: &Dictionary) -> (f32, f32, f32, f32) {
    for key in [&b"CropBox"[..], b"MediaBox"] {
        if let Some(Object::Array(v)) = inherited(doc, page, key) {
            let v: Vec<f32> = v
                .iter()
                .filter_map(|o| number(font::deref(doc, o)))
                .collect();
            if v.len() == 4 {
                let (x0, x1) = (v[0].min(v[2]), v[0].max(v[2]));
                let (y0, y1) = (v[1].min(v[3]), v[1].max(v[3]));
                if x1 - x0 > 1.0 && y1 - y0 > 1.0 && x1 - x0 < 20_000.0 && y1 - y0 < 20_000.0 {
                    return (x0, y0, x1, y1);
                }
            }
        }
    }
    (0.0, 0.0, 612.0, 792.0)
}

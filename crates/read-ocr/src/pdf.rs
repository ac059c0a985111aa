//! Scanned PDF pages: telling them from text pages, and getting their images
//! (the embedded image as it is where possible, else a `pdftoppm` rendering).

use crate::raster::{self, Gray};
use crate::OcrError;
use lopdf::content::Content;
use lopdf::{Dictionary, Document as Pdf, Object, ObjectId};
use std::process::{Command, Stdio};

/// The Debian package that provides `pdftoppm`.
pub const POPPLER_PACKAGE: &str = "poppler-utils";

/// Resolution pages are rendered at when their image cannot be taken as it is.
pub const RENDER_DPI: u32 = 300;

/// A page's text layer is "only a stamp" below this many shown characters.
const STAMP_CHARS: usize = 60;

/// What one PDF page holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PageKind {
    /// Physical page number (1-based).
    pub number: u32,
    /// Characters the page's text operators show.
    pub text_chars: usize,
    /// The share of the page the largest image covers (0..=1).
    pub image_cover: f32,
}

impl PageKind {
    /// A page with no text layer (or only a signature stamp) and an image
    /// covering most of it.
    pub fn is_scanned(&self) -> bool {
        self.text_chars < STAMP_CHARS && self.image_cover >= 0.5
    }
}

/// Opens a PDF.
pub fn load(bytes: &[u8]) -> Result<Pdf, OcrError> {
    Pdf::load_mem(bytes).map_err(|e| OcrError::Pdf(e.to_string()))
}

/// Classifies every page of a PDF as text or scanned.
pub fn page_kinds(bytes: &[u8]) -> Result<Vec<PageKind>, OcrError> {
    let pdf = load(bytes)?;
    Ok(pdf
        .get_pages()
        .iter()
        .map(|(&n, &id)| page_kind(&pdf, n, id))
        .collect())
}

/// The 1-based numbers of the scanned pages of a PDF.
pub fn scanned_pages(bytes: &[u8]) -> Result<Vec<u32>, OcrError> {
    Ok(page_kinds(bytes)?
        .into_iter()
        .filter(|k| k.is_scanned())
        .map(|k| k.number)
        .collect())
}

fn page_kind(pdf: &Pdf, number: u32, id: ObjectId) -> PageKind {
    let walk = walk_page(pdf, id);
    let area = media_area(pdf, id);
    let cover = walk.images.iter().map(|d| d.cover).fold(0.0f32, f32::max);
    PageKind {
        number,
        text_chars: walk.text_chars,
        image_cover: if area > 0.0 {
            (cover / area).min(1.0)
        } else {
            0.0
        },
    }
}

/// An image drawn on a page: its XObject and where the content stream put it.
#[derive(Debug, Clone)]
struct Drawn {
    id: Option<ObjectId>,
    name: Vec<u8>,
    /// Area covered, in page units squared.
    cover: f32,
    /// The transformation matrix at the `Do`.
    ctm: [f32; 6],
}

#[derive(Debug, Default)]
struct Walk {
    text_chars: usize,
    images: Vec<Drawn>,
}

fn mul(m: [f32; 6], n: [f32; 6]) -> [f32; 6] {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// A rough measure of the recognition work of each given page (1-based;
/// 0 for a missing page): the stored bytes of the images its resources
/// name, since a page with more text compresses to more bytes.
pub fn page_weights(pdf: &Pdf, numbers: &[u32]) -> Vec<usize> {
    let pages = pdf.get_pages();
    numbers
        .iter()
        .map(|n| {
            let Some(&id) = pages.get(n) else {
                return 0;
            };
            resources(pdf, id)
                .iter()
                .filter_map(|d| d.get_deref(b"XObject", pdf).and_then(|o| o.as_dict()).ok())
                .flat_map(|xo| xo.iter())
                .filter_map(|(_, o)| match pdf.dereference(o) {
                    Ok((_, Object::Stream(s))) => Some(s),
                    _ => None,
                })
                .filter(|s| {
                    s.dict
                        .get(b"Subtype")
                        .and_then(|o| o.as_name())
                        .is_ok_and(|n| n == b"Image")
                })
                .map(|s| s.content.len())
                .sum()
        })
        .collect()
}

fn num(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => 0.0,
    }
}

fn resources(pdf: &Pdf, page: ObjectId) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    if let Ok((own, inherited)) = pdf.get_page_resources(page) {
        if let Some(d) = own {
            out.push(d);
        }
        for id in inherited {
            if let Ok(d) = pdf.get_dictionary(id) {
                out.push(d);
            }
        }
    }
    out
}

fn xobject<'a>(
    pdf: &'a Pdf,
    res: &[&'a Dictionary],
    name: &[u8],
) -> Option<(Option<ObjectId>, &'a lopdf::Stream)> {
    for d in res {
        let Ok(xo) = d.get_deref(b"XObject", pdf).and_then(|o| o.as_dict()) else {
            continue;
        };
        let Ok(obj) = xo.get(name) else { continue };
        let id = obj.as_reference().ok();
        if let Ok((_, Object::Stream(s))) = pdf.dereference(obj) {
            return Some((id, s));
        }
    }
    None
}

fn walk_page(pdf: &Pdf, page: ObjectId) -> Walk {
    let mut walk = Walk::default();
    let Ok(content) = pdf.get_page_content_with_limit(page, 64 << 20) else {
        return walk;
    };
    let Ok(content) = Content::decode(&content) else {
        return walk;
    };
    let res = resources(pdf, page);
    let mut ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack: Vec<[f32; 6]> = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(ctm),
            "cm" if op.operands.len() == 6 => {
                let m: Vec<f32> = op.operands.iter().map(num).collect();
                ctm = mul([m[0], m[1], m[2], m[3], m[4], m[5]], ctm);
            }
            "Tj" | "'" | "\"" | "TJ" => {
                for o in &op.operands {
                    walk.text_chars += shown_chars(o);
                }
            }
            "Do" => {
                let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else {
                    continue;
                };
                let Some((id, stream)) = xobject(pdf, &res, name) else {
                    continue;
                };
                let subtype = stream
                    .dict
                    .get(b"Subtype")
                    .and_then(|o| o.as_name())
                    .unwrap_or(b"");
                if subtype == b"Image" {
                    let cover = (ctm[0] * ctm[3] - ctm[1] * ctm[2]).abs();
                    walk.images.push(Drawn {
                        id,
                        name: name.to_vec(),
                        cover,
                        ctm,
                    });
                } else if subtype == b"Form" {
                    // Text inside a form XObject (a stamp) counts as text.
                    if let Ok(data) = stream.decompressed_content() {
                        if let Ok(c) = Content::decode(&data) {
                            for op in &c.operations {
                                if matches!(op.operator.as_str(), "Tj" | "'" | "\"" | "TJ") {
                                    walk.text_chars +=
                                        op.operands.iter().map(shown_chars).sum::<usize>();
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    walk
}

fn shown_chars(o: &Object) -> usize {
    match o {
        Object::String(s, _) => s.iter().filter(|b| !b.is_ascii_whitespace()).count().max(1),
        Object::Array(a) => a.iter().map(shown_chars).sum(),
        _ => 0,
    }
}

fn media_box(pdf: &Pdf, page: ObjectId) -> [f32; 4] {
    let mut id = Some(page);
    let mut depth = 0;
    while let Some(cur) = id {
        let Ok(d) = pdf.get_dictionary(cur) else {
            break;
        };
        if let Ok(Object::Array(a)) = d.get_deref(b"MediaBox", pdf) {
            if a.len() == 4 {
                return [num(&a[0]), num(&a[1]), num(&a[2]), num(&a[3])];
            }
        }
        id = d.get(b"Parent").and_then(|o| o.as_reference()).ok();
        depth += 1;
        if depth > 32 {
            break;
        }
    }
    [0.0, 0.0, 612.0, 792.0]
}

fn media_area(pdf: &Pdf, page: ObjectId) -> f32 {
    let b = media_box(pdf, page);
    ((b[2] - b[0]) * (b[3] - b[1])).abs()
}

fn page_rotation(pdf: &Pdf, page: ObjectId) -> i64 {
    let mut id = Some(page);
    for _ in 0..32 {
        let Some(cur) = id else { break };
        let Ok(d) = pdf.get_dictionary(cur) else {
            break;
        };
        if let Ok(r) = d.get(b"Rotate").and_then(|o| o.as_i64()) {
            return r.rem_euclid(360);
        }
        id = d.get(b"Parent").and_then(|o| o.as_reference()).ok();
    }
    0
}

/// A page's bitmap and its resolution.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// The grey bitmap.
    pub image: Gray,
    /// Pixels per inch.
    pub dpi: u32,
}

/// The bitmap of page `number` (1-based): the page's image taken as it is
/// (JPEG bytes decoded, Flate samples unpacked) when the page shows one
/// upright image over most of the page, else the page rendered by `pdftoppm`.
pub fn page_image(pdf: &Pdf, bytes: &[u8], number: u32) -> Result<PageImage, OcrError> {
    let pages = pdf.get_pages();
    let &id = pages
        .get(&number)
        .ok_or_else(|| OcrError::Pdf(format!("no page {number}")))?;
    let walk = walk_page(pdf, id);
    let area = media_area(pdf, id);
    let upright = page_rotation(pdf, id) == 0;
    let big: Vec<&Drawn> = walk
        .images
        .iter()
        .filter(|d| area > 0.0 && d.cover / area >= 0.5)
        .collect();
    if let (true, [one]) = (upright, big.as_slice()) {
        let res = resources(pdf, id);
        let stream = one
            .id
            .and_then(|i| pdf.get_object(i).ok())
            .and_then(|o| o.as_stream().ok())
            .or_else(|| xobject(pdf, &res, &one.name).map(|(_, s)| s));
        // Upright and not mirrored: a > 0, d > 0, no shear.
        let plain = one.ctm[0] > 0.0
            && one.ctm[3] > 0.0
            && one.ctm[1].abs() < 1e-3
            && one.ctm[2].abs() < 1e-3;
        if let (Some(stream), true) = (stream, plain) {
            if let Some(image) = embedded_image(pdf, stream)? {
                let width_in = one.ctm[0] / 72.0;
                let dpi = if width_in > 0.0 {
                    (image.width as f32 / width_in).round() as u32
                } else {
                    RENDER_DPI
                };
                return Ok(PageImage {
                    image,
                    dpi: dpi.clamp(50, 1200),
                });
            }
        }
    }
    render(bytes, number)
}

/// Decodes an image XObject when its encoding allows (DCT, Flate, none);
/// `Ok(None)` for encodings left to the renderer (JBIG2, CCITT, JPX, …).
fn embedded_image(pdf: &Pdf, s: &lopdf::Stream) -> Result<Option<Gray>, OcrError> {
    let filters: Vec<Vec<u8>> = match s.dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(|n| n.to_vec()))
            .collect(),
        _ => Vec::new(),
    };
    if s.dict
        .get(b"ImageMask")
        .and_then(|o| o.as_bool())
        .unwrap_or(false)
    {
        return Ok(None);
    }
    match filters
        .iter()
        .map(|f| f.as_slice())
        .collect::<Vec<_>>()
        .as_slice()
    {
        [b"DCTDecode"] => Gray::decode(&s.content).map(Some),
        [] | [b"FlateDecode"] => {
            let data = if filters.is_empty() {
                s.content.clone()
            } else {
                match s.decompressed_content() {
                    Ok(d) => d,
                    Err(_) => return Ok(None),
                }
            };
            Ok(unpack_samples(pdf, &s.dict, &data))
        }
        _ => Ok(None),
    }
}

/// Raw samples (8-bit grey/RGB/CMYK, 1-bit grey) to a grey bitmap.
fn unpack_samples(pdf: &Pdf, dict: &Dictionary, data: &[u8]) -> Option<Gray> {
    let w = dict.get(b"Width").and_then(|o| o.as_i64()).ok()? as usize;
    let h = dict.get(b"Height").and_then(|o| o.as_i64()).ok()? as usize;
    let bpc = dict
        .get(b"BitsPerComponent")
        .and_then(|o| o.as_i64())
        .unwrap_or(8);
    if w == 0 || h == 0 || w > 60_000 || h > 60_000 {
        return None;
    }
    let comps = match dict.get_deref(b"ColorSpace", pdf) {
        Ok(Object::Name(n)) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" => 1,
            b"DeviceRGB" | b"CalRGB" => 3,
            b"DeviceCMYK" => 4,
            _ => return None,
        },
        Ok(Object::Array(a)) if a.first().and_then(|o| o.as_name().ok()) == Some(b"ICCBased") => {
            let n = a
                .get(1)
                .and_then(|o| pdf.dereference(o).ok())
                .and_then(|(_, o)| o.as_stream().ok())
                .and_then(|s| s.dict.get(b"N").and_then(|o| o.as_i64()).ok())
                .unwrap_or(3);
            n as usize
        }
        _ => 1,
    };
    let mut out = Gray::filled(w as u32, h as u32, 255);
    match (bpc, comps) {
        (8, c) if (1..=4).contains(&c) => {
            if data.len() < w * h * c {
                return None;
            }
            for (i, px) in data.chunks_exact(c).take(w * h).enumerate() {
                out.data[i] = match c {
                    3 => raster::grey_without_colour(px[0], px[1], px[2]),
                    4 => {
                        let [r, g, b] = raster::cmyk_to_rgb(px[0], px[1], px[2], px[3]);
                        raster::grey_without_colour(r, g, b)
                    }
                    _ => px[0],
                };
            }
        }
        (1, 1) => {
            let stride = w.div_ceil(8);
            if data.len() < stride * h {
                return None;
            }
            let decode_inverted = matches!(dict.get(b"Decode"), Ok(Object::Array(a)) if a.first().map(num) == Some(1.0));
            for y in 0..h {
                for x in 0..w {
                    let bit = (data[y * stride + x / 8] >> (7 - (x % 8))) & 1;
                    let white = (bit == 1) != decode_inverted;
                    out.data[y * w + x] = if white { 255 } else { 0 };
                }
            }
        }
        _ => return None,
    }
    Some(out.bounded())
}

/// Renders one page with `pdftoppm` (in colour, [`RENDER_DPI`]; coloured
/// marks are taken out as for embedded colour images).
pub fn render(bytes: &[u8], number: u32) -> Result<PageImage, OcrError> {
    let dir = std::env::temp_dir();
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("kehoach-ocr-{}-{seq}.pdf", std::process::id()));
    std::fs::write(&path, bytes)
        .map_err(|e| OcrError::Pdf(format!("cannot write a temporary file: {e}")))?;
    let out = Command::new("pdftoppm")
        .args([
            "-f",
            &number.to_string(),
            "-l",
            &number.to_string(),
            "-r",
            &RENDER_DPI.to_string(),
        ])
        .arg(&path)
        .stdin(Stdio::null())
        .output();
    // Best effort: a leftover temporary file is harmless.
    let _ = std::fs::remove_file(&path);
    let out = out.map_err(|e| {
        OcrError::MissingTool(format!(
            "page {number} holds an image encoding that must be rendered, and `pdftoppm` cannot be run ({e}): install the Debian package {POPPLER_PACKAGE}"
        ))
    })?;
    if !out.status.success() {
        return Err(OcrError::Pdf(format!(
            "pdftoppm could not render page {number}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let image = parse_pgm(&out.stdout)
        .ok_or_else(|| OcrError::Pdf(format!("pdftoppm gave no image for page {number}")))?;
    Ok(PageImage {
        image: image.bounded(),
        dpi: RENDER_DPI,
    })
}

/// Parses binary PGM (P5, 8-bit) or PPM (P6, 8-bit RGB, coloured marks taken out).
fn parse_pgm(b: &[u8]) -> Option<Gray> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 && i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let s = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&b[s..i]).ok()?.to_string());
    }
    i += 1;
    if fields.len() < 4 || !matches!(fields[0].as_str(), "P5" | "P6") || fields[3] != "255" {
        return None;
    }
    let (w, h): (u32, u32) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    if fields[0] == "P6" {
        let n = (w as usize).checked_mul(h as usize)?.checked_mul(3)?;
        return Some(Gray::from_rgb(w, h, b.get(i..i + n)?));
    }
    let data = b.get(i..i + w as usize * h as usize)?.to_vec();
    Some(Gray {
        width: w,
        height: h,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pgm() {
        let mut b = b"P5\n# c\n2 1\n255\n".to_vec();
        b.extend([0u8, 200]);
        let g = parse_pgm(&b).expect("pgm");
        assert_eq!((g.width, g.height, g.data.clone()), (2, 1, vec![0, 200]));
        let mut b = b"P6\n2 1\n255\n".to_vec();
        b.extend([20u8, 20, 20, 205, 40, 45]);
        let g = parse_pgm(&b).expect("ppm");
        assert!(g.data[0] < 30 && g.data[1] > 220);
    }

    #[test]
    fn page_weights_follow_the_image_bytes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/scans/300/000_9b75833fe1e96175.pdf");
        let bytes = std::fs::read(path).expect("fixture scan");
        let pdf = load(&bytes).expect("fixture PDF opens");
        // Page 4 holds a few lines, page 1 a full page of text.
        let w = page_weights(&pdf, &[1, 4, 99]);
        assert!(w[0] > 2 * w[1] && w[1] > 10_000, "{w:?}");
        assert_eq!(w[2], 0);
    }

    #[test]
    fn stamp_only_pages_are_scanned() {
        let k = PageKind {
            number: 1,
            text_chars: 12,
            image_cover: 0.95,
        };
        assert!(k.is_scanned());
        let t = PageKind {
            number: 1,
            text_chars: 2000,
            image_cover: 0.0,
        };
        assert!(!t.is_scanned());
    }
}

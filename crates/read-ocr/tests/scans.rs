//! Scanned plans end to end, with the real tesseract engine.
//!
//! One test reads every fixture scan once (`fixtures/scans/{300,200,ccitt}/*.pdf`,
//! made by `scripts/render_scans.py`) and the bad inputs, pages in parallel,
//! and checks everything: the five seeds at 300 dpi against the gold records
//! (row F1 ≥ 0.95, mean task-field accuracy ≥ 0.85, in Rust and with the
//! contract scorer `scripts/score.py`), the 200 dpi scans against a lower
//! floor, the office cases of `fixtures/scans/cases` (colour with seals
//! and stamps, sideways and upside-down pages, a blank back page, a dense
//! table; each file on its own: row F1 ≥ 0.95 and field ≥ 0.80 at 200 dpi,
//! ≥ 0.85 for the dense table at 300 dpi), and a blank page, an upside-down page, a noise
//! "photo" and a 50-page scan: warnings, never a panic.
//!
//! The engine must be installed (Debian packages `tesseract-ocr
//! tesseract-ocr-vie`); without it the test fails and says so.

use kehoach_doc::{Block, Document};
use kehoach_plan::{Format, Plan, Source};
use kehoach_read_ocr::raster::Gray;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Floors for the 300 dpi scans (the acceptance bar).
const MIN_ROW_F1_300: f64 = 0.95;
const MIN_FIELD_300: f64 = 0.85;
/// The "resolution" of the CCITT G4 scan (`fixtures/scans/ccitt`, 300 dpi
/// bilevel, held to the 300 dpi floors).
const CCITT: u32 = 1;
/// Floors for the 200 dpi scans (measured: see the printed scores).
const MIN_ROW_F1_200: f64 = 0.90;
const MIN_FIELD_200: f64 = 0.80;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn plan_of(doc: &Document, name: &str) -> Plan {
    let source = Source {
        path: name.into(),
        sha256: String::new(),
        format: Format::Ocr,
        pages: doc.page_count,
    };
    kehoach_extract::extract(doc, source)
}

/// Text as the scorer compares it: normalised, tone marks canonical.
fn norm(s: &Option<String>) -> String {
    s.as_deref()
        .map(kehoach_text::normalize)
        .unwrap_or_default()
}

fn similarity(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    1.0 - prev[b.len()] as f64 / a.len().max(b.len()) as f64
}

/// Row F1 and mean task-field accuracy (over all gold rows), rows aligned in
/// order by content similarity ≥ 0.8 (as `scripts/score.py` does).
fn score(gold: &Plan, pred: &Plan) -> (f64, f64) {
    let (g, p) = (&gold.tasks, &pred.tasks);
    let sim: Vec<Vec<bool>> = g
        .iter()
        .map(|gt| {
            p.iter()
                .map(|pt| similarity(&norm(&gt.content), &norm(&pt.content)) >= 0.8)
                .collect()
        })
        .collect();
    // Longest chain of matches in order.
    let mut dp = vec![vec![0usize; p.len() + 1]; g.len() + 1];
    for i in (0..g.len()).rev() {
        for j in (0..p.len()).rev() {
            dp[i][j] = if sim[i][j] {
                dp[i + 1][j + 1] + 1
            } else {
                dp[i + 1][j].max(dp[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < g.len() && j < p.len() {
        if sim[i][j] && dp[i][j] == dp[i + 1][j + 1] + 1 {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if dp[i + 1][j] >= dp[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    let found = pairs.len() as f64;
    let f1 = if g.is_empty() && p.is_empty() {
        1.0
    } else {
        2.0 * found / (g.len() + p.len()) as f64
    };
    let seq_map: std::collections::HashMap<u32, u32> =
        pairs.iter().map(|&(a, b)| (p[b].seq, g[a].seq)).collect();
    let mut right = 0usize;
    for &(a, b) in &pairs {
        let (gt, pt) = (&g[a], &p[b]);
        let parent = pt.parent.and_then(|q| seq_map.get(&q).copied());
        let checks = [
            norm(&gt.number) == norm(&pt.number),
            norm(&gt.section) == norm(&pt.section),
            gt.level == pt.level,
            gt.parent == parent,
            norm(&gt.content) == norm(&pt.content),
            norm(&gt.lead) == norm(&pt.lead),
            norm(&gt.support) == norm(&pt.support),
            norm(&gt.deadline) == norm(&pt.deadline),
            norm(&gt.product) == norm(&pt.product),
            gt.due.as_ref().map(|d| d.kind) == pt.due.as_ref().map(|d| d.kind),
            gt.due.as_ref().map(|d| d.by.clone()) == pt.due.as_ref().map(|d| d.by.clone()),
        ];
        right += checks.iter().filter(|c| **c).count();
    }
    let field = if g.is_empty() {
        1.0
    } else {
        right as f64 / (g.len() * 11) as f64
    };
    (f1, field)
}

fn gold() -> Vec<(String, Plan)> {
    let mut out: Vec<(String, Plan)> = std::fs::read_dir(root().join("fixtures/gold"))
        .expect("fixtures/gold")
        .flatten()
        .map(|e| {
            let plan: Plan =
                serde_json::from_str(&std::fs::read_to_string(e.path()).expect("gold readable"))
                    .expect("gold is a plan");
            (stem(&e.path()), plan)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(out.len(), 5, "five gold plans");
    out
}

/// A minimal image-only PDF: one DCT (JPEG) image per page, `dpi` resolution.
fn image_pdf(pages: &[(Vec<u8>, u32, u32)], dpi: f32) -> Vec<u8> {
    let mut objs: Vec<Vec<u8>> = vec![Vec::new(), Vec::new()];
    let mut kids = Vec::new();
    for (jpeg, w, h) in pages {
        let (pw, ph) = (*w as f32 * 72.0 / dpi, *h as f32 * 72.0 / dpi);
        let mut img = format!(
            "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
            jpeg.len()
        )
        .into_bytes();
        img.extend_from_slice(jpeg);
        img.extend_from_slice(b"\nendstream");
        objs.push(img);
        let img_id = objs.len();
        let content = format!("q {pw:.2} 0 0 {ph:.2} 0 0 cm /Im0 Do Q");
        objs.push(
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            )
            .into_bytes(),
        );
        let c_id = objs.len();
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2} {ph:.2}] /Resources << /XObject << /Im0 {img_id} 0 R >> >> /Contents {c_id} 0 R >>"
            )
            .into_bytes(),
        );
        kids.push(objs.len());
    }
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
    let kid_refs: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
    objs[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kid_refs.join(" "),
        kids.len()
    )
    .into_bytes();
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn encode(g: &Gray, format: image::ImageFormat) -> Vec<u8> {
    let img = image::GrayImage::from_raw(g.width, g.height, g.data.clone()).expect("buffer size");
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// A deterministic "photo": smooth blotches and grain, no text.
fn noise_photo(w: u32, h: u32) -> Gray {
    let mut g = Gray::filled(w, h, 0);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let base = 128.0 + 60.0 * ((x as f32 / 37.0).sin() * (y as f32 / 53.0).cos());
            let v = base + (state % 64) as f32 - 32.0;
            g.data[(y * w + x) as usize] = v.clamp(0.0, 255.0) as u8;
        }
    }
    g
}

/// The scans of office cases (`fixtures/scans/cases`, made by
/// `scripts/render_scan_cases.py`): file name prefix, floors (row F1, mean
/// field), and the reader warnings each must carry.
const CASES: &[(&str, f64, f64, &[&str])] = &[
    // Colour at 200 dpi (RGB and CMYK JPEG), received stamp, seal and
    // signature, a page upside down.
    (
        "colour",
        MIN_ROW_F1_300,
        MIN_FIELD_200,
        &[kehoach_read_ocr::ROTATED_CODE],
    ),
    // 200 dpi, appendix pages fed sideways (90° and 270°), a page skewed 4°,
    // a blank back page with show-through.
    (
        "turned",
        MIN_ROW_F1_300,
        MIN_FIELD_200,
        &[
            kehoach_read_ocr::ROTATED_CODE,
            kehoach_read_ocr::BLANK_PAGE_CODE,
        ],
    ),
    // A dense table in a narrow sans-serif font at 300 dpi (cells merged
    // down several rows, row groups with shifted column rules), held to the
    // acceptance bar.
    ("dense", MIN_ROW_F1_300, MIN_FIELD_300, &[]),
];

enum Job {
    Case(PathBuf),
    Scan(u32, PathBuf),
    Blank,
    UpsideDown,
    Photo,
    Long,
}

enum Outcome {
    Case(String, Box<Plan>, Document),
    Scan(u32, String, Box<Plan>, Document),
    Other(&'static str, Result<Document, kehoach_read_ocr::OcrError>),
}

#[test]
fn scanned_plans_and_bad_input() {
    if let Err(e) = kehoach_read_ocr::engine::check() {
        panic!(
            "{e}\nThe OCR tests need the engine: apt-get install {}",
            kehoach_read_ocr::TESSERACT_PACKAGES
        );
    }
    let mut jobs = Vec::new();
    // `CCITT`: a 300 dpi bilevel CCITT G4 scan, which is rendered by pdftoppm.
    for dpi in [300u32, 200, CCITT] {
        let sub = if dpi == CCITT {
            "ccitt".to_string()
        } else {
            dpi.to_string()
        };
        let dir = root().join(format!("fixtures/scans/{sub}"));
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (make it with scripts/render_scans.py)",
                    dir.display()
                )
            })
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .collect();
        files.sort();
        let want = if dpi == CCITT { 1 } else { 5 };
        assert_eq!(files.len(), want, "scans in {}", dir.display());
        jobs.extend(files.into_iter().map(|f| Job::Scan(dpi, f)));
    }
    let cases_dir = root().join("fixtures/scans/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (make it with scripts/render_scan_cases.py)",
                cases_dir.display()
            )
        })
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    cases.sort();
    assert_eq!(cases.len(), CASES.len(), "scans in {}", cases_dir.display());
    jobs.extend(cases.into_iter().map(Job::Case));
    jobs.extend([Job::Blank, Job::UpsideDown, Job::Photo, Job::Long]);

    // A real page (the first page of a 200 dpi scan) for the upside-down and long inputs.
    let sample_pdf =
        std::fs::read(root().join("fixtures/scans/200/001_0d47e3459e23ee36.pdf")).expect("fixture");
    let sample = {
        let pdf = kehoach_read_ocr::pdf::load(&sample_pdf).expect("fixture PDF opens");
        kehoach_read_ocr::pdf::page_image(&pdf, &sample_pdf, 1)
            .expect("page image")
            .image
    };

    let outcomes: Vec<Outcome> = jobs
        .into_par_iter()
        .map(|job| match job {
            Job::Case(path) => {
                let bytes = std::fs::read(&path).expect("scan readable");
                assert!(kehoach_read_ocr::is_scanned_pdf(&bytes));
                let doc = kehoach_read_ocr::read_scanned_pdf(&bytes, &[]).expect("scan read");
                let plan = plan_of(&doc, &path.display().to_string());
                Outcome::Case(stem(&path), Box::new(plan), doc)
            }
            Job::Scan(dpi, path) => {
                let bytes = std::fs::read(&path).expect("scan readable");
                assert!(
                    kehoach_read_ocr::is_scanned_pdf(&bytes),
                    "{} is a scan",
                    path.display()
                );
                let doc = kehoach_read_ocr::read_scanned_pdf(&bytes, &[]).expect("scan read");
                let plan = plan_of(&doc, &path.display().to_string());
                Outcome::Scan(dpi, stem(&path), Box::new(plan), doc)
            }
            Job::Blank => {
                let png = encode(&Gray::filled(1240, 1754, 250), image::ImageFormat::Png);
                Outcome::Other("blank", kehoach_read_ocr::read_image(&png))
            }
            Job::UpsideDown => {
                let png = encode(&sample.rotated_180(), image::ImageFormat::Png);
                Outcome::Other("upside-down", kehoach_read_ocr::read_image(&png))
            }
            Job::Photo => {
                let jpeg = encode(&noise_photo(1200, 900), image::ImageFormat::Jpeg);
                Outcome::Other("photo", kehoach_read_ocr::read_image(&jpeg))
            }
            Job::Long => {
                // 50 pages at 100 dpi: the sample page halved, every fifth page blank.
                let small = sample.shrink(2);
                let page = encode(&small, image::ImageFormat::Jpeg);
                let blank = encode(
                    &Gray::filled(small.width, small.height, 255),
                    image::ImageFormat::Jpeg,
                );
                let pages: Vec<(Vec<u8>, u32, u32)> = (0..50)
                    .map(|i| {
                        (
                            if i % 5 == 4 {
                                blank.clone()
                            } else {
                                page.clone()
                            },
                            small.width,
                            small.height,
                        )
                    })
                    .collect();
                let pdf = image_pdf(&pages, 100.0);
                assert!(kehoach_read_ocr::is_scanned_pdf(&pdf));
                Outcome::Other("50 pages", kehoach_read_ocr::read_scanned_pdf(&pdf, &[]))
            }
        })
        .collect();

    let gold = gold();
    let pred_dir = std::env::temp_dir().join(format!("kehoach-ocr-scores-{}", std::process::id()));
    let mut failures = Vec::new();
    for dpi in [300u32, 200, CCITT] {
        let label = if dpi == CCITT {
            "ccitt (300 dpi, G4)".to_string()
        } else {
            format!("{dpi} dpi")
        };
        let dir = pred_dir.join(dpi.to_string());
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (mut f1s, mut fields) = (Vec::new(), Vec::new());
        for o in &outcomes {
            let Outcome::Scan(d, name, plan, doc) = o else {
                continue;
            };
            if *d != dpi {
                continue;
            }
            std::fs::write(
                dir.join(format!("{name}.json")),
                serde_json::to_string(plan).expect("json"),
            )
            .expect("write");
            let (_, g) = gold
                .iter()
                .find(|(s, _)| s == name)
                .expect("gold for every scan");
            let (f1, field) = score(g, plan);
            println!(
                "{label} {name}: rows {}/{} row F1 {f1:.3} field {field:.3}",
                plan.tasks.len(),
                g.tasks.len()
            );
            assert_eq!(plan.source.format, Format::Ocr);
            assert_eq!(doc.pages.len() as u32, doc.page_count.unwrap_or(0));
            // Every cell with text has a confidence and a box on its page.
            for b in doc.blocks() {
                if let Block::Table(t) = b {
                    for c in t.rows.iter().flat_map(|r| &r.cells) {
                        assert!(c.pos.page.is_some() && c.pos.bbox.is_some());
                        if !c.text.is_empty() {
                            assert!(c.confidence.is_some_and(|x| (0.0..=1.0).contains(&x)));
                        }
                    }
                }
            }
            assert!(
                plan.tasks.iter().all(|t| t.confidence.is_some()),
                "{name}: task confidence"
            );
            f1s.push(f1);
            fields.push(field);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let (f1, field) = (mean(&f1s), mean(&fields));
        println!("{label}: mean row F1 {f1:.3}, mean field accuracy {field:.3}");
        let (min_f1, min_field) = if dpi == 300 || dpi == CCITT {
            (MIN_ROW_F1_300, MIN_FIELD_300)
        } else {
            (MIN_ROW_F1_200, MIN_FIELD_200)
        };
        if f1 < min_f1 || field < min_field {
            failures.push(format!(
                "{label}: row F1 {f1:.3} (min {min_f1}), field {field:.3} (min {min_field})"
            ));
        }
    }
    // The contract's own scorer on the 300 dpi records.
    let status = std::process::Command::new("python3")
        .arg(root().join("scripts/score.py"))
        .arg(root().join("fixtures/gold"))
        .arg(pred_dir.join("300"))
        .args([
            "--min-row-f1",
            &MIN_ROW_F1_300.to_string(),
            "--min-field-acc",
            &MIN_FIELD_300.to_string(),
        ])
        .status()
        .expect("python3 runs the contract scorer (scripts/score.py)");
    let _ = std::fs::remove_dir_all(&pred_dir);
    if !status.success() {
        failures.push("scripts/score.py thresholds not met at 300 dpi".into());
    }

    // Office cases: each file on its own against its seed's gold record.
    for o in &outcomes {
        let Outcome::Case(name, plan, doc) = o else {
            continue;
        };
        let (kind, seed) = name.split_once('_').expect("case_<seed stem>");
        let &(_, min_f1, min_field, codes) = CASES
            .iter()
            .find(|c| c.0 == kind)
            .unwrap_or_else(|| panic!("{name}: unknown case"));
        let (_, g) = gold
            .iter()
            .find(|(s, _)| s == seed)
            .expect("gold for every case");
        let (f1, field) = score(g, plan);
        let warned: Vec<&str> = doc.warnings.iter().map(|w| w.code.as_str()).collect();
        println!(
            "case {name}: rows {}/{} row F1 {f1:.3} field {field:.3}; warnings {warned:?}",
            plan.tasks.len(),
            g.tasks.len()
        );
        if f1 < min_f1 || field < min_field {
            failures.push(format!(
                "case {name}: row F1 {f1:.3} (min {min_f1}), field {field:.3} (min {min_field})"
            ));
        }
        for code in codes {
            if !warned.contains(code) {
                failures.push(format!("case {name}: no `{code}` warning"));
            }
        }
        if warned.contains(&kehoach_read_ocr::BLANK_PAGE_CODE) {
            // The blank back page is noted, not reported as a poor reading.
            let low = doc
                .warnings
                .iter()
                .any(|w| w.code == "ocr_low_confidence" && w.message.contains("blank"));
            assert!(!low, "{name}: a blank page reported as low confidence");
        }
    }

    for o in &outcomes {
        let Outcome::Other(what, result) = o else {
            continue;
        };
        let doc = match result {
            Ok(d) => d,
            Err(e) => panic!("{what}: {e}"),
        };
        let codes: Vec<&str> = doc.warnings.iter().map(|w| w.code.as_str()).collect();
        println!(
            "{what}: {} pages, warnings {:?}",
            doc.pages.len(),
            doc.warnings
        );
        let plan = plan_of(doc, what);
        match *what {
            "blank" => {
                assert!(
                    codes.contains(&kehoach_read_ocr::BLANK_PAGE_CODE),
                    "blank page noted"
                );
                assert!(
                    !codes.contains(&"ocr_low_confidence"),
                    "a blank page is no low confidence"
                );
                assert!(doc.pages[0].blocks.is_empty());
                assert!(plan.tasks.is_empty());
            }
            "upside-down" => {
                assert!(
                    codes.contains(&kehoach_read_ocr::ROTATED_CODE),
                    "upside-down page detected"
                );
                let text: String = doc
                    .blocks()
                    .filter_map(|b| {
                        if let Block::Paragraph(p) = b {
                            Some(kehoach_text::fold(&p.text))
                        } else {
                            None
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                assert!(text.contains("ke hoach"), "upside-down page read: {text}");
            }
            "photo" => {
                assert!(codes.contains(&"ocr_low_confidence"), "photo warned");
                assert!(plan.tasks.is_empty());
            }
            _ => {
                assert_eq!(doc.pages.len(), 50);
                assert!(
                    codes
                        .iter()
                        .filter(|c| **c == kehoach_read_ocr::BLANK_PAGE_CODE)
                        .count()
                        >= 10,
                    "blank pages noted"
                );
                assert!(doc.pages.iter().filter(|p| !p.blocks.is_empty()).count() >= 40);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! PDF read (+ extract) throughput on the seed renderings in fixtures/pdf/, in pages/s.
//!
//! `cargo bench -p kehoach-benches --bench pdf`. Single-threaded, so the
//! figure is per core; the goal for text-layer plans is at least 200 pages/s.
//! Criterion reports `elem/s`: one element is one page.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kehoach_plan::{Format, Source};

fn pdfs(family: &str) -> Vec<(String, Vec<u8>)> {
    kehoach_benches::files(&format!("fixtures/pdf/{family}"), "pdf")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("pdf");
    for family in ["lo", "cairo"] {
        let files = pdfs(family);
        assert!(
            !files.is_empty(),
            "fixtures/pdf/{family} holds the seed renderings"
        );
        let pages: u64 = files
            .iter()
            .map(|(_, b)| {
                kehoach_read_pdf::read(b)
                    .map(|d| d.pages.len() as u64)
                    .unwrap_or(0)
            })
            .sum();
        g.throughput(Throughput::Elements(pages));
        g.bench_function(
            BenchmarkId::new("read", format!("{family} ({pages} pages)")),
            |b| {
                b.iter(|| {
                    files
                        .iter()
                        .map(|(_, bytes)| {
                            kehoach_read_pdf::read(bytes)
                                .map(|d| d.pages.len())
                                .unwrap_or(0)
                        })
                        .sum::<usize>()
                })
            },
        );
        g.bench_function(
            BenchmarkId::new("read+extract", format!("{family} ({pages} pages)")),
            |b| {
                b.iter(|| {
                    let mut tasks = 0;
                    for (name, bytes) in &files {
                        let doc = kehoach_read_pdf::read(bytes).expect("fixtures read");
                        let src = Source {
                            path: name.clone(),
                            sha256: String::new(),
                            format: Format::Pdf,
                            pages: doc.page_count,
                        };
                        tasks += kehoach_extract::extract(&doc, src).tasks.len();
                    }
                    assert!(tasks > 0);
                    tasks
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

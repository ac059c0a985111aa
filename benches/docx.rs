//! DOCX read + extract throughput on the DOCX fixtures (`fixtures/docx`):
//! plans per second and MB/s of DOCX input.
//!
//! `cargo bench -p kehoach-benches --bench docx`. Two figures: `docx/read`
//! (unzip, XML, document model, legacy-font conversion) and
//! `docx/read+extract`; criterion reports both as elements (plans) per second
//! and, in the `docx-bytes` group, as bytes per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kehoach_plan::{Format, Source};

fn fixtures() -> Vec<(String, Vec<u8>)> {
    kehoach_benches::files("fixtures/docx", "docx")
}

fn run(files: &[(String, Vec<u8>)], extract: bool) -> usize {
    let mut n = 0;
    for (name, bytes) in files {
        let doc = kehoach_read_docx::read(bytes).expect("fixtures are DOCX");
        n += doc.pages.len();
        if extract {
            let src = Source {
                path: name.clone(),
                sha256: String::new(),
                format: Format::Docx,
                pages: None,
            };
            n += kehoach_extract::extract(&doc, src).tasks.len();
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let files = fixtures();
    assert!(!files.is_empty(), "fixtures/docx holds the DOCX renderings");
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let label = format!("{} plans", files.len());
    for (group, throughput) in [
        ("docx", Throughput::Elements(files.len() as u64)),
        ("docx-bytes", Throughput::Bytes(total as u64)),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(throughput);
        g.bench_function(BenchmarkId::new("read", &label), |b| {
            b.iter(|| run(&files, false))
        });
        g.bench_function(BenchmarkId::new("read+extract", &label), |b| {
            b.iter(|| run(&files, true))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

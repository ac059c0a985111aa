//! Normalise + extract throughput on the bundled corpus, in MB/s.
//!
//! `cargo bench -p kehoach-benches --bench extract`. The figure that matters
//! is the `corpus/read+extract` throughput (one core: the benchmark is
//! single-threaded); the goal is at least 50 MB/s. `normalize` alone is
//! reported for comparison.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kehoach_benches::corpus_texts;
use kehoach_plan::{Format, Source};

fn bench(c: &mut Criterion) {
    let texts = corpus_texts();
    assert!(!texts.is_empty(), "corpus/ holds the sample plans");
    let total: usize = texts.iter().map(|(_, b)| b.len()).sum();

    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function(
        BenchmarkId::new("read+extract", format!("{} plans", texts.len())),
        |b| {
            b.iter(|| {
                let mut tasks = 0;
                for (name, bytes) in &texts {
                    let doc = kehoach_read_text::read(bytes).expect("corpus plans are text");
                    let src = Source {
                        path: name.clone(),
                        sha256: String::new(),
                        format: Format::Text,
                        pages: None,
                    };
                    tasks += kehoach_extract::extract(&doc, src).tasks.len();
                }
                assert!(tasks > 0);
                tasks
            })
        },
    );
    let strings: Vec<String> = texts
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    g.bench_function("normalize", |b| {
        b.iter(|| {
            strings
                .iter()
                .map(|s| kehoach_text::normalize(s).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

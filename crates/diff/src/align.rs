//! One-to-one alignment of the task records of two plans.
//!
//! Every pair of tasks gets a content similarity (see [`crate::sim`]). Pairs
//! at or above the threshold are candidates; each candidate's score adds small
//! context bonuses (similar parent headings, equal number, equal section,
//! equal level, similar relative position) that break ties between equally
//! similar texts. Candidates are taken greedily by descending score, each task
//! at most once, so a task is never paired with an unrelated one just to fill
//! a slot.

use crate::sim::{masked_tokens, similarity, Interner, Profile};
use kehoach_plan::Task;

/// One aligned pair: indexes into the two task lists and their content similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// Index into the first plan's tasks.
    pub a: usize,
    /// Index into the second plan's tasks.
    pub b: usize,
    /// Content similarity in `0.0..=1.0`.
    pub similarity: f64,
}

/// The text a task is aligned on: its content, else its product, else its
/// lead, support and deadline cells together.
pub fn task_text(t: &Task) -> String {
    if let Some(c) = t.content.as_deref().filter(|c| !c.trim().is_empty()) {
        return c.to_string();
    }
    if let Some(p) = t.product.as_deref().filter(|c| !c.trim().is_empty()) {
        return p.to_string();
    }
    [
        t.lead.as_deref(),
        t.support.as_deref(),
        t.deadline.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Aligns `a` with `b`. Pairs below `threshold` content similarity are never made.
/// The result is sorted by `a`.
pub fn align(a: &[Task], b: &[Task], threshold: f64) -> Vec<Pair> {
    let mut interner = Interner::default();
    let pa: Vec<Profile> = a
        .iter()
        .map(|t| Profile::new(&masked_tokens(&task_text(t)), &mut interner))
        .collect();
    let pb: Vec<Profile> = b
        .iter()
        .map(|t| Profile::new(&masked_tokens(&task_text(t)), &mut interner))
        .collect();
    let parent_a = parent_index(a);
    let parent_b = parent_index(b);

    // Content similarity of every pair, kept for the parent-context bonus.
    let sims: Vec<Vec<f64>> = pa
        .iter()
        .map(|x| pb.iter().map(|y| similarity(x, y)).collect())
        .collect();

    let na = a.len().max(1) as f64;
    let nb = b.len().max(1) as f64;
    let mut cands: Vec<(f64, usize, usize)> = Vec::new();
    for (i, row) in sims.iter().enumerate() {
        for (j, &s) in row.iter().enumerate() {
            let (ta, tb) = (&a[i], &b[j]);
            let both_blank = pa[i].is_empty() && pb[j].is_empty();
            let s = if both_blank && ta.number == tb.number && ta.number.is_some() {
                1.0
            } else {
                s
            };
            if s < threshold {
                continue;
            }
            let mut score = s;
            score += 0.10
                * match (parent_a[i], parent_b[j]) {
                    (Some(x), Some(y)) => sims[x][y],
                    (None, None) => 1.0,
                    _ => 0.0,
                };
            if ta.number.is_some() && ta.number == tb.number {
                score += 0.03;
            }
            if ta.section.is_some() && ta.section == tb.section {
                score += 0.02;
            }
            if ta.level == tb.level {
                score += 0.02;
            } else if (ta.level == 0) != (tb.level == 0) {
                score -= 0.10;
            }
            let pos = (i as f64 / na - j as f64 / nb).abs();
            score += 0.05 * (1.0 - pos.min(1.0));
            cands.push((score, i, j));
        }
    }
    // Descending score; ties by document order so the result is deterministic.
    cands.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let sim_of = |i: usize, j: usize| {
        if pa[i].is_empty() && pb[j].is_empty() {
            1.0
        } else {
            sims[i][j]
        }
    };

    // Pass 1: greedy over every candidate.
    let first = greedy(&cands, a.len(), b.len(), |_, _| true);
    // Near-copies (next year's edition of the same plan): an unrelated task of
    // the same template can look 60% similar, so ask for more.
    let near_copy = !first.is_empty()
        && first.iter().filter(|&&(i, j)| sim_of(i, j) >= 0.95).count() * 5 >= first.len() * 3;
    let floor = if near_copy {
        threshold.max(NEAR_COPY_THRESHOLD)
    } else {
        threshold
    };
    // Pass 2: keep the pairs that follow document order (heaviest increasing
    // chain), and out-of-order pairs only when they are clearly the same task.
    let chain = heaviest_chain(&first, &sim_of);
    let mut keep: Vec<(usize, usize)> = first
        .iter()
        .copied()
        .filter(|&(i, j)| {
            let s = sim_of(i, j);
            s >= floor && (chain.contains(&(i, j)) || s >= MOVED_THRESHOLD)
        })
        .collect();
    // Pass 3: fill the gaps with order-consistent candidates.
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    for &(i, j) in &keep {
        used_a[i] = true;
        used_b[j] = true;
    }
    let mut ordered: Vec<(usize, usize)> =
        keep.iter().copied().filter(|p| chain.contains(p)).collect();
    ordered.sort_unstable();
    for &(_, i, j) in &cands {
        if used_a[i] || used_b[j] || sim_of(i, j) < floor {
            continue;
        }
        let at = ordered.partition_point(|&(x, _)| x < i);
        let after_prev = at == 0 || ordered[at - 1].1 < j;
        let before_next = at == ordered.len() || ordered[at].1 > j;
        if after_prev && before_next {
            used_a[i] = true;
            used_b[j] = true;
            ordered.insert(at, (i, j));
            keep.push((i, j));
        }
    }
    let mut pairs: Vec<Pair> = keep
        .into_iter()
        .map(|(i, j)| Pair {
            a: i,
            b: j,
            similarity: sim_of(i, j),
        })
        .collect();
    pairs.sort_by_key(|p| p.a);
    pairs
}

/// Below this similarity, plans that are near-copies of each other do not pair tasks.
const NEAR_COPY_THRESHOLD: f64 = 0.65;
/// A pair that breaks document order is kept only at this similarity or above.
const MOVED_THRESHOLD: f64 = 0.8;

/// Takes candidates in order, each task at most once.
fn greedy(
    cands: &[(f64, usize, usize)],
    na: usize,
    nb: usize,
    ok: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut used_a = vec![false; na];
    let mut used_b = vec![false; nb];
    let mut out = Vec::new();
    for &(_, i, j) in cands {
        if used_a[i] || used_b[j] || !ok(i, j) {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        out.push((i, j));
    }
    out
}

/// The pairs of the heaviest chain increasing in both indexes (weights: similarity).
fn heaviest_chain(
    pairs: &[(usize, usize)],
    sim: &impl Fn(usize, usize) -> f64,
) -> std::collections::HashSet<(usize, usize)> {
    let mut ps = pairs.to_vec();
    ps.sort_unstable();
    let n = ps.len();
    let mut best = vec![0.0f64; n];
    let mut prev = vec![usize::MAX; n];
    for k in 0..n {
        best[k] = sim(ps[k].0, ps[k].1);
        for l in 0..k {
            if ps[l].1 < ps[k].1 && best[l] + sim(ps[k].0, ps[k].1) > best[k] {
                best[k] = best[l] + sim(ps[k].0, ps[k].1);
                prev[k] = l;
            }
        }
    }
    let mut out = std::collections::HashSet::new();
    let mut k = (0..n)
        .max_by(|&x, &y| best[x].total_cmp(&best[y]).then(y.cmp(&x)))
        .unwrap_or(usize::MAX);
    while k != usize::MAX {
        out.insert(ps[k]);
        k = prev[k];
    }
    out
}

/// For each task, the index of its parent task (by `seq`) in the same list.
fn parent_index(tasks: &[Task]) -> Vec<Option<usize>> {
    let by_seq: std::collections::HashMap<u32, usize> =
        tasks.iter().enumerate().map(|(i, t)| (t.seq, i)).collect();
    tasks
        .iter()
        .map(|t| t.parent.and_then(|p| by_seq.get(&p).copied()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(seq: u32, content: &str) -> Task {
        Task {
            seq,
            content: Some(content.to_string()),
            ..Task::default()
        }
    }

    #[test]
    fn pairs_reordered_tasks_and_leaves_unrelated_ones() {
        let a = vec![
            task(1, "Tổ chức hội nghị tập huấn nghiệp vụ"),
            task(2, "Rà soát thủ tục hành chính"),
        ];
        let b = vec![
            task(1, "Rà soát các thủ tục hành chính"),
            task(2, "Mua sắm trang thiết bị văn phòng"),
        ];
        let pairs = align(&a, &b, 0.5);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (1, 0));
    }

    #[test]
    fn duplicates_follow_document_order() {
        let a = vec![task(1, "Báo cáo kết quả"), task(2, "Báo cáo kết quả")];
        let b = a.clone();
        let pairs = align(&a, &b, 0.5);
        assert_eq!(
            pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
            vec![(0, 0), (1, 1)]
        );
    }
}

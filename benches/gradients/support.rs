//! What every workload needs: deterministic data, central finite differences, a
//! heap counter for the memory figures, the criterion settings, and the check that
//! every method computes the same gradient before any of them is timed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};

// ---------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------

/// A 64-bit linear congruential generator (Knuth's MMIX constants), as in
/// tests/models.rs: deterministic data without a dependency.
pub struct Lcg(pub u64);

impl Lcg {
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }

    /// Uniform in [-scale, scale).
    pub fn symmetric(&mut self, scale: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        scale * (2.0 * unit - 1.0)
    }

    /// Uniform in 0..n (high bits: the low bits of an LCG are weak).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 33) % n as u64) as usize
    }

    pub fn vec(&mut self, len: usize, scale: f64) -> Vec<f64> {
        (0..len).map(|_| self.symmetric(scale)).collect()
    }
}

// ---------------------------------------------------------------------------------
// Central finite differences: the black-box baseline, 2n evaluations of f
// ---------------------------------------------------------------------------------

/// (f(x), ∇f(x)) by central differences with the step ε^(1/3)·max(1, |xᵢ|), which
/// balances truncation against round-off for a smooth f.
pub fn central_differences(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> (f64, Vec<f64>) {
    let value = f(x);
    let mut probe = x.to_vec();
    let mut grad = vec![0.0; x.len()];
    for (i, g) in grad.iter_mut().enumerate() {
        let xi = x[i];
        let h = f64::EPSILON.cbrt() * xi.abs().max(1.0);
        probe[i] = xi + h;
        let up = f(&probe);
        probe[i] = xi - h;
        let down = f(&probe);
        probe[i] = xi;
        *g = (up - down) / (2.0 * h);
    }
    (value, grad)
}

// ---------------------------------------------------------------------------------
// Heap high-water mark
// ---------------------------------------------------------------------------------

// The one place that needs `unsafe`: a global allocator that counts bytes. Every
// method is measured under it, so its (small) cost is the same for all of them.
// `alloc_zeroed` and `realloc` go straight to the system allocator, so `vec![0.0; n]`
// stays a lazily zeroed `calloc` and growing a tape stays an in-place `realloc`.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

pub struct CountingAllocator;

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

/// The most heap bytes `run` had allocated at once beyond what was live before it
/// (its result included, since that is still live when it returns).
pub fn heap_peak_during<T>(run: impl FnOnce() -> T) -> (usize, T) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = run();
    (PEAK.load(Ordering::Relaxed) - base, out)
}

/// The peak extra memory of one gradient call: the heap it allocates (gradient
/// buffers, the adjoints of local buffers, a tape) plus what it records on `ad`'s value
/// stack, which is reused capacity and so invisible to the heap counter once warm.
#[derive(Clone, Debug)]
pub struct MemoryRow {
    pub workload: String,
    pub method: &'static str,
    pub inputs: usize,
    pub heap: usize,
    pub stack: usize,
}

/// Measures a warm call of `run` (the second one, so the value stack has grown).
pub fn memory_of<T>(
    workload: &str,
    method: &'static str,
    inputs: usize,
    run: impl Fn() -> T,
) -> MemoryRow {
    drop(run());
    ad::stack::reset_peak();
    let (heap, out) = heap_peak_during(&run);
    drop(out);
    MemoryRow {
        workload: workload.to_string(),
        method,
        inputs,
        heap,
        stack: ad::stack::peak().bytes(),
    }
}

// ---------------------------------------------------------------------------------
// Criterion settings and results
// ---------------------------------------------------------------------------------

/// Where criterion writes, the way it decides by default (without asking cargo).
pub fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// The median in nanoseconds criterion estimated for `group/method` in this run,
/// if it ran (an estimate older than `started` is from an earlier run).
pub fn median(group: &str, method: &str, started: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(method)
        .join("new/estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < started {
        return None;
    }
    let json = std::fs::read_to_string(&path).ok()?;
    // {"mean":{…},"median":{"confidence_interval":{…},"point_estimate":X,…},…}
    let rest = &json[json.find("\"median\"")?..];
    let rest = &rest[rest.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

/// How long one call of the slowest method of a group takes, roughly: the group's
/// sampling is chosen from it so that the whole run stays within minutes.
#[derive(Clone, Copy)]
pub enum Cost {
    /// Up to a millisecond or so: 60 samples in 2 s.
    Small,
    /// Up to ~100 ms: 20 samples in 3 s.
    Medium,
    /// Up to a second: 10 samples of one call each.
    Large,
}

pub fn group<'a>(c: &'a mut Criterion, name: &str, cost: Cost) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    match cost {
        Cost::Small => {
            group
                .sample_size(60)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(2));
        }
        Cost::Medium => {
            group
                .sample_size(20)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(3));
        }
        Cost::Large => {
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_secs(3));
        }
    }
    group
}

// ---------------------------------------------------------------------------------
// Agreement
// ---------------------------------------------------------------------------------

/// Panics unless `actual` agrees with `expected` entry by entry to
/// `rel·max(|a|, |e|) + abs·scale`, where `scale` is the largest |expected| entry: a
/// benchmark of a wrong gradient is worthless.
pub fn assert_agree(what: &str, actual: &[f64], expected: &[f64], rel: f64, abs: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    let scale = expected.iter().fold(0.0_f64, |m, e| m.max(e.abs()));
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let allowed = rel * a.abs().max(e.abs()) + abs * scale;
        assert!(
            (a - e).abs() <= allowed,
            "{what}[{i}]: got {a:e}, expected {e:e} (allowed {allowed:e})"
        );
    }
}

/// Panics unless two values agree to `rel`.
pub fn assert_value(what: &str, actual: f64, expected: f64, rel: f64) {
    assert!(
        (actual - expected).abs() <= rel * expected.abs().max(1e-300),
        "{what}: value {actual:e}, expected {expected:e}"
    );
}

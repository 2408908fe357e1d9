//! Property test: whatever tokens the attribute gets, the expansion returns, without
//! panicking, either Rust that parses or the user's item with `compile_error!`s.
//! Inputs are the filetests' functions and programs in the supported grammar,
//! mutated: tokens dropped, swapped or repeated, unsupported constructs spliced in.
//! `PROPTEST_CASES=N` runs more; failures are kept in `proptest-regressions/`.

use proc_macro2::{TokenStream, TokenTree};
use proptest::prelude::*;

/// Functions in the supported grammar, the mutations' starting points.
const SEEDS: &[&str] = &[
    "fn f(x: f64, y: f64) -> f64 { let t = (x * y).exp(); t / (1.0 + y.ln()) + f64::sin(x) }",
    "fn g(mut x: f64, n: i32) -> f64 { x *= x; let mut s = x; { let x = 3.0; s -= x; } return s.powi(n) / x; }",
    "fn h(x: f64, d: f64) -> f64 { let a = x.abs(); if a <= d { 0.5 * x * x } else { d * (a - 0.5 * d) } }",
    "fn p(x: f64, n: usize) -> f64 { let mut acc = 0.0; for k in 0..n { acc = acc * x + (k as f64).sin(); } acc }",
    "fn q(a: f64) -> f64 { let mut y = a; while (y * y - a).abs() > 1e-12 * a { y = 0.5 * (y + a / y); } y }",
    "fn r(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() - 1 { let a = x[i + 1] - x[i] * x[i]; s += a * a; } s }",
    "fn s(x: f64, k: i32) -> f64 { match k { 0 => x, 1 | 2 => x * x, 3..=5 => x.sin(), _ => x.exp() } }",
    "fn t(w: &[f64], n: usize) -> f64 { let mut a = vec![0.0; n]; for i in 0..n { a[i] = w[i % w.len()].tanh(); } let r = loop { if a[0] > 0.0 { break a[0]; } a[0] += 1.0; }; r }",
    "fn u(x: f64, y: f64) -> f64 { if x < 0.0 { return y; } let mut z = x; for _ in 0..3 { if z > 9.0 { break; } z *= y; } square(z) + ad::no_grad(y) }",
];

/// Constructs the macro rejects, spliced in as statements.
const UNSUPPORTED: &[&str] = &[
    "let c = |v: f64| v * 2.0;",
    "let u = unsafe { x };",
    "let m = format!(\"{}\", 1);",
    "let (a, b) = (1.0, 2.0);",
    "'outer: loop { break 'outer; }",
    "let z = async { 1.0 };",
    "let q = Some(1.0)?;",
    "let w = x.to_degrees();",
    "let v = helper(x);",
    "x = x % 2.0;",
    "let t: f64;",
    "static mut S: f64 = 0.0;",
    "impl Foo {}",
    "let k = x as MyFloat;",
];

fn tokens_of(source: &str) -> Vec<TokenTree> {
    source
        .parse::<TokenStream>()
        .expect("seed sources tokenize")
        .into_iter()
        .collect()
}

#[derive(Clone, Debug)]
enum Mutation {
    Drop(usize),
    Swap(usize),
    Repeat(usize),
    Splice(usize, usize),
    Attribute(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        any::<usize>().prop_map(Mutation::Swap),
        any::<usize>().prop_map(Mutation::Repeat),
        (any::<usize>(), any::<usize>()).prop_map(|(at, which)| Mutation::Splice(at, which)),
        any::<usize>().prop_map(Mutation::Attribute),
    ]
}

/// Attribute arguments: well-formed, ill-formed, naming parameters or not.
const ARGS: &[&str] = &[
    "",
    "wrt(x)",
    "wrt(x, y)",
    "wrt(z)",
    "wrt(n)",
    "wrt()",
    "wrt(x = 1)",
    "foo",
    "wrt(x)(",
    "wrt(w)",
];

/// Applies a mutation to the body's tokens (the group of the function body).
fn mutate(mut top: Vec<TokenTree>, mutation: &Mutation) -> (Vec<TokenTree>, usize) {
    let mut args = 0;
    let Some(TokenTree::Group(body)) = top.pop() else {
        return (top, args);
    };
    let mut inner: Vec<TokenTree> = body.stream().into_iter().collect();
    let len = inner.len().max(1);
    match *mutation {
        Mutation::Drop(at) => {
            if !inner.is_empty() {
                inner.remove(at % len);
            }
        }
        Mutation::Swap(at) => {
            if inner.len() > 1 {
                let at = at % (inner.len() - 1);
                inner.swap(at, at + 1);
            }
        }
        Mutation::Repeat(at) => {
            if !inner.is_empty() {
                let token = inner[at % len].clone();
                inner.insert(at % len, token);
            }
        }
        Mutation::Splice(at, which) => {
            // At a statement boundary: after a `;` or at the start.
            let boundaries: Vec<usize> = std::iter::once(0)
                .chain(inner.iter().enumerate().filter_map(|(k, t)| match t {
                    TokenTree::Punct(p) if p.as_char() == ';' => Some(k + 1),
                    _ => None,
                }))
                .collect();
            let position = boundaries[at % boundaries.len()];
            let spliced = tokens_of(UNSUPPORTED[which % UNSUPPORTED.len()]);
            inner.splice(position..position, spliced);
        }
        Mutation::Attribute(which) => args = which % ARGS.len(),
    }
    let group = proc_macro2::Group::new(body.delimiter(), inner.into_iter().collect());
    top.push(TokenTree::Group(group));
    (top, args)
}

fn check_expansion(item: TokenStream, args: TokenStream) {
    let parses_as_fn = syn::parse2::<syn::ItemFn>(item.clone()).is_ok();
    let expanded = std::panic::catch_unwind(|| crate::expand::expand(args.clone(), item.clone()));
    let Ok(expanded) = expanded else {
        panic!("expansion panicked on `#[differentiate({args})] {item}`");
    };
    if parses_as_fn {
        if let Err(error) = syn::parse2::<syn::File>(expanded.clone()) {
            panic!("expansion of `{item}` is not valid Rust ({error}):\n{expanded}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn expansion_never_panics_and_emits_valid_rust(
        seed in 0..SEEDS.len(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let mut tokens = tokens_of(SEEDS[seed]);
        let mut args = 0;
        for mutation in &mutations {
            let (mutated, chosen) = mutate(tokens, mutation);
            tokens = mutated;
            if chosen != 0 {
                args = chosen;
            }
        }
        let args: TokenStream = ARGS[args].parse().unwrap_or_default();
        check_expansion(tokens.into_iter().collect(), args);
    }
}

#[test]
fn every_unsupported_construct_gives_an_error_not_a_panic() {
    for seed in SEEDS {
        for construct in UNSUPPORTED {
            let source = seed.replacen('{', &format!("{{ {construct}"), 1);
            let item: TokenStream = source.parse().expect("spliced source tokenizes");
            check_expansion(item, TokenStream::new());
        }
    }
}

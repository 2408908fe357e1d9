//! How long the macro takes to expand (issue 21, compile time): the whole pipeline
//! from tokens to tokens, on a generated function of 1 000 operations and on the GMM
//! objective of `benches/gradients/gmm.rs` with `hessian`. `cargo bench -p ad-macro
//! --bench expansion`. The target is under 50 ms each.
//!
//! A proc-macro crate exports only its macros, so this bench compiles the macro's
//! modules itself, as `lib.rs` declares them.

// Compiled as a bench, the modules see `cfg(test)` and their tests, unused here.
#![allow(dead_code, unused_imports)]

#[path = "../src/adjoint/mod.rs"]
mod adjoint;
#[path = "../src/analysis/mod.rs"]
mod analysis;
#[path = "../src/args.rs"]
mod args;
#[path = "../src/ast.rs"]
mod ast;
#[path = "../src/ctxt.rs"]
mod ctxt;
#[path = "../src/custom.rs"]
mod custom;
#[path = "../src/debug.rs"]
mod debug;
#[path = "../src/derive.rs"]
mod derive;
#[path = "../src/desugar/mod.rs"]
mod desugar;
#[path = "../src/emit/mod.rs"]
mod emit;
#[path = "../src/expand.rs"]
mod expand;
#[path = "../src/fallback.rs"]
mod fallback;
#[path = "../src/fields.rs"]
mod fields;
#[path = "../src/ir/mod.rs"]
mod ir;
#[path = "../src/lower/mod.rs"]
mod lower;
#[path = "../src/opt/mod.rs"]
mod opt;
#[path = "../src/rules.rs"]
mod rules;
#[path = "../src/tangent/mod.rs"]
mod tangent;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use proc_macro2::TokenStream;
use quote::ToTokens;

/// A function of `n` operations as a person might write a long formula: `let`s of
/// arithmetic and elementary functions on the inputs and earlier values, with a
/// loop every fifty lines.
fn generated(n: usize) -> TokenStream {
    let mut body = String::from("let mut t0 = x[0] * y;\n");
    let functions = ["sin", "exp", "tanh", "sqrt", "ln_1p"];
    let mut operations = 1;
    let mut k = 1;
    while operations < n {
        let (a, b) = (k - 1, k / 2);
        let line = match k % 5 {
            0 => format!("let t{k} = t{a} * t{b} + x[{}];\n", k % 7),
            1 => format!(
                "let t{k} = (t{a} * t{a}).{}() - y;\n",
                functions[k % functions.len()]
            ),
            2 => format!("let t{k} = t{a} / (1.0 + t{b} * t{b});\n"),
            3 => format!("let t{k} = t{a}.max(t{b}) * 0.5 + t{b}.cos();\n"),
            _ => format!("let t{k} = t{a} - 0.25 * t{b} * y;\n"),
        };
        operations += line.matches(['*', '+', '-', '/', '(']).count();
        body.push_str(&line);
        if k % 50 == 0 {
            body.push_str(&format!(
                "t0 = t{k};\nfor i in 0..x.len() {{ t0 = t0 * 0.5 + x[i] * t{k}; }}\n"
            ));
            operations += 4;
        }
        k += 1;
    }
    body.push_str(&format!("t{} + t0\n", k - 1));
    format!("fn long(x: &[f64], y: f64) -> f64 {{ {body} }}")
        .parse()
        .expect("valid tokens")
}

/// The `#[differentiate]` functions of a source file, as (arguments, item) pairs.
fn differentiated(source: &str) -> Vec<(TokenStream, TokenStream)> {
    let file: syn::File = syn::parse_str(source).expect("a Rust file");
    file.items
        .into_iter()
        .filter_map(|item| {
            let syn::Item::Fn(mut item) = item else {
                return None;
            };
            let at = item.attrs.iter().position(|a| {
                a.path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "differentiate")
            })?;
            let attr = item.attrs.remove(at);
            let args = match attr.meta {
                syn::Meta::List(list) => list.tokens,
                _ => TokenStream::new(),
            };
            Some((args, item.into_token_stream()))
        })
        .collect()
}

fn main() {
    let long = generated(1000);
    let gmm = differentiated(include_str!("../../benches/gradients/gmm.rs"));
    assert_eq!(gmm.len(), 1, "the GMM objective");
    let (gmm_args, gmm_item) = gmm.into_iter().next().expect("one function");
    // Both expand to code, not to errors.
    for (args, item) in [
        (TokenStream::new(), long.clone()),
        (gmm_args.clone(), gmm_item.clone()),
    ] {
        let expanded = expand::expand(args, item).to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
    }

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args();
    let mut group = criterion.benchmark_group("expansion");
    group.bench_function("generated 1000 operations", |b| {
        b.iter(|| expand::expand(TokenStream::new(), black_box(long.clone())))
    });
    group.bench_function("gmm objective (hessian)", |b| {
        b.iter(|| expand::expand(gmm_args.clone(), black_box(gmm_item.clone())))
    });
    group.finish();
    criterion.final_summary();
}

//! Filetests: each file in `testdata/<pass>/` starts with a Rust function in `; `
//! comment lines, followed by what the pipeline makes of it after `<pass>`:
//! the IR after `lower` or `adjoint`, or the generated Rust after `expand`.
//! `AD_BLESS=1 cargo test -p ad-macro` rewrites the expectations; review the diff.

use crate::args::Args;
use crate::ast::FnInput;
use crate::ctxt::Ctxt;
use std::path::Path;

fn run_pass(pass: &str, source: &str) -> String {
    let item: syn::ItemFn = syn::parse_str(source).expect("test source parses as a fn");
    if pass == "expand" {
        let tokens = crate::expand::expand(proc_macro2::TokenStream::new(), quote::quote!(#item));
        let file: syn::File = syn::parse2(tokens).expect("expansion parses as Rust");
        return prettyplease::unparse(&file);
    }
    let ctxt = Ctxt::default();
    let input = FnInput::from_syn(&item, &Args::default(), &ctxt).expect("signature is supported");
    let (primal, adjoint) = match crate::expand::transform(&input, ctxt) {
        Ok(irs) => irs,
        Err(error) => panic!("test source rejected: {error}"),
    };
    let func = match pass {
        "lower" => primal,
        "adjoint" => adjoint,
        _ => panic!("unknown pass {pass}"),
    };
    format!("{func}\n")
}

fn run_dir(pass: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(pass);
    let bless = std::env::var_os("AD_BLESS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata directory exists")
        .map(|entry| entry.expect("readable testdata entry").path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no filetests in {}", dir.display());
    let mut failures = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable filetest");
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with(';')).collect();
        let source: String = header
            .iter()
            .map(|l| l.strip_prefix("; ").unwrap_or(l.trim_start_matches(';')))
            .collect::<Vec<_>>()
            .join("\n");
        let expected: String = text
            .lines()
            .skip(header.len())
            .map(|l| format!("{l}\n"))
            .collect();
        let actual = run_pass(pass, &source);
        if bless {
            std::fs::write(&path, format!("{}\n{actual}", header.join("\n")))
                .expect("writable filetest");
        } else if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "filetests failed (AD_BLESS=1 to accept):\n{}",
        failures.join("\n")
    );
}

#[test]
fn lower() {
    run_dir("lower");
}

#[test]
fn adjoint() {
    run_dir("adjoint");
}

#[test]
fn expand() {
    run_dir("expand");
}

//! Filetests over `testdata/<dir>/`, of two kinds (Cranelift's filetests and
//! rustc's mir-opt tests are the models).
//!
//! **From Rust** (`lower/`, `adjoint/`, `expand/`): the file starts with a Rust
//! function in `; ` comment lines, followed by what the pipeline makes of it after
//! `<dir>`: the IR after `lower`, after `adjoint` and the optimisations, or the
//! generated Rust after `expand`.
//!
//! **From IR text**: the file starts with `; test: <what>` and its input is IR text
//! (the format of `ir/display.rs`), which `ir::parse` reads:
//!
//! - `; test: adjoint`: activity, record and the adjoint transformation (no
//!   optimisation) of the primal IR;
//! - `; test: opt <carry|window|cse|dce>`: that optimisation of the adjoint IR;
//! - `; test: emit`, with `; signature: fn f(x: f64) -> f64`: the generated Rust;
//! - `; test: verify`: malformed IR with one `; error: <text>` at the end of the
//!   offending line or on the line after it. The verifier must reject the IR with
//!   a message that contains `<text>` and names an instruction, value or region of
//!   that line.
//!
//! The expectation of the others is either `; check: <text>` lines (each must be
//! found in a line of the output, in order; `; nextln: <text>` in the line right
//! after the previous match; `; not: <text>` in no line between the previous and
//! the next match), or else the whole output in `; ` comment lines after the input.
//!
//! `AD_BLESS=1 cargo test -p ad-macro filetests` rewrites the whole-output
//! expectations of both kinds; review the diff. Each test also checks that the IR
//! it meets reads back from its text unchanged (`round_trip_*`).

use crate::args::Args;
use crate::ast::FnInput;
use crate::ctxt::Ctxt;
use crate::ir::parse::{parse, parse_with_lines};
use crate::ir::verify::verify;
use crate::ir::{Function, ParamKind};
use std::path::{Path, PathBuf};

fn testdata(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(dir)
}

fn bless() -> bool {
    std::env::var_os("AD_BLESS").is_some()
}

/// Runs every file of `testdata/<dir>`, each as the kind its first line says.
fn run_dir(dir: &str) {
    let mut paths: Vec<_> = std::fs::read_dir(testdata(dir))
        .expect("testdata directory exists")
        .map(|entry| entry.expect("readable testdata entry").path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no filetests in testdata/{dir}");
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).expect("readable filetest");
            let outcome = if text.starts_with("; test:") {
                run_ir_file(path, &text)
            } else {
                run_rust_file(dir, path, &text)
            };
            outcome
                .err()
                .map(|failure| format!("{}:\n{failure}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "filetests failed (AD_BLESS=1 to accept new whole outputs):\n{}",
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

#[test]
fn opt() {
    run_dir("opt");
}

#[test]
fn emit() {
    run_dir("emit");
}

#[test]
fn verify_rejects() {
    run_dir("verify");
}

/// What the text cannot write (each instruction, region and definition is written
/// once, where it is), made by editing what it can.
#[test]
fn verify_rejects_what_text_cannot_write() {
    let func = parse(
        "fn f(v0 x: f64) -> f64 {
            v1: bool = const true
            v3: f64 = if v1 {
                v2: f64 = sin v0
                yield v2
            } else {
                yield v0
            }
            return v3
        }",
    )
    .expect("valid IR text");
    assert_eq!(verify(&func), Ok(()));
    let branch = func.regions[func.body].insts[1];
    let [then, otherwise] = func.inst_regions(branch)[..] else {
        panic!("an `if` has two regions");
    };
    let sin = func.regions[then].insts[0];

    let mut in_two_regions = func.clone();
    in_two_regions.regions[otherwise].insts.push(sin);
    let error = verify(&in_two_regions).expect_err("an instruction in two regions");
    assert!(
        error.contains(&format!("{sin} is in more than one region")),
        "{error}"
    );

    let mut owned_twice = func.clone();
    owned_twice.insts[branch].op = crate::ir::Op::If {
        then,
        otherwise: then,
    };
    let error = verify(&owned_twice).expect_err("a region of two instructions");
    assert!(
        error.contains(&format!("{then} belongs to 2 instructions")),
        "{error}"
    );

    let mut claimed = func.clone();
    let x = claimed.params[0]
        .value
        .expect("a primal parameter has a value");
    claimed.values[x].def = crate::ir::ValueDef::Result(sin, 0);
    let error = verify(&claimed).expect_err("a parameter defined elsewhere");
    assert!(
        error.contains(&format!("{x} is not defined by parameter 0")),
        "{error}"
    );
}

/// The README's "How it works" shows `readme.ir` of `lower/` and `adjoint/` as they are.
#[test]
fn the_readme_shows_the_readme_filetests() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README is beside the workspace");
    for dir in ["lower", "adjoint"] {
        let path = testdata(dir).join("readme.ir");
        let text = std::fs::read_to_string(&path).expect("readable filetest");
        let ir: String = text
            .lines()
            .filter(|l| !l.starts_with(';'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            readme.contains(&ir),
            "README.md should show {} as it is:\n{ir}",
            path.display()
        );
    }
}

// Files from Rust.

/// The Rust function in a file's leading `; ` lines, and the lines themselves.
fn rust_header(text: &str) -> (Vec<&str>, String) {
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with(';')).collect();
    let source = header
        .iter()
        .map(|l| l.strip_prefix("; ").unwrap_or(l.trim_start_matches(';')))
        .collect::<Vec<_>>()
        .join("\n");
    (header, source)
}

fn run_rust_file(pass: &str, path: &Path, text: &str) -> Result<(), String> {
    let (header, source) = rust_header(text);
    let expected: String = text
        .lines()
        .skip(header.len())
        .map(|l| format!("{l}\n"))
        .collect();
    let actual = run_pass(pass, &source);
    if bless() {
        std::fs::write(path, format!("{}\n{actual}", header.join("\n")))
            .expect("writable filetest");
        return Ok(());
    }
    if actual != expected {
        return Err(format!("--- expected\n{expected}--- actual\n{actual}"));
    }
    Ok(())
}

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
        _ => panic!("unknown pass {pass}; files from Rust are for lower, adjoint and expand"),
    };
    format!("{func}\n")
}

// Files from IR text.

/// A directive line: `; <name>: <text>`.
fn directive<'t>(line: &'t str, name: &str) -> Option<&'t str> {
    let rest = line.trim_start().strip_prefix(';')?.trim_start();
    Some(rest.strip_prefix(name)?.strip_prefix(':')?.trim())
}

const DIRECTIVES: [&str; 6] = ["test", "signature", "check", "nextln", "not", "error"];

fn is_directive(line: &str) -> bool {
    DIRECTIVES
        .iter()
        .any(|name| directive(line, name).is_some())
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with(';') || line.trim().is_empty()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Check {
    /// `check:`: in a line after the previous match.
    Later,
    /// `nextln:`: in the line right after the previous match.
    Next,
    /// `not:`: in no line between the previous match and the next.
    Not,
}

/// A file of IR text, taken apart.
struct IrFile<'t> {
    test: Vec<&'t str>,
    signature: Option<&'t str>,
    checks: Vec<(Check, &'t str)>,
    /// The line (1-based) each `; error:` is about, and its text.
    errors: Vec<(usize, &'t str)>,
    /// The input: from its first line that is not a comment to its last.
    input: String,
    /// The text up to the end of the input, which blessing keeps.
    head: String,
    /// The `; ` lines after the input that are not directives, without `; `.
    expected: String,
}

impl<'t> IrFile<'t> {
    fn read(text: &'t str) -> Result<IrFile<'t>, String> {
        let lines: Vec<&str> = text.lines().collect();
        let first = lines.iter().position(|l| !is_comment(l));
        let last = lines.iter().rposition(|l| !is_comment(l));
        let (Some(first), Some(last)) = (first, last) else {
            return Err("no IR after the directives".into());
        };
        let mut file = IrFile {
            test: Vec::new(),
            signature: None,
            checks: Vec::new(),
            errors: Vec::new(),
            input: lines[first..=last].join("\n"),
            head: lines[..=last].join("\n"),
            expected: String::new(),
        };
        let mut code_line = 0;
        for (k, &line) in lines.iter().enumerate() {
            if !is_comment(line) {
                code_line = k + 1;
                if let Some(at) = line.find("; error:") {
                    file.errors
                        .push((k + 1, line[at + "; error:".len()..].trim()));
                }
            }
            if let Some(test) = directive(line, "test") {
                file.test = test.split_whitespace().collect();
            } else if let Some(signature) = directive(line, "signature") {
                file.signature = Some(signature);
            } else if let Some(error) = directive(line, "error") {
                file.errors.push((code_line, error));
            } else if let Some(text) = directive(line, "check") {
                file.checks.push((Check::Later, text));
            } else if let Some(text) = directive(line, "nextln") {
                file.checks.push((Check::Next, text));
            } else if let Some(text) = directive(line, "not") {
                file.checks.push((Check::Not, text));
            }
        }
        file.expected = lines[last + 1..]
            .iter()
            .filter(|l| !is_directive(l))
            .map(|l| {
                let l = l.strip_prefix(';').unwrap_or(l);
                format!("{}\n", l.strip_prefix(' ').unwrap_or(l))
            })
            .collect();
        Ok(file)
    }
}

fn run_ir_file(path: &Path, text: &str) -> Result<(), String> {
    let file = IrFile::read(text)?;
    if file.test == ["verify"] {
        return run_verify(&file);
    }
    if !file.errors.is_empty() {
        return Err("`; error:` is for `; test: verify`".into());
    }
    let mut func = parse(&file.input)?;
    verify(&func).map_err(|e| format!("the input IR is invalid: {e}"))?;
    let actual = match file.test[..] {
        ["adjoint"] => format!("{}\n", adjoint_of(&func)?),
        ["opt", name] => {
            optimisation(name)?(&mut func);
            verify(&func).map_err(|e| format!("invalid IR after {name}: {e}\n{func}"))?;
            format!("{func}\n")
        }
        ["emit"] => {
            let signature = file
                .signature
                .ok_or("`; test: emit` needs `; signature: fn …`")?;
            emit_from(signature, &func)?
        }
        _ => {
            return Err(format!(
                "unknown `; test: {}`; expected adjoint, opt <name>, emit or verify",
                file.test.join(" ")
            ))
        }
    };
    if !file.checks.is_empty() {
        return run_checks(&file.checks, &actual);
    }
    let commented: String = actual
        .lines()
        .map(|l| {
            if l.is_empty() {
                ";\n".into()
            } else {
                format!("; {l}\n")
            }
        })
        .collect();
    if bless() {
        std::fs::write(path, format!("{}\n{commented}", file.head)).expect("writable filetest");
        return Ok(());
    }
    if actual != file.expected {
        return Err(format!(
            "--- expected\n{}--- actual\n{actual}",
            file.expected
        ));
    }
    Ok(())
}

/// The adjoint of a primal function, as the pipeline makes it before optimising.
fn adjoint_of(primal: &Function) -> Result<Function, String> {
    let ctxt = Ctxt::default();
    let activity = crate::analysis::activity::analyse(primal, &ctxt);
    ctxt.check()
        .map_err(|e| format!("activity analysis rejects the input: {e}"))?;
    let reads = crate::adjoint::reads(primal, &activity);
    let record = crate::analysis::record::analyse(primal, &reads);
    let adjoint = crate::adjoint::adjoint(primal, &activity, &record)?;
    verify(&adjoint).map_err(|e| format!("invalid IR after adjoint: {e}\n{adjoint}"))?;
    Ok(adjoint)
}

/// The optimisation `OPTIMISATIONS` (`expand.rs`) lists under `name`.
fn optimisation(name: &str) -> Result<fn(&mut Function), String> {
    crate::expand::OPTIMISATIONS
        .iter()
        .find(|(pass, _)| *pass == name)
        .map(|&(_, optimise)| optimise)
        .ok_or_else(|| {
            let names: Vec<&str> = crate::expand::OPTIMISATIONS
                .iter()
                .map(|(n, _)| *n)
                .collect();
            format!(
                "unknown optimisation {name}; expected one of {}",
                names.join(", ")
            )
        })
}

/// The Rust emitted for an adjoint function, with the user's signature `signature`
/// and the differentiable parameters the IR's say.
fn emit_from(signature: &str, func: &Function) -> Result<String, String> {
    let item: syn::ItemFn = syn::parse_str(&format!("{signature} {{}}"))
        .map_err(|e| format!("`; signature:` is not a fn signature: {e}"))?;
    let ctxt = Ctxt::default();
    let input = FnInput::from_syn(&item, &Args::default(), &ctxt);
    ctxt.check()
        .map_err(|e| format!("unsupported signature: {e}"))?;
    let mut input = input.ok_or("unsupported signature")?;
    for param in &mut input.params {
        param.wrt = func.params.iter().any(
            |p| matches!(&p.kind, ParamKind::Primal { name, wrt: true } if *name == param.ident),
        );
    }
    let tokens = crate::emit::emit(&input, func);
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("the emitted code is not Rust: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// Cranelift's `check:`, `nextln:` and `not:` on the lines of `output`.
fn run_checks(checks: &[(Check, &str)], output: &str) -> Result<(), String> {
    let lines: Vec<&str> = output.lines().collect();
    let mut next = 0;
    let mut nots: Vec<&str> = Vec::new();
    let fail = |what: String| Err(format!("{what}\n--- output\n{output}"));
    for &(kind, text) in checks {
        let found = match kind {
            Check::Not => {
                nots.push(text);
                continue;
            }
            Check::Later => (next..lines.len()).find(|&k| lines[k].contains(text)),
            Check::Next => Some(next).filter(|&k| lines.get(k).is_some_and(|l| l.contains(text))),
        };
        let Some(found) = found else {
            let name = if kind == Check::Next {
                "nextln"
            } else {
                "check"
            };
            return fail(format!("`{name}: {text}` not found after line {next}"));
        };
        if let Some(not) = nots
            .iter()
            .find(|not| lines[next..found].iter().any(|l| l.contains(**not)))
        {
            return fail(format!("`not: {not}` found before `{text}`"));
        }
        nots.clear();
        next = found + 1;
    }
    if let Some(not) = nots
        .iter()
        .find(|not| lines[next..].iter().any(|l| l.contains(**not)))
    {
        return fail(format!("`not: {not}` found after the last check"));
    }
    Ok(())
}

fn run_verify(file: &IrFile) -> Result<(), String> {
    let [(line, expected)] = file.errors[..] else {
        return Err("a verifier test has exactly one `; error:`".into());
    };
    let parsed = parse_with_lines(&file.input)?;
    // The input starts at the file's first line that is not a comment.
    let offset = file.head.lines().count() - file.input.lines().count();
    let message = match verify(&parsed.func) {
        Ok(()) => return Err(format!("the verifier accepts it:\n{}", parsed.func)),
        Err(message) => message,
    };
    if !message.contains(expected) {
        return Err(format!(
            "expected an error with `{expected}`, got `{message}`"
        ));
    }
    let named = parsed
        .entities
        .get(&(line - offset))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let names = |entity: &String| {
        message
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == entity)
    };
    if !named.iter().any(names) {
        return Err(format!(
            "`{message}` names nothing of line {line} ({})",
            named.join(" ")
        ));
    }
    Ok(())
}

// Round trips: the text of every function the pipeline makes reads back as it.

/// Every stage of the pipeline for `input`: the primal IR, the adjoint and the IR
/// after each optimisation.
fn stages(input: &FnInput) -> Result<Vec<(&'static str, Function)>, String> {
    let ctxt = Ctxt::default();
    let body = crate::desugar::desugar(input, &ctxt);
    let primal = crate::lower::lower(input, &body, &ctxt);
    ctxt.check().map_err(|e| e.to_string())?;
    let mut func = adjoint_of(&primal)?;
    let mut stages = vec![("lower", primal), ("adjoint", func.clone())];
    for (name, optimise) in crate::expand::OPTIMISATIONS {
        optimise(&mut func);
        stages.push((name, func.clone()));
    }
    Ok(stages)
}

/// `parse(display(f))` displays as `f`, the verifier says the same of both, and
/// the passes after `f` make the same of both.
fn check_round_trip(input: &FnInput) -> Result<(), String> {
    let stages = stages(input)?;
    for (k, (stage, func)) in stages.iter().enumerate() {
        let text = func.to_string();
        let fail = |what: String| Err(format!("after {stage}: {what}\n--- text\n{text}"));
        let parsed = match parse(&text) {
            Ok(parsed) => parsed,
            Err(error) => return fail(error),
        };
        if parsed.to_string() != text {
            return fail(format!("read back as\n{parsed}"));
        }
        if verify(&parsed) != verify(func) {
            return fail(format!("verified as {:?}", verify(&parsed)));
        }
        let next = match (stages.get(k + 1), *stage) {
            (Some((_, _)), "lower") => adjoint_of(&parsed)?,
            (Some((name, _)), _) => {
                let mut next = parsed.clone();
                optimisation(name)?(&mut next);
                next
            }
            (None, _) => {
                let emitted = crate::emit::emit(input, &parsed).to_string();
                if emitted != crate::emit::emit(input, func).to_string() {
                    return fail("emits differently".into());
                }
                continue;
            }
        };
        let (name, expected) = &stages[k + 1];
        if next.to_string() != expected.to_string() {
            return fail(format!("{name} makes of it\n{next}\nnot\n{expected}"));
        }
    }
    if input.forward {
        let (primal, adjoint) = (&stages[0].1, &stages[stages.len() - 1].1);
        let (jvp, hvp) =
            crate::expand::tangents(input, primal, adjoint).map_err(|e| e.to_string())?;
        for (stage, func) in [("jvp", Some(jvp)), ("hvp", hvp)] {
            let Some(func) = func else { continue };
            let text = func.to_string();
            let parsed = parse(&text).map_err(|e| format!("after {stage}: {e}\n{text}"))?;
            if parsed.to_string() != text || verify(&parsed) != verify(&func) {
                return Err(format!(
                    "after {stage}: read back as\n{parsed}\nnot\n{text}"
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn round_trip_filetests() {
    let mut failures = Vec::new();
    for dir in ["lower", "adjoint", "expand"] {
        for entry in std::fs::read_dir(testdata(dir)).expect("testdata directory exists") {
            let path = entry.expect("readable testdata entry").path();
            let text = std::fs::read_to_string(&path).expect("readable filetest");
            if text.starts_with("; test:") {
                continue;
            }
            let item: syn::ItemFn =
                syn::parse_str(&rust_header(&text).1).expect("test source parses as a fn");
            let ctxt = Ctxt::default();
            let input = FnInput::from_syn(&item, &Args::default(), &ctxt);
            ctxt.check().expect("signature is supported");
            if let Err(failure) = check_round_trip(&input.expect("signature is supported")) {
                failures.push(format!("{}: {failure}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The IR-text inputs read back from their own display.
#[test]
fn round_trip_ir_inputs() {
    let mut failures = Vec::new();
    for dir in ["adjoint", "opt", "emit", "verify"] {
        for entry in std::fs::read_dir(testdata(dir)).expect("testdata directory exists") {
            let path = entry.expect("readable testdata entry").path();
            let text = std::fs::read_to_string(&path).expect("readable filetest");
            if !text.starts_with("; test:") {
                continue;
            }
            let file = IrFile::read(&text).expect("a file of IR text");
            let once = parse(&file.input).map(|f| f.to_string());
            let twice = once
                .as_deref()
                .map(|text| parse(text).map(|f| f.to_string()));
            if !matches!((&once, &twice), (Ok(once), Ok(Ok(twice))) if once == twice) {
                failures.push(format!("{}: {once:?}\n{twice:?}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The `#[differentiate]` functions of a Rust file, with their attribute's arguments.
fn differentiated(source: &str) -> Vec<(syn::ItemFn, Args)> {
    struct Collect(Vec<(syn::ItemFn, Args)>);
    impl Collect {
        fn add(&mut self, item: syn::ItemFn) {
            let attr = item.attrs.iter().find(|attr| {
                attr.path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "differentiate")
            });
            let Some(attr) = attr else {
                return;
            };
            let tokens = match &attr.meta {
                syn::Meta::List(list) => list.tokens.clone(),
                _ => proc_macro2::TokenStream::new(),
            };
            if let Ok(args) = Args::parse(tokens) {
                self.0.push((item, args));
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Collect {
        fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
            self.add(item.clone());
            syn::visit::visit_item_fn(self, item);
        }
        fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
            self.add(syn::ItemFn {
                attrs: item.attrs.clone(),
                vis: item.vis.clone(),
                sig: item.sig.clone(),
                block: Box::new(item.block.clone()),
            });
            syn::visit::visit_impl_item_fn(self, item);
        }
    }
    let Ok(file) = syn::parse_file(source) else {
        return Vec::new();
    };
    let mut collect = Collect(Vec::new());
    syn::visit::Visit::visit_file(&mut collect, &file);
    collect.0
}

/// Every function of the workspace's tests and examples, at every stage.
#[test]
fn round_trip_tests_and_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in ["tests", "examples"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("the workspace has tests and examples")
            .map(|entry| entry.expect("readable entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "rs"))
            .collect();
        paths.sort();
        for path in paths {
            let source = std::fs::read_to_string(&path).expect("readable source");
            for (item, args) in differentiated(&source) {
                let ctxt = Ctxt::default();
                let mut input = FnInput::from_syn(&item, &args, &ctxt);
                if let Some(input) = &mut input {
                    crate::fields::find(input, &ctxt);
                }
                let (Ok(()), Some(input)) = (ctxt.check(), input) else {
                    continue;
                };
                checked += 1;
                if let Err(failure) = check_round_trip(&input) {
                    failures.push(format!(
                        "{} `{}`: {failure}",
                        path.display(),
                        item.sig.ident
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} functions found");
    assert!(
        failures.is_empty(),
        "{} of {checked} functions:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

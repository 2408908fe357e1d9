//! Macros that only observe the computation (`assert!`, `debug_assert!`,
//! `assert_eq!`, `println!`, `eprintln!`, …) run as written in the forward sweep
//! and are not differentiated. The locals their arguments name are replaced by the
//! values they hold there; the locals a format string names (`"{x}"`) are bound,
//! by reference, around the macro.

use super::Lowerer;
use crate::ir::{capture_ident, Op, SourceSpan, Value};
use proc_macro2::{TokenStream, TokenTree};

/// The macros passed through to the forward sweep.
const OBSERVING: [&str; 10] = [
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "print",
    "println",
    "eprint",
    "eprintln",
];

impl Lowerer<'_> {
    /// Lowers an observing macro to an `Effect`; `false` for any other macro.
    pub(super) fn lower_effect(&mut self, mac: &syn::Macro) -> bool {
        let Some(name) = mac.path.get_ident() else {
            return false;
        };
        if !OBSERVING.iter().any(|m| name == m) {
            return false;
        }
        let mut captures = Vec::new();
        let tokens = self.substitute_locals(mac.tokens.clone(), &mut captures);
        let explicit = captures.len();
        let mut in_strings = Vec::new();
        named_in_format_strings(&mac.tokens, &mut in_strings);
        let mut implicit = Vec::new();
        for name in in_strings {
            let Ok(mut ident) = syn::parse_str::<syn::Ident>(&name) else {
                continue;
            };
            // Parameters keep their names in the generated code: nothing to bind.
            let renamed = |value| {
                !self.builder.is_param(value)
                    || self.builder.hint(value).as_deref() != Some(name.as_str())
            };
            if let Some(value) = self.lookup(&ident).filter(|&v| renamed(v)) {
                if !implicit.contains(&ident) {
                    ident.set_span(mac.path.segments[0].ident.span());
                    implicit.push(ident);
                    captures.push(value);
                }
            }
        }
        let op = Op::Effect {
            mac: syn::Macro {
                tokens,
                ..mac.clone()
            },
            explicit,
            implicit,
        };
        self.builder
            .inst_multi(op, captures, &[], SourceSpan::of(mac));
        true
    }

    /// The tokens with each identifier naming a local replaced by a capture.
    fn substitute_locals(&self, tokens: TokenStream, captures: &mut Vec<Value>) -> TokenStream {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let is_punct = |k: Option<usize>, c: char| {
            k.and_then(|k| tokens.get(k))
                .is_some_and(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == c))
        };
        let mut out = Vec::with_capacity(tokens.len());
        for (k, token) in tokens.iter().enumerate() {
            let before = k.checked_sub(1);
            // Not a field or method (`.x`), not a path segment (`a::x`, `x::a`),
            // not a macro (`x!`), not a named format argument (`x = …`).
            let named_argument = is_punct(Some(k + 1), '=') && !is_punct(Some(k + 2), '=');
            let in_path = is_punct(before, ':') || is_punct(Some(k + 1), ':');
            let plain =
                !(is_punct(before, '.') || in_path || is_punct(Some(k + 1), '!') || named_argument);
            match token {
                TokenTree::Ident(ident) if plain => match self.lookup(ident) {
                    Some(value) => {
                        let index =
                            captures
                                .iter()
                                .position(|&v| v == value)
                                .unwrap_or_else(|| {
                                    captures.push(value);
                                    captures.len() - 1
                                });
                        out.push(TokenTree::Ident(capture_ident(index)));
                    }
                    None => out.push(token.clone()),
                },
                TokenTree::Group(group) => {
                    let mut inner = proc_macro2::Group::new(
                        group.delimiter(),
                        self.substitute_locals(group.stream(), captures),
                    );
                    inner.set_span(group.span());
                    out.push(TokenTree::Group(inner));
                }
                token => out.push(token.clone()),
            }
        }
        out.into_iter().collect()
    }
}

/// Every `{name}` in the string literals of a macro's tokens.
fn named_in_format_strings(tokens: &TokenStream, names: &mut Vec<String>) {
    for token in tokens.clone() {
        match token {
            TokenTree::Group(group) => named_in_format_strings(&group.stream(), names),
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                let mut rest = text.as_str();
                while let Some(open) = rest.find('{') {
                    rest = &rest[open + 1..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.push(name);
                }
            }
            TokenTree::Ident(_) | TokenTree::Punct(_) => {}
        }
    }
}

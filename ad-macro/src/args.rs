//! The attribute's arguments: `#[differentiate]`, `#[differentiate(wrt(x, w))]`, and
//! the options `forward` and `hessian`.

use proc_macro2::TokenStream;
use syn::parse::Parser;

/// What the attribute says.
#[derive(Default)]
pub struct Args {
    /// The parameters to differentiate with respect to; `None`: every float parameter.
    pub wrt: Option<Vec<syn::Ident>>,
    /// `forward`, where it is written: also `f_jvp`, the forward-mode directional
    /// derivative.
    pub forward: Option<proc_macro2::Span>,
    /// `hessian`, where it is written: also `f_hvp` and `f_hessian` (and what
    /// `forward` gives).
    pub hessian: Option<proc_macro2::Span>,
}

impl Args {
    pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| {
            for (name, flag) in [
                ("forward", &mut args.forward),
                ("hessian", &mut args.hessian),
            ] {
                if meta.path.is_ident(name) {
                    if flag.is_some() {
                        return Err(meta.error(expected(&format!("`{name}` is given twice"))));
                    }
                    *flag = Some(syn::spanned::Spanned::span(&meta.path));
                    return Ok(());
                }
            }
            if !meta.path.is_ident("wrt") {
                return Err(meta.error(expected("unknown argument")));
            }
            if args.wrt.is_some() {
                return Err(meta.error(expected("`wrt` is given twice")));
            }
            let mut names = Vec::new();
            meta.parse_nested_meta(|name| match name.path.get_ident() {
                Some(ident) if name.input.is_empty() || name.input.peek(syn::Token![,]) => {
                    names.push(ident.clone());
                    Ok(())
                }
                _ => Err(name.error(expected("`wrt` takes parameter names"))),
            })?;
            if names.is_empty() {
                return Err(meta.error(expected("`wrt` names no parameter")));
            }
            args.wrt = Some(names);
            Ok(())
        });
        parser.parse2(tokens)?;
        Ok(args)
    }
}

fn expected(problem: &str) -> String {
    format!(
        "{problem}; expected `#[differentiate]`, or options among `wrt(x, y)` naming f32/f64 \
         parameters, `forward` and `hessian`: `#[differentiate(wrt(x, y), hessian)]`"
    )
}

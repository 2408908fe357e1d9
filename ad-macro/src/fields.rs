//! Struct parameters: a parameter of a `Differentiable` struct named in `wrt` (or
//! `self` with `wrt(self)`) becomes one parameter per field the body reads, before
//! anything else sees the body.
//!
//! The macro cannot see the struct's definition, so what a field is comes from how
//! the body reads it: indexed, iterated or sliced (`p.w[i]`, `p.w.iter()`, `&p.w`)
//! it is an array of the function's float type; read in arithmetic (`p.mu * x`) a
//! float; passed to a call or the receiver of a method that is not a float's or a
//! slice's (`norm(&p.layer)`, `self.penalty()`) a whole, whose adjoint the callee
//! adds into; indexed and then read further (`p.layers[k].w[j]`, `&p.layers[k]`) a
//! vector of structs, whose parts lowering reads as projections
//! (`lower/place.rs`); in an integer, boolean or stop-gradient position (`0..p.n`, `x[p.k]`,
//! `p.n as f64`, `if p.flag`, `ad::no_grad(p.c)`) a constant, read from the struct
//! as written (wrapped in a marker that lowering reads as a constant expression). The body is then rewritten to read each field through its own name
//! (`p.w[i]` → `p__w[i]`), and the generated functions bind those names to the
//! fields of the parameter, of its adjoint and of its tangents (`emit::fields`).
//! rustc checks the guesses: a field that is not what its use says is a type error
//! at that use.

use crate::ast::{FieldInput, FieldRole, FnInput};
use crate::ctxt::Ctxt;
use quote::ToTokens;
use syn::visit_mut::VisitMut;

/// The methods that say their receiver is an array.
const ARRAY_METHODS: [&str; 16] = [
    "iter",
    "into_iter",
    "len",
    "is_empty",
    "windows",
    "chunks",
    "chunks_exact",
    "to_vec",
    "clone",
    "first",
    "last",
    "get",
    "split_at",
    "iter_mut",
    "contains",
    "as_slice",
];

/// Finds the fields the body reads of each differentiable struct parameter and
/// records them in `input`; reports reads the macro cannot differentiate yet.
pub fn find(input: &mut FnInput, ctxt: &Ctxt) {
    let roots = struct_roots(input);
    if roots.is_empty() {
        return;
    }
    let mut block = input.item.block.as_ref().clone();
    let mut finder = Fields {
        roots: &roots,
        found: Vec::new(),
        ctxt: Some(ctxt),
        rewrite: false,
    };
    finder.visit_block_mut(&mut block);
    for param in input.params.iter_mut() {
        let Some(fields) = &mut param.fields else {
            continue;
        };
        let root = param.ident.to_string();
        for (path, role, span) in finder.found.iter().filter(|(path, ..)| path.0 == root) {
            match fields.iter_mut().find(|f| f.path == path.1) {
                Some(field) => field.role = merge(field.role, *role, &field.path, *span, ctxt),
                None => fields.push(FieldInput {
                    path: path.1.clone(),
                    ident: virtual_ident(&root, &path.1),
                    role: *role,
                    span: *span,
                }),
            }
        }
    }
}

/// The body with each field read of a differentiable struct parameter replaced by
/// the field's own name.
pub fn rewrite(input: &FnInput, block: &mut syn::Block) {
    let roots = struct_roots(input);
    if roots.is_empty() {
        return;
    }
    Fields {
        roots: &roots,
        found: Vec::new(),
        ctxt: None,
        rewrite: true,
    }
    .visit_block_mut(block);
}

/// The names of the differentiable struct parameters (`self` included).
fn struct_roots(input: &FnInput) -> Vec<String> {
    input
        .params
        .iter()
        .filter(|p| p.fields.is_some())
        .map(|p| p.ident.to_string())
        .collect()
}

/// `p__w` for `p.w`, `self__layer__b` for `self.layer.b`.
fn virtual_ident(root: &str, path: &[syn::Member]) -> syn::Ident {
    let mut name = root.to_string();
    for member in path {
        name.push_str("__");
        match member {
            syn::Member::Named(ident) => name.push_str(&ident.to_string()),
            syn::Member::Unnamed(index) => name.push_str(&index.index.to_string()),
        }
    }
    syn::Ident::new(&name, proc_macro2::Span::call_site())
}

/// One field read two ways: an array that is also passed whole is an array (a
/// callee taking a slice gets it as one); an array read as a float is an error.
fn merge(
    a: FieldRole,
    b: FieldRole,
    path: &[syn::Member],
    span: proc_macro2::Span,
    ctxt: &Ctxt,
) -> FieldRole {
    use FieldRole::*;
    match (a, b) {
        (a, b) if a == b => a,
        (Elements, Array | Whole) | (Array | Whole, Elements) => Elements,
        (Array, Whole) | (Whole, Array) => Array,
        (Constant, other) | (other, Constant) => other,
        _ => {
            ctxt.error_spanned_by(
                quote::quote_spanned!(span=> field),
                format!(
                    "the field `{}` is read here as a float and elsewhere as an array; \
                     #[differentiate] takes a field of a struct parameter as one or the other",
                    path_text(path)
                ),
            );
            a
        }
    }
}

fn path_text(path: &[syn::Member]) -> String {
    path.iter()
        .map(|m| match m {
            syn::Member::Named(ident) => ident.to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

struct Fields<'a> {
    roots: &'a [String],
    /// Each read: (root, path), role, where.
    found: Vec<((String, Vec<syn::Member>), FieldRole, proc_macro2::Span)>,
    /// Where to report; `None` when rewriting (the finder reported already).
    ctxt: Option<&'a Ctxt>,
    rewrite: bool,
}

impl Fields<'_> {
    /// `(root, path)` if `expr` is `root.a.b` (or `root` with an empty path) for a
    /// differentiable struct parameter `root`.
    fn chain(&self, expr: &syn::Expr) -> Option<(String, Vec<syn::Member>)> {
        match expr {
            syn::Expr::Path(path) if path.qself.is_none() => {
                let ident = path.path.get_ident()?.to_string();
                self.roots.contains(&ident).then(|| (ident, Vec::new()))
            }
            syn::Expr::Field(field) => {
                let (root, mut path) = self.chain(&field.base)?;
                path.push(field.member.clone());
                Some((root, path))
            }
            syn::Expr::Paren(paren) => self.chain(&paren.expr),
            _ => None,
        }
    }

    /// Handles `expr` if it is a read of a field in `role`: records it, or rewrites
    /// it to the field's name. Returns whether it was one.
    fn field(&mut self, expr: &mut syn::Expr, role: FieldRole) -> bool {
        let Some((root, path)) = self.chain(expr) else {
            return false;
        };
        if path.is_empty() && !matches!(role, FieldRole::Whole | FieldRole::Constant) {
            // The parameter itself, read otherwise than passed whole: `p.method()`,
            // `let q = p;`.
            if let Some(ctxt) = self.ctxt {
                ctxt.error_spanned_by(
                    &*expr,
                    format!(
                        "#[differentiate] reads a differentiable struct parameter through its \
                         fields (`{root}.w[i]`, `{root}.mu`), passes it whole to a \
                         differentiated function (`helper({root}, x)`) or calls its \
                         differentiated methods (`{root}.penalty()`); it cannot take it apart \
                         or copy it"
                    ),
                );
            }
            return true;
        }
        if role == FieldRole::Constant {
            if !self.rewrite && !path.is_empty() {
                self.found
                    .push(((root, path), role, syn::spanned::Spanned::span(&*expr)));
            }
            return true;
        }
        if self.rewrite {
            if path.is_empty() {
                return true;
            }
            let ident = virtual_ident(&root, &path);
            let span = syn::spanned::Spanned::span(&*expr);
            let ident = syn::Ident::new(&ident.to_string(), span);
            *expr = syn::parse_quote!(#ident);
        } else {
            self.found
                .push(((root, path), role, syn::spanned::Spanned::span(&*expr)));
        }
        true
    }

    /// `p.layers[k]`, an element of a vector of structs: the vector is recorded as
    /// one, the index is read as a constant, the rest stays as written for
    /// lowering (`lower/place.rs`). Returns whether `expr` was one.
    fn element(&mut self, expr: &mut syn::Expr) -> bool {
        let syn::Expr::Index(index) = expr else {
            return false;
        };
        if matches!(&*index.index, syn::Expr::Range(_))
            || !self.field(&mut index.expr, FieldRole::Elements)
        {
            return false;
        }
        self.constant_position(&mut index.index);
        true
    }

    /// Whether a `for` loop runs over a field of a struct parameter (`&p.layers`,
    /// `p.layers.iter()`) binding a name whose fields the body reads: its
    /// elements are structs.
    fn iterates_structs(&self, for_loop: &syn::ExprForLoop) -> bool {
        let iterated = match &*for_loop.expr {
            syn::Expr::Reference(reference) => &reference.expr,
            syn::Expr::MethodCall(call) if call.method == "iter" && call.args.is_empty() => {
                &call.receiver
            }
            _ => return false,
        };
        let syn::Pat::Ident(pattern) = &*for_loop.pat else {
            return false;
        };
        if self.chain(iterated).is_none_or(|(_, path)| path.is_empty()) {
            return false;
        }
        struct ReadsField<'a>(&'a syn::Ident, bool);
        impl<'ast> syn::visit::Visit<'ast> for ReadsField<'_> {
            fn visit_expr_field(&mut self, field: &'ast syn::ExprField) {
                self.1 |= matches!(&*field.base, syn::Expr::Path(p) if p.path.is_ident(self.0));
                syn::visit::visit_expr_field(self, field);
            }
        }
        let mut reads = ReadsField(&pattern.ident, false);
        syn::visit::Visit::visit_block(&mut reads, &for_loop.body);
        reads.1
    }

    /// A call's arguments: `&p.layer` and `p` are passed whole.
    fn arguments<'e>(&mut self, args: impl Iterator<Item = &'e mut syn::Expr>) {
        for arg in args {
            let handled = match arg {
                syn::Expr::Reference(reference) if reference.mutability.is_none() => {
                    self.element(&mut reference.expr)
                        || self.field(&mut reference.expr, FieldRole::Whole)
                }
                syn::Expr::Path(_) => self.field(arg, FieldRole::Whole),
                _ => false,
            };
            if !handled {
                self.visit_expr_mut(arg);
            }
        }
    }

    /// An expression in an integer or boolean position: a field read there is a
    /// constant of the struct, read as written.
    fn constant_position(&mut self, expr: &mut syn::Expr) {
        // `0..self.len()`, `0..layer.n`, `x[p.k]`: a field or method read here is a
        // constant, which lowering is told by a marker (it cannot tell a struct's
        // float fields from its others).
        let read = match expr {
            syn::Expr::Field(_) => true,
            syn::Expr::MethodCall(call) => matches!(
                &*call.receiver,
                syn::Expr::Field(_) | syn::Expr::Path(_) | syn::Expr::Index(_)
            ),
            _ => false,
        };
        if read {
            if !self.rewrite {
                if let Some((root, path)) = self.chain(expr) {
                    let span = syn::spanned::Spanned::span(&*expr);
                    if !path.is_empty() {
                        self.found.push(((root, path), FieldRole::Constant, span));
                    }
                }
            } else {
                let marker = constant_marker();
                *expr = syn::parse_quote!(#marker(#expr));
            }
            return;
        }
        if !self.field(expr, FieldRole::Constant) {
            self.visit_expr_mut(expr);
        }
    }
}

impl VisitMut for Fields<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        match expr {
            syn::Expr::Index(index) => {
                if !self.field(&mut index.expr, FieldRole::Array) {
                    self.visit_expr_mut(&mut index.expr);
                }
                self.constant_position(&mut index.index);
            }
            syn::Expr::MethodCall(call) => {
                // A float's method (`p.mu.exp()`), a vector's (`p.w.iter()`), or a
                // method of the struct or of a struct field (`self.penalty()`,
                // `p.layer.forward(x)`), which gets the receiver's adjoint.
                let method = call.method.to_string();
                let role = if crate::ir::Prim::from_name(&method).is_some() {
                    FieldRole::Float
                } else if ARRAY_METHODS.contains(&method.as_str()) {
                    FieldRole::Array
                } else {
                    FieldRole::Whole
                };
                let element = role == FieldRole::Whole && self.element(&mut call.receiver);
                if !element && !self.field(&mut call.receiver, role) {
                    self.visit_expr_mut(&mut call.receiver);
                }
                self.arguments(call.args.iter_mut());
            }
            syn::Expr::Call(call) => {
                let stop_gradient = matches!(&*call.func, syn::Expr::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == "no_grad"));
                self.visit_expr_mut(&mut call.func);
                if stop_gradient {
                    for arg in call.args.iter_mut() {
                        self.constant_position(arg);
                    }
                } else {
                    self.arguments(call.args.iter_mut());
                }
            }
            syn::Expr::Reference(reference) => {
                if !self.element(&mut reference.expr)
                    && !self.field(&mut reference.expr, FieldRole::Array)
                {
                    self.visit_expr_mut(&mut reference.expr);
                }
            }
            // `for layer in &p.layers { … layer.w[j] … }`: a vector of structs.
            syn::Expr::ForLoop(for_loop) if self.iterates_structs(for_loop) => {
                let iterated = match &mut *for_loop.expr {
                    syn::Expr::Reference(reference) => &mut reference.expr,
                    syn::Expr::MethodCall(call) => &mut call.receiver,
                    _ => unreachable!("checked by iterates_structs"),
                };
                self.field(iterated, FieldRole::Elements);
                self.visit_block_mut(&mut for_loop.body);
            }
            syn::Expr::Range(range) => {
                for end in [&mut range.start, &mut range.end].into_iter().flatten() {
                    self.constant_position(end);
                }
            }
            // To an integer, a constant; to a float, a float (an integer field
            // read so has no derivative: `FieldScalar`).
            syn::Expr::Cast(cast)
                if crate::ast::float_type(&cast.ty).is_none()
                    || matches!(&*cast.expr, syn::Expr::MethodCall(_)) =>
            {
                self.constant_position(&mut cast.expr)
            }
            syn::Expr::Repeat(repeat) => {
                self.visit_expr_mut(&mut repeat.expr);
                self.constant_position(&mut repeat.len);
            }
            syn::Expr::If(choice) => {
                self.constant_position(&mut choice.cond);
                self.visit_block_mut(&mut choice.then_branch);
                if let Some((_, otherwise)) = &mut choice.else_branch {
                    self.visit_expr_mut(otherwise);
                }
            }
            syn::Expr::While(choice) => {
                self.constant_position(&mut choice.cond);
                self.visit_block_mut(&mut choice.body);
            }
            syn::Expr::Match(choice) => {
                self.constant_position(&mut choice.expr);
                for arm in choice.arms.iter_mut() {
                    self.visit_arm_mut(arm);
                }
            }
            syn::Expr::Macro(mac) if mac.mac.path.is_ident("vec") => {
                // `vec![p.mu; n]`, `vec![p.a, p.b]`: read like an array expression.
                let tokens = &mac.mac.tokens;
                let Ok(mut inner) = syn::parse2::<syn::Expr>(quote::quote!([#tokens])) else {
                    return;
                };
                let inner_tokens = match &mut inner {
                    syn::Expr::Repeat(_) | syn::Expr::Array(_) => {
                        self.visit_expr_mut(&mut inner);
                        match inner {
                            syn::Expr::Repeat(repeat) => {
                                let (value, len) = (&repeat.expr, &repeat.len);
                                quote::quote!(#value; #len)
                            }
                            syn::Expr::Array(array) => array.elems.to_token_stream(),
                            _ => unreachable!(),
                        }
                    }
                    _ => return,
                };
                mac.mac.tokens = inner_tokens;
            }
            // Other macros (`println!`, `assert!`) only observe.
            syn::Expr::Macro(_) => {}
            _ => {
                // `p.layers[k].b`: a field of an element of a vector of structs.
                if let syn::Expr::Field(field) = expr {
                    if self.element(&mut field.base) {
                        return;
                    }
                }
                if !self.field(expr, FieldRole::Float) {
                    syn::visit_mut::visit_expr_mut(self, expr);
                }
            }
        }
    }
}

/// The function the rewritten body calls around a read in a constant position.
fn constant_marker() -> syn::Ident {
    syn::Ident::new("__ad_constant", proc_macro2::Span::call_site())
}

/// Whether `call` is the marker of a read in a constant position (see
/// `Fields::constant_position`).
pub fn is_constant_marker(call: &syn::ExprCall) -> bool {
    matches!(&*call.func, syn::Expr::Path(path) if path.path.is_ident(&constant_marker()))
        && call.args.len() == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;

    fn split(item: syn::ItemFn, args: proc_macro2::TokenStream) -> (Vec<String>, String) {
        let ctxt = Ctxt::default();
        let args = Args::parse(args).unwrap();
        let mut input = FnInput::from_syn(&item, &args, &ctxt).unwrap();
        find(&mut input, &ctxt);
        ctxt.check().unwrap();
        let fields = input
            .params
            .iter()
            .flat_map(|p| p.fields.iter().flatten())
            .map(|f| format!("{} {:?}", f.ident, f.role))
            .collect();
        let mut block = item.block.as_ref().clone();
        rewrite(&input, &mut block);
        (fields, block.into_token_stream().to_string())
    }

    #[test]
    fn fields_are_classified_by_how_they_are_read() {
        let (fields, body) = split(
            syn::parse_quote! {
                fn loss(p: &Params, x: &[f64]) -> f64 {
                    let mut s = p.mu * p.mu;
                    for i in 0..p.n {
                        s += p.w[i] * x[i] + p.layer.b.exp();
                    }
                    s + p.v.iter().sum::<f64>() + dot(&p.w, x) + norm(&p.other) + p.k as f64
                }
            },
            quote::quote!(wrt(p)),
        );
        assert_eq!(
            fields,
            [
                "p__mu Float",
                "p__n Constant",
                "p__w Array",
                "p__layer__b Float",
                "p__v Array",
                "p__other Whole",
                "p__k Float",
            ]
        );
        assert!(body.contains("p__mu * p__mu"), "{body}");
        assert!(body.contains("0 .. __ad_constant (p . n)"), "{body}");
        assert!(body.contains("p__w [i]"), "{body}");
        assert!(body.contains("dot (& p__w , x)"), "{body}");
    }
}

//! The annotated function as the macro sees it: parameters classified by type,
//! the return type, and which parameters get adjoints.

use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::ir::FloatTy;
use quote::format_ident;

/// A parameter of the user's function.
pub struct ParamInput<'a> {
    /// The name the generated functions give it: the user's, without `mut`.
    pub ident: syn::Ident,
    pub ty: &'a syn::Type,
    /// `Some` for an `f32`/`f64` scalar.
    pub float: Option<FloatTy>,
    /// `Some` for a slice, array or `Vec` of `f32`/`f64`.
    pub array: Option<FloatArray>,
    /// Whether `f_grad` returns its adjoint.
    pub wrt: bool,
    /// `Some` for a struct parameter named in `wrt` (`&self` too): the fields the body
    /// reads, each a parameter of its own in the IR (see `fields.rs`).
    pub fields: Option<Vec<FieldInput>>,
    /// Whether it is `&self` (named in `wrt`): no parameter of the generated
    /// functions, but its adjoint and tangents come first.
    pub receiver: bool,
}

impl ParamInput<'_> {
    /// Whether the body passes this struct parameter whole to a differentiated
    /// function or calls its methods (`helper(p)`, `self.penalty()`).
    pub fn passed_whole(&self) -> bool {
        self.fields
            .iter()
            .flatten()
            .any(|f| f.path.is_empty() && f.role == FieldRole::Whole)
    }
}

/// A field of a struct parameter, as the body reads it.
pub struct FieldInput {
    /// The members from the parameter to the field: `[layer, b]` for `p.layer.b`.
    pub path: Vec<syn::Member>,
    /// The name the rewritten body reads it by: `p__layer__b`.
    pub ident: syn::Ident,
    pub role: FieldRole,
    /// The first read, for diagnostics.
    pub span: proc_macro2::Span,
}

/// What a read says a field is.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum FieldRole {
    /// A float of the function's float type: `p.mu * x`.
    Float,
    /// An array of them: `p.w[i]`, `p.w.iter()`, `&p.w`.
    Array,
    /// A value passed whole to a differentiated function: `norm(&p.layer)`,
    /// `helper(p)` (a struct, or an array the callee takes as a slice).
    Whole,
    /// A vector or array of structs, indexed: `p.layers[k].w[j]`, `&p.layers[k]`.
    Elements,
    /// Read in an integer, boolean or stop-gradient position (`0..p.n`, `if p.on`):
    /// a constant, read from the struct as written.
    Constant,
}

/// A parameter of the function the IR is built from: a float, array or constant
/// parameter of the user's, or a field of a struct parameter.
pub struct BodyParam {
    pub ident: syn::Ident,
    pub float: Option<FloatTy>,
    pub array: Option<FloatArray>,
    pub wrt: bool,
    /// A struct (or array) passed whole to a callee, adjoint and all.
    pub whole: bool,
}

/// The shape of a float-array parameter: `&[T]`, `&Vec<T>`, `Vec<T>` (no fixed
/// length, adjoint `Vec<T>`) or `[T; N]`, `&[T; N]` (adjoint `[T; N]`).
#[derive(Clone)]
pub struct FloatArray {
    pub elem: FloatTy,
    pub fixed_len: Option<syn::Expr>,
}

pub struct FnInput<'a> {
    pub item: &'a syn::ItemFn,
    /// Whether it is a method taking `&self` (constant context: data, settings).
    pub by_ref_self: bool,
    pub params: Vec<ParamInput<'a>>,
    /// The returned float type: the function's, or its elements' for a vector.
    pub ret: FloatTy,
    /// `Some` for a vector-valued function, returning `Vec<T>` or `[T; M]` (issue 19).
    pub vector: Option<FloatArray>,
    /// Whether to generate `f_jvp` (the `forward` option, implied by `hessian`).
    pub forward: bool,
    /// Whether to generate `f_hvp` and `f_hessian` (the `hessian` option).
    pub hessian: bool,
    /// The functions defined in the body with what differentiating them generated,
    /// which every generated function repeats (`expand::nested_fns`).
    pub nested: proc_macro2::TokenStream,
}

impl<'a> FnInput<'a> {
    /// Classifies the signature, reporting every problem with it into `ctxt`.
    /// `None` if the signature is not one the macro can generate functions for.
    pub fn from_syn(item: &'a syn::ItemFn, args: &Args, ctxt: &Ctxt) -> Option<FnInput<'a>> {
        check_signature(&item.sig, ctxt);
        let receiver = item.sig.receiver();
        if let Some(receiver) = receiver {
            if receiver.reference.is_none()
                || receiver.mutability.is_some()
                || receiver.colon_token.is_some()
            {
                ctxt.error_spanned_by(
                    receiver,
                    "#[differentiate] methods take `&self`; the data it holds is a constant \
                     of the derivative (`self` by value and `&mut self` are not supported)",
                );
                return None;
            }
        }
        let params: Vec<_> = item
            .sig
            .inputs
            .iter()
            .filter(|arg| matches!(arg, syn::FnArg::Typed(_)))
            .enumerate()
            .filter_map(|(k, arg)| param_from_syn(k, arg, ctxt))
            .collect();
        let ret = return_type(&item.sig, ctxt);
        if params.len() + usize::from(receiver.is_some()) != item.sig.inputs.len() {
            return None;
        }
        let (ret, vector) = ret?;
        let mut input = FnInput {
            item,
            by_ref_self: receiver.is_some(),
            params,
            ret,
            vector,
            forward: args.forward.is_some() || args.hessian.is_some(),
            hessian: args.hessian.is_some(),
            nested: proc_macro2::TokenStream::new(),
        };
        input.select_wrt(args, ctxt);
        if let (Some(_), Some(span)) = (&input.vector, args.hessian) {
            ctxt.error_spanned_by(
                quote::quote_spanned!(span=> option),
                "`hessian` applies to functions that return f32 or f64; a vector-valued \
                 function has `f_jacobian`, and with `forward`, `f_jvp`: use `forward`",
            );
            input.hessian = false;
        }
        Some(input)
    }

    pub fn name(&self) -> &syn::Ident {
        &self.item.sig.ident
    }

    /// The parameters of the user's signature, `&self` excepted.
    pub fn signature_params(&self) -> impl Iterator<Item = &ParamInput<'a>> {
        self.params.iter().filter(|p| !p.receiver)
    }

    /// The parameters the IR is built from: each struct parameter's fields in
    /// place of the struct (which stays too, as a constant, for the fields read
    /// as written).
    pub fn body_params(&self) -> Vec<BodyParam> {
        let mut params = Vec::new();
        for param in &self.params {
            if !param.receiver {
                params.push(BodyParam {
                    ident: param.ident.clone(),
                    float: param.float,
                    array: param.array.clone(),
                    wrt: param.wrt && (param.fields.is_none() || param.passed_whole()),
                    whole: param.passed_whole(),
                });
            }
            for field in param.fields.iter().flatten().filter(|f| !f.path.is_empty()) {
                let (float, array) = match field.role {
                    FieldRole::Float => (Some(self.ret), None),
                    FieldRole::Array => (
                        None,
                        Some(FloatArray {
                            elem: self.ret,
                            fixed_len: None,
                        }),
                    ),
                    FieldRole::Whole | FieldRole::Elements | FieldRole::Constant => (None, None),
                };
                if field.role == FieldRole::Constant {
                    continue;
                }
                params.push(BodyParam {
                    ident: field.ident.clone(),
                    float,
                    array,
                    wrt: true,
                    whole: matches!(field.role, FieldRole::Whole | FieldRole::Elements),
                });
            }
        }
        params
    }

    fn select_wrt(&mut self, args: &Args, ctxt: &Ctxt) {
        let Some(names) = &args.wrt else {
            for param in &mut self.params {
                param.wrt = param.float.is_some() || param.array.is_some();
            }
            if !self.params.iter().any(|p| p.wrt) {
                ctxt.error_spanned_by(
                    &self.item.sig,
                    format!(
                        "`{}` has no f32 or f64 parameter to differentiate with respect to; \
                         #[differentiate] returns the adjoint of each f32/f64 parameter",
                        self.name()
                    ),
                );
            }
            return;
        };
        for name in names {
            if name == "self" {
                self.select_self(name, ctxt);
                continue;
            }
            match self.params.iter_mut().find(|p| p.ident == *name) {
                Some(param) if param.float.is_some() || param.array.is_some() => param.wrt = true,
                Some(param) if struct_type(param.ty) => {
                    param.wrt = true;
                    param.fields = Some(Vec::new());
                }
                Some(param) => ctxt.error_spanned_by(
                    name,
                    format!(
                        "`{name}` has type `{}`, which has no adjoint; `wrt` takes f32 and \
                         f64 parameters, slices, arrays and vectors of them, and structs \
                         with `#[derive(ad::Differentiable)]`",
                        type_text(param.ty)
                    ),
                ),
                None => ctxt.error_spanned_by(
                    name,
                    format!(
                        "`{name}` is not a parameter of `{}`; its parameters are: {}",
                        self.name(),
                        self.params
                            .iter()
                            .map(|p| format!("`{}`", p.ident))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
    }
}

impl<'a> FnInput<'a> {
    /// `wrt(self)`: `&self` as a struct parameter, first among the differentiated.
    fn select_self(&mut self, name: &syn::Ident, ctxt: &Ctxt) {
        let Some(syn::FnArg::Receiver(receiver)) = self.item.sig.inputs.first() else {
            ctxt.error_spanned_by(
                name,
                format!(
                    "`{}` is not a method: `wrt(self)` applies to methods taking `&self`",
                    self.name()
                ),
            );
            return;
        };
        self.params.insert(
            0,
            ParamInput {
                ident: name.clone(),
                ty: &receiver.ty,
                float: None,
                array: None,
                wrt: true,
                fields: Some(Vec::new()),
                receiver: true,
            },
        );
    }
}

/// Whether a parameter type may be a struct to differentiate: a path (`Params`,
/// `&Params`, `model::Mlp`) that is not one of the standard types without floats.
fn struct_type(ty: &syn::Type) -> bool {
    let ty = match ty {
        syn::Type::Reference(reference) if reference.mutability.is_none() => &*reference.elem,
        ty => ty,
    };
    let syn::Type::Path(path) = ty else {
        return false;
    };
    const NOT_STRUCTS: [&str; 17] = [
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        "bool", "char", "String", "str", "Vec",
    ];
    path.qself.is_none()
        && path
            .path
            .segments
            .last()
            .is_some_and(|s| !NOT_STRUCTS.contains(&s.ident.to_string().as_str()))
}

fn check_signature(sig: &syn::Signature, ctxt: &Ctxt) {
    let unsupported = |node: &dyn quote::ToTokens, what: &str| {
        ctxt.error_spanned_by(
            node,
            format!("{what} are not supported by #[differentiate]; annotate a plain `fn` with f32/f64 parameters"),
        )
    };
    if let Some(token) = &sig.asyncness {
        unsupported(token, "`async fn`s");
    }
    if let Some(token) = &sig.unsafety {
        unsupported(token, "`unsafe fn`s");
    }
    if let Some(token) = &sig.constness {
        unsupported(token, "`const fn`s");
    }
    if let Some(abi) = &sig.abi {
        unsupported(abi, "`extern` functions");
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        unsupported(&sig.generics, "generic parameters");
    }
    if let Some(variadic) = &sig.variadic {
        unsupported(variadic, "variadic parameters");
    }
}

fn param_from_syn<'a>(k: usize, arg: &'a syn::FnArg, ctxt: &Ctxt) -> Option<ParamInput<'a>> {
    let pat_type = match arg {
        syn::FnArg::Typed(pat_type) => pat_type,
        syn::FnArg::Receiver(_) => return None,
    };
    let ident = match &*pat_type.pat {
        syn::Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
        syn::Pat::Wild(_) => format_ident!("__ad_param{}", k),
        pat => {
            ctxt.error_spanned_by(
                pat,
                "this parameter pattern is not supported by #[differentiate]; \
                 use a plain name (`x: f64`, `mut x: f64`) and destructure in the body",
            );
            return None;
        }
    };
    let ty = &*pat_type.ty;
    let float = float_type(ty);
    let array = float_array(ty);
    if float.is_none() && array.is_none() && !check_constant_type(ty, ctxt) {
        return None;
    }
    Some(ParamInput {
        ident,
        ty,
        float,
        array,
        wrt: false,
        fields: None,
        receiver: false,
    })
}

/// Whether a non-float parameter type can be taken as a constant; reports it if not.
fn check_constant_type(ty: &syn::Type, ctxt: &Ctxt) -> bool {
    let problem = match ty {
        syn::Type::Reference(reference) if reference.mutability.is_some() => {
            "`&mut` parameters are not supported: a differentiated function must not \
             write through its parameters; return the value instead"
        }
        syn::Type::Reference(reference) if float_type(&reference.elem).is_some() => {
            "float parameters by reference are not supported; take the float by value (`x: f64`)"
        }
        syn::Type::ImplTrait(_) => {
            "`impl Trait` parameters are not supported by #[differentiate]; use a concrete type"
        }
        _ => return true,
    };
    ctxt.error_spanned_by(
        ty,
        format!("{problem} (this parameter has type `{}`)", type_text(ty)),
    );
    false
}

/// `f32`/`f64` as a path type.
pub fn float_type(ty: &syn::Type) -> Option<FloatTy> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let ident = path.path.get_ident()?;
    if ident == "f64" {
        Some(FloatTy::F64)
    } else if ident == "f32" {
        Some(FloatTy::F32)
    } else {
        None
    }
}

/// `&[T]`, `&Vec<T>`, `Vec<T>`, `[T; N]`, `&[T; N]` with `T` = f32 or f64.
pub fn float_array(ty: &syn::Type) -> Option<FloatArray> {
    let (ty, by_ref) = match ty {
        syn::Type::Reference(reference) if reference.mutability.is_none() => {
            (&*reference.elem, true)
        }
        ty => (ty, false),
    };
    match ty {
        syn::Type::Slice(slice) if by_ref => Some(FloatArray {
            elem: float_type(&slice.elem)?,
            fixed_len: None,
        }),
        syn::Type::Array(array) => Some(FloatArray {
            elem: float_type(&array.elem)?,
            fixed_len: Some(array.len.clone()),
        }),
        syn::Type::Path(path) if path.qself.is_none() => {
            let segment = path.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
                return None;
            };
            match (segment.ident == "Vec", args.args.first(), args.args.len()) {
                (true, Some(syn::GenericArgument::Type(elem)), 1) => Some(FloatArray {
                    elem: float_type(elem)?,
                    fixed_len: None,
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The return type: a float, or a vector of floats (`Vec<T>`, `[T; M]`) with its
/// element type.
fn return_type(sig: &syn::Signature, ctxt: &Ctxt) -> Option<(FloatTy, Option<FloatArray>)> {
    const SUPPORTED: &str = "supported: `f64` or `f32`, or a vector of them, `Vec<f64>` or \
        `[f64; M]`, which gets `_vjp` and `_jacobian` instead of `_grad`";
    match &sig.output {
        syn::ReturnType::Type(_, ty) => {
            if let Some(float) = float_type(ty) {
                return Some((float, None));
            }
            match float_array(ty) {
                Some(array) if !matches!(**ty, syn::Type::Reference(_)) => {
                    Some((array.elem, Some(array)))
                }
                _ => {
                    ctxt.error_spanned_by(
                        ty,
                        format!(
                            "#[differentiate] functions cannot return `{}`; {SUPPORTED}",
                            type_text(ty)
                        ),
                    );
                    None
                }
            }
        }
        syn::ReturnType::Default => {
            ctxt.error_spanned_by(
                sig,
                "#[differentiate] functions must return `f64` or `f32`; this one returns nothing",
            );
            None
        }
    }
}

/// A type as the user wrote it, for messages.
pub fn type_text(ty: &syn::Type) -> String {
    quote::ToTokens::to_token_stream(ty)
        .to_string()
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace("& ", "&")
        .replace(" ;", ";")
}

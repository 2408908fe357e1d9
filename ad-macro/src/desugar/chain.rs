//! Iterator chains as the loops they mean. `w.iter().zip(x).map(|(a, b)| a * b).sum()`
//! becomes
//!
//! ```text
//! { let mut sum = 0.0; for i in 0..w.len().min(x.len()) { let a = &w[i]; let b = &x[i]; sum += a * b; } sum }
//! ```
//!
//! which lowering already differentiates element by element, so a chain costs what
//! the loop a person would write costs and records what it records.
//!
//! A chain is a *source* (`x.iter()`, `x.into_iter()`, a range, `x.windows(k)`,
//! `x.chunks(k)`, `x.chunks_exact(k)`), *adapters* (`copied`, `cloned`, `map`, `zip`,
//! `enumerate`, `rev`, `skip`, `take`, `step_by`, `chain`, `filter`) and a *consumer*
//! (`sum`, `product`, `fold`, `for_each`, `count`, `collect`, `max_by`/`min_by`/
//! `reduce` then `unwrap`, `any`, `all`, `position`, or a `for` loop). The rewrite builds, from the
//! source outwards, a [`Stream`]: how the loop runs and how each element is computed
//! from the loop variable; the consumer then writes the loop. Closures given to
//! adapters are applied by binding their parameters to the element (`let (a, b) =
//! …` becomes one `let` per name) and evaluating their body as a block.

use std::rc::Rc;

use super::Desugar;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::visit_mut::VisitMut;

/// One element as an expression the rewrite can take apart again: a value, a
/// reference to one (`&x[i]`, which a closure's `&v` pattern strips), a tuple
/// (`zip`, `enumerate`), or a window of an array (`windows`, `chunks`).
#[derive(Clone)]
pub(super) enum Elem {
    Value(TokenStream),
    Ref(Box<Elem>),
    Tuple(Vec<Elem>),
    View(View),
}

/// `base[start..start + len]`, which a closure may index, measure or iterate.
#[derive(Clone)]
pub(super) struct View {
    pub(super) base: TokenStream,
    pub(super) start: TokenStream,
    pub(super) len: TokenStream,
}

impl Elem {
    fn render(&self) -> TokenStream {
        match self {
            Elem::Value(value) => value.clone(),
            Elem::Ref(inner) => {
                let inner = inner.render();
                quote!(&(#inner))
            }
            Elem::Tuple(elems) => {
                let elems = elems.iter().map(Elem::render);
                quote!((#(#elems),*))
            }
            Elem::View(view) => {
                let View { base, start, len } = view;
                quote!(&#base[#start..#start + #len])
            }
        }
    }

    /// What `.copied()` or `.cloned()` makes of it.
    fn deref(self) -> Elem {
        match self {
            Elem::Ref(inner) => *inner,
            elem => elem,
        }
    }
}

/// What one iteration does before the consumer sees the element, in order.
#[derive(Clone)]
enum Step {
    Let(TokenStream),
    /// `filter`: the rest of the iteration runs only if this holds.
    Guard(TokenStream),
}

struct Item {
    steps: Vec<Step>,
    elem: Elem,
}

/// The element a stream has at a loop variable.
type ElemFn = Rc<dyn Fn(&mut Desugar<'_>, &TokenStream) -> Item>;

/// How the loop runs.
#[derive(Clone)]
enum Shape {
    /// `for var in range`: a range and its `rev`/`step_by`; the element is `var`.
    /// `plain` keeps `(start, count)` while no adapter has changed the range.
    Range(TokenStream, Option<(TokenStream, TokenStream)>),
    /// `for var in 0..len`: positions; the element is computed from the position.
    Positions(TokenStream),
}

pub(super) struct Stream {
    /// Computed once before the loop (lengths), in order.
    setup: Vec<TokenStream>,
    shape: Shape,
    elem: ElemFn,
    /// After `filter`, positions no longer count elements.
    filtered: bool,
}

type Rewrite<T> = Result<T, syn::Error>;

fn unsupported(node: impl ToTokens, message: &str) -> syn::Error {
    syn::Error::new_spanned(node.into_token_stream(), message)
}

impl Desugar<'_> {
    /// The loop a consumer at the end of a chain means, if `call` is one.
    pub(super) fn consumer(&mut self, call: &syn::ExprMethodCall) -> Option<syn::Expr> {
        let method = call.method.to_string();
        let receiver = match method.as_str() {
            "sum" | "product" | "fold" | "for_each" | "count" | "collect" | "any" | "all"
            | "position" | "unwrap" | "expect" => &*call.receiver,
            _ => return None,
        };
        let receiver = match method.as_str() {
            "unwrap" | "expect" => match strip_parens(receiver) {
                syn::Expr::MethodCall(inner)
                    if matches!(inner.method.to_string().as_str(), "max_by" | "min_by") =>
                {
                    let rewritten = self.extreme(inner);
                    return self.report(rewritten);
                }
                syn::Expr::MethodCall(inner) if inner.method == "reduce" => {
                    let rewritten = self.reduce(inner);
                    return self.report(rewritten);
                }
                _ => return None,
            },
            _ => receiver,
        };
        let stream = match self.stream(receiver) {
            Some(Ok(stream)) => stream,
            Some(Err(error)) => return self.report(Err(error)),
            None => return None,
        };
        let rewritten = match method.as_str() {
            "sum" | "product" => self.accumulate(call, stream),
            "fold" => self.fold(call, stream),
            "for_each" => self.for_each(call, stream),
            "count" => Ok(self.count(stream)),
            "collect" => Ok(self.collect(stream)),
            "any" | "all" => self.any_all(call, stream, method == "any"),
            _ => self.position(call, stream),
        };
        self.report(rewritten)
    }

    /// `for pat in chain { body }` as a loop over positions or a plain range.
    pub(super) fn chain_loop(&mut self, expr: &syn::ExprForLoop) -> Option<syn::Expr> {
        if expr.label.is_some() || is_plain_range(&expr.expr) {
            return None;
        }
        let stream = match self.stream(&expr.expr) {
            Some(Ok(stream)) => stream,
            Some(Err(error)) => return self.report(Err(error)),
            // `for v in x`, `for &v in &obs`: the slice's elements by reference.
            None if is_place(&expr.expr) => match self.array_stream(&expr.expr, true) {
                Ok(stream) => stream,
                Err(error) => return self.report(Err(error)),
            },
            None => return None,
        };
        let body = &expr.body.stmts;
        let pat = (*expr.pat).clone();
        let rewritten = self.each(stream, |this, elem| {
            let binds = this.bind(&pat, elem)?;
            Ok(quote!(#(#binds)* #(#body)*))
        });
        self.report(rewritten.map(|tokens| syn::parse_quote!({ #tokens })))
    }

    /// The rewritten expression, or, after reporting why there is none, the
    /// placeholder that lowering takes for a reported error (so the chain's closures
    /// and its `sum` are not reported again).
    fn report(&mut self, rewritten: Rewrite<syn::Expr>) -> Option<syn::Expr> {
        Some(rewritten.unwrap_or_else(|error| {
            self.ctxt.push(error);
            super::reported()
        }))
    }

    /// The stream an expression produces, `None` if it is not an iterator chain.
    fn stream(&mut self, expr: &syn::Expr) -> Option<Rewrite<Stream>> {
        let expr = strip_parens(expr);
        if let syn::Expr::Range(range) = expr {
            return Some(self.range_stream(range));
        }
        let syn::Expr::MethodCall(call) = expr else {
            return None;
        };
        let method = call.method.to_string();
        let args = &call.args;
        Some(match (method.as_str(), args.len()) {
            ("iter", 0) => self.array_stream(&call.receiver, true),
            ("into_iter", 0) => match strip_parens(&call.receiver) {
                syn::Expr::Range(range) => self.range_stream(range),
                receiver => match self.stream(receiver) {
                    Some(stream) => stream,
                    None => self.array_stream(&call.receiver, false),
                },
            },
            ("windows" | "chunks" | "chunks_exact", 1) => {
                self.window_stream(&call.receiver, &args[0], &method)
            }
            (adapter, _) => {
                let inner = self.stream(&call.receiver)?;
                inner.and_then(|inner| self.adapt(call, adapter, inner))
            }
        })
    }

    fn range_stream(&mut self, range: &syn::ExprRange) -> Rewrite<Stream> {
        let (Some(start), Some(end)) = (&range.start, &range.end) else {
            return Err(unsupported(
                range,
                "an iterator over a range needs both bounds (`a..b`)",
            ));
        };
        // The count has the range's own integer type, and so do positions over it.
        let count = match range.limits {
            syn::RangeLimits::HalfOpen(_) => quote!((#end).saturating_sub(#start)),
            syn::RangeLimits::Closed(_) => quote!((#end + 1).saturating_sub(#start)),
        };
        Ok(Stream {
            setup: Vec::new(),
            shape: Shape::Range(quote!((#range)), Some((quote!((#start)), count))),
            elem: Rc::new(|_, var| Item {
                steps: Vec::new(),
                elem: Elem::Value(var.clone()),
            }),
            filtered: false,
        })
    }

    /// `x.iter()` (elements `&x[i]`) or `x.into_iter()` (elements `x[i]`).
    fn array_stream(&mut self, array: &syn::Expr, by_ref: bool) -> Rewrite<Stream> {
        let mut setup = Vec::new();
        // A sub-slice is taken once, before the loop, as Rust evaluates its bounds once.
        let array = match sub_slice(array) {
            Some(slice) => {
                let name = self.fresh("slice");
                setup.push(quote!(let #name = &#slice;));
                name.to_token_stream()
            }
            None => iterable(array)?,
        };
        let len = self.fresh("len");
        setup.push(quote!(let #len = #array.len();));
        Ok(Stream {
            setup,
            shape: Shape::Positions(len.to_token_stream()),
            elem: Rc::new(move |_, var| {
                let element = Elem::Value(quote!(#array[#var]));
                Item {
                    steps: Vec::new(),
                    elem: if by_ref {
                        Elem::Ref(Box::new(element))
                    } else {
                        element
                    },
                }
            }),
            filtered: false,
        })
    }

    fn window_stream(
        &mut self,
        array: &syn::Expr,
        size: &syn::Expr,
        method: &str,
    ) -> Rewrite<Stream> {
        let mut setup = Vec::new();
        let array = match sub_slice(array) {
            Some(slice) => {
                let name = self.fresh("slice");
                setup.push(quote!(let #name = &#slice;));
                name.to_token_stream()
            }
            None => iterable(array)?,
        };
        let (len, size_name, count) = (self.fresh("len"), self.fresh("size"), self.fresh("count"));
        let count_expr = match method {
            "windows" => quote!((#len + 1).saturating_sub(#size_name)),
            "chunks" => quote!((#len + #size_name - 1) / #size_name),
            _ => quote!(#len / #size_name),
        };
        setup.extend([
            quote!(let #len = #array.len();),
            quote!(let #size_name = #size;),
            quote!(let #count = #count_expr;),
        ]);
        let method = method.to_owned();
        Ok(Stream {
            setup,
            shape: Shape::Positions(count.to_token_stream()),
            elem: Rc::new(move |_, var| {
                let (start, width) = match method.as_str() {
                    "windows" => (quote!(#var), quote!(#size_name)),
                    "chunks" => (
                        quote!((#var * #size_name)),
                        quote!(#size_name.min(#len - #var * #size_name)),
                    ),
                    _ => (quote!((#var * #size_name)), quote!(#size_name)),
                };
                Item {
                    steps: Vec::new(),
                    elem: Elem::View(View {
                        base: array.clone(),
                        start,
                        len: width,
                    }),
                }
            }),
            filtered: false,
        })
    }

    /// One adapter applied to `inner`.
    fn adapt(
        &mut self,
        call: &syn::ExprMethodCall,
        adapter: &str,
        inner: Stream,
    ) -> Rewrite<Stream> {
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        let positional = matches!(
            adapter,
            "zip" | "enumerate" | "rev" | "skip" | "take" | "step_by" | "chain"
        );
        if inner.filtered && positional {
            return Err(unsupported(
                &call.method,
                &format!(
                    "`.{adapter}(…)` after `.filter(…)` is not supported in #[differentiate] \
                     functions; write the loop, with `if !condition {{ continue; }}` for the filter"
                ),
            ));
        }
        match (adapter, &args[..]) {
            ("copied" | "cloned", []) => Ok(map_elem(inner, Elem::deref)),
            ("map", [f]) => {
                let f = (*f).clone();
                let previous = inner.elem.clone();
                Ok(Stream {
                    elem: Rc::new(move |this, var| {
                        let mut item = previous(this, var);
                        let value = this.fresh("e");
                        let applied = this.apply(&f, vec![item.elem]);
                        item.steps.push(Step::Let(quote!(let #value = #applied;)));
                        item.elem = Elem::Value(value.to_token_stream());
                        item
                    }),
                    ..inner
                })
            }
            ("filter", [f]) => {
                let f = (*f).clone();
                let previous = inner.elem.clone();
                Ok(Stream {
                    elem: Rc::new(move |this, var| {
                        let mut item = previous(this, var);
                        let test = this.apply(&f, vec![Elem::Ref(Box::new(item.elem.clone()))]);
                        item.steps.push(Step::Guard(test));
                        item
                    }),
                    filtered: true,
                    ..inner
                })
            }
            ("enumerate", []) => {
                let inner = self.positions(inner, call)?;
                let previous = inner.elem.clone();
                Ok(Stream {
                    elem: Rc::new(move |this, var| {
                        let mut item = previous(this, var);
                        item.elem = Elem::Tuple(vec![Elem::Value(var.clone()), item.elem]);
                        item
                    }),
                    ..inner
                })
            }
            ("zip", [other]) => {
                let other = match self.stream(other) {
                    Some(stream) => stream?,
                    None => self.array_stream(other, true)?,
                };
                if other.filtered {
                    return Err(unsupported(
                        other_span(&call.args),
                        "`.zip(…)` with a filtered iterator is not supported in \
                         #[differentiate] functions; write the loop",
                    ));
                }
                let (inner, other) = (self.positions(inner, call)?, self.positions(other, call)?);
                let (Shape::Positions(a), Shape::Positions(b)) = (&inner.shape, &other.shape)
                else {
                    unreachable!("positions() gives positional streams");
                };
                let len = self.fresh("len");
                let mut setup = inner.setup.clone();
                setup.extend(other.setup.iter().cloned());
                setup.push(quote!(let #len = #a.min(#b);));
                let (first, second) = (inner.elem.clone(), other.elem.clone());
                Ok(Stream {
                    setup,
                    shape: Shape::Positions(len.to_token_stream()),
                    elem: Rc::new(move |this, var| {
                        let (a, b) = (first(this, var), second(this, var));
                        let mut steps = a.steps;
                        steps.extend(b.steps);
                        Item {
                            steps,
                            elem: Elem::Tuple(vec![a.elem, b.elem]),
                        }
                    }),
                    filtered: false,
                })
            }
            ("rev", []) => match inner.shape {
                Shape::Range(range, _) => Ok(Stream {
                    shape: Shape::Range(quote!(#range.rev()), None),
                    ..inner
                }),
                Shape::Positions(len) => {
                    let previous = inner.elem.clone();
                    let len2 = len.clone();
                    Ok(Stream {
                        shape: Shape::Positions(len),
                        elem: Rc::new(move |this, var| previous(this, &quote!((#len2 - 1 - #var)))),
                        ..inner
                    })
                }
            },
            ("step_by", [step]) => match inner.shape {
                Shape::Range(range, _) => Ok(Stream {
                    shape: Shape::Range(quote!(#range.step_by(#step)), None),
                    ..inner
                }),
                Shape::Positions(len) => {
                    let (step_name, count) = (self.fresh("step"), self.fresh("len"));
                    let mut setup = inner.setup.clone();
                    setup.push(quote!(let #step_name = #step;));
                    setup.push(quote!(let #count = (#len + #step_name - 1) / #step_name;));
                    let previous = inner.elem.clone();
                    Ok(Stream {
                        setup,
                        shape: Shape::Positions(count.to_token_stream()),
                        elem: Rc::new(move |this, var| {
                            previous(this, &quote!((#var * #step_name)))
                        }),
                        filtered: false,
                    })
                }
            },
            ("skip" | "take", [n]) => {
                let inner = self.positions(inner, call)?;
                let Shape::Positions(len) = inner.shape.clone() else {
                    unreachable!("positions() gives positional streams");
                };
                let (n_name, count) = (self.fresh("n"), self.fresh("len"));
                let mut setup = inner.setup.clone();
                setup.push(quote!(let #n_name = #n;));
                let previous = inner.elem.clone();
                if adapter == "skip" {
                    setup.push(quote!(let #count = #len.saturating_sub(#n_name);));
                    Ok(Stream {
                        setup,
                        shape: Shape::Positions(count.to_token_stream()),
                        elem: Rc::new(move |this, var| previous(this, &quote!((#var + #n_name)))),
                        filtered: false,
                    })
                } else {
                    setup.push(quote!(let #count = #len.min(#n_name);));
                    Ok(Stream {
                        setup,
                        shape: Shape::Positions(count.to_token_stream()),
                        ..inner
                    })
                }
            }
            ("chain", [other]) => {
                let other = match self.stream(other) {
                    Some(stream) => stream?,
                    None => self.array_stream(other, true)?,
                };
                let (inner, other) = (self.positions(inner, call)?, self.positions(other, call)?);
                let (Shape::Positions(a), Shape::Positions(b)) =
                    (inner.shape.clone(), other.shape.clone())
                else {
                    unreachable!("positions() gives positional streams");
                };
                let len = self.fresh("len");
                let mut setup = inner.setup.clone();
                setup.extend(other.setup.iter().cloned());
                setup.push(quote!(let #len = #a + #b;));
                let (first, second) = (inner.elem.clone(), other.elem.clone());
                Ok(Stream {
                    setup,
                    shape: Shape::Positions(len.to_token_stream()),
                    elem: Rc::new(move |this, var| {
                        let value = this.fresh("e");
                        let first_item = first(this, var);
                        let first_arm = this.block_of(first_item);
                        let second_item = second(this, &quote!((#var - #a)));
                        let second_arm = this.block_of(second_item);
                        Item {
                            steps: vec![Step::Let(quote! {
                                let #value = if #var < #a { #first_arm } else { #second_arm };
                            })],
                            elem: Elem::Value(value.to_token_stream()),
                        }
                    }),
                    filtered: false,
                })
            }
            _ => Err(unsupported(
                &call.method,
                &format!(
                    "`.{adapter}(…)` is not supported on an iterator in #[differentiate] \
                     functions; supported adapters: copied cloned map filter zip enumerate rev \
                     skip take step_by chain, on `iter()`, `into_iter()`, ranges, `windows`, \
                     `chunks` and `chunks_exact`; or write the loop"
                ),
            )),
        }
    }

    /// `stream` counted by positions `0..len`, as `zip`, `enumerate`, `skip`,
    /// `take` and `chain` need; a range `a..b` becomes `a + p` over `0..b - a`.
    fn positions(&mut self, stream: Stream, call: &syn::ExprMethodCall) -> Rewrite<Stream> {
        let Shape::Range(_, plain) = &stream.shape else {
            return Ok(stream);
        };
        let Some((start, count)) = plain.clone() else {
            return Err(unsupported(
                &call.method,
                "this adapter after `.rev()` or `.step_by(…)` on a range is not supported in \
                 #[differentiate] functions; write the loop",
            ));
        };
        let len = self.fresh("len");
        let mut setup = stream.setup.clone();
        setup.push(quote!(let #len = #count;));
        let previous = stream.elem.clone();
        Ok(Stream {
            setup,
            shape: Shape::Positions(len.to_token_stream()),
            elem: Rc::new(move |this, var| previous(this, &quote!((#start + #var)))),
            filtered: stream.filtered,
        })
    }

    /// An element's steps and value as one block expression.
    fn block_of(&mut self, item: Item) -> TokenStream {
        let value = item.elem.render();
        let body = close_steps(&item.steps, quote!(#value));
        quote!({ #body })
    }

    /// The loop over `stream`, with `body` (given each element) as the loop body.
    fn each(
        &mut self,
        stream: Stream,
        body: impl FnOnce(&mut Self, Elem) -> Rewrite<TokenStream>,
    ) -> Rewrite<TokenStream> {
        let var = self.fresh("i");
        let item = (stream.elem)(self, &var.to_token_stream());
        let inner = body(self, item.elem)?;
        let inner = close_steps(&item.steps, inner);
        let setup = &stream.setup;
        let header = match stream.shape {
            Shape::Range(range, _) => quote!(for #var in #range),
            Shape::Positions(len) => quote!(for #var in 0..#len),
        };
        Ok(quote!(#(#setup)* #header { #inner }))
    }

    /// `f(args…)`: a closure applied by binding its parameters, or a function path
    /// called.
    pub(super) fn apply(&mut self, f: &syn::Expr, args: Vec<Elem>) -> TokenStream {
        match strip_parens(f) {
            syn::Expr::Closure(closure) if closure.inputs.len() == args.len() => {
                let mut binds = Vec::new();
                for (pat, arg) in closure.inputs.iter().zip(args) {
                    match self.bind(pat, arg) {
                        Ok(bind) => binds.extend(bind),
                        Err(error) => self.ctxt.push(error),
                    }
                }
                let body = match returns_of(&closure.body) {
                    Returns::None => closure.body.to_token_stream(),
                    // `return v` leaves the closure: a loop that runs once, left by
                    // `break v` or with the body's value.
                    Returns::Leaving => {
                        let mut body = (*closure.body).clone();
                        ReturnToBreak.visit_expr_mut(&mut body);
                        let value = self.fresh("returned");
                        quote!(loop { let #value = #body; break #value; })
                    }
                    Returns::InLoop(ret) => {
                        self.ctxt.push(unsupported(
                            ret,
                            "`return` from a loop inside a closure is not supported in \
                             #[differentiate] functions; set a flag, `break`, and return after \
                             the loop",
                        ));
                        return super::reported().into_token_stream();
                    }
                };
                quote!({ #(#binds)* #body })
            }
            f => {
                let args = args.iter().map(Elem::render);
                quote!(#f(#(#args),*))
            }
        }
    }

    /// `let` statements binding `pat` to `elem`, one per name where the element is a
    /// tuple or a reference the pattern takes apart.
    pub(super) fn bind(&mut self, pat: &syn::Pat, elem: Elem) -> Rewrite<Vec<TokenStream>> {
        Ok(match (pat, elem) {
            (syn::Pat::Paren(inner), elem) => self.bind(&inner.pat, elem)?,
            (syn::Pat::Wild(_), _) => Vec::new(),
            (syn::Pat::Reference(reference), Elem::Ref(inner)) => {
                self.bind(&reference.pat, *inner)?
            }
            (syn::Pat::Reference(reference), Elem::Value(value)) => {
                self.bind(&reference.pat, Elem::Value(quote!((*#value))))?
            }
            // `|(a, b)|` on `&(x, y)` (a `filter` of a `zip`) binds through the reference.
            (pat @ syn::Pat::Tuple(_), Elem::Ref(inner)) if matches!(*inner, Elem::Tuple(_)) => {
                self.bind(pat, *inner)?
            }
            (syn::Pat::Tuple(tuple), Elem::Tuple(elems)) if tuple.elems.len() == elems.len() => {
                let mut binds = Vec::new();
                for (pat, elem) in tuple.elems.iter().zip(elems) {
                    binds.extend(self.bind(pat, elem)?);
                }
                binds
            }
            (syn::Pat::Ident(ident), Elem::View(view))
                if ident.by_ref.is_none() && ident.subpat.is_none() =>
            {
                self.views.push((ident.ident.to_string(), view));
                Vec::new()
            }
            (pat @ (syn::Pat::Ident(_) | syn::Pat::Type(_)), elem) => {
                let value = elem.render();
                vec![quote!(let #pat = #value;)]
            }
            (pat, _) => {
                return Err(unsupported(
                    pat,
                    "this pattern does not fit the iterator's elements here; bind names \
                     (`|v|`, `|&v|`, `|(a, b)|`, `|(i, &v)|`, `|v: f64|`)",
                ))
            }
        })
    }

    fn accumulate(&mut self, call: &syn::ExprMethodCall, stream: Stream) -> Rewrite<syn::Expr> {
        let product = call.method == "product";
        let acc = self.fresh(if product { "product" } else { "sum" });
        // The standard library's float sum starts from −0.0 (so that a sum of −0.0s,
        // or of nothing, is −0.0), and the value must be the function's to the bit.
        let init = match (integer_turbofish(call), product) {
            (true, false) => quote!(0),
            (true, true) => quote!(1),
            (false, false) => quote!(-0.0),
            (false, true) => quote!(1.0),
        };
        let looped = self.each(stream, |_, elem| {
            let value = elem.render();
            Ok(if product {
                quote!(#acc *= #value;)
            } else {
                quote!(#acc += #value;)
            })
        })?;
        Ok(syn::parse_quote!({ let mut #acc = #init; #looped #acc }))
    }

    fn fold(&mut self, call: &syn::ExprMethodCall, stream: Stream) -> Rewrite<syn::Expr> {
        let [init, f] = [call.args.first(), call.args.get(1)];
        let (Some(init), Some(f)) = (init, f) else {
            return Err(unsupported(
                call,
                "`fold` takes an initial value and a closure",
            ));
        };
        let acc = self.fresh("acc");
        let looped = self.each(stream, |this, elem| {
            let next = this.apply(f, vec![Elem::Value(acc.to_token_stream()), elem]);
            Ok(quote!(#acc = #next;))
        })?;
        Ok(syn::parse_quote!({ let mut #acc = #init; #looped #acc }))
    }

    fn for_each(&mut self, call: &syn::ExprMethodCall, stream: Stream) -> Rewrite<syn::Expr> {
        let Some(f) = call.args.first() else {
            return Err(unsupported(call, "`for_each` takes a closure"));
        };
        let looped = self.each(stream, |this, elem| {
            let applied = this.apply(f, vec![elem]);
            Ok(quote!(#applied;))
        })?;
        Ok(syn::parse_quote!({ #looped }))
    }

    fn count(&mut self, stream: Stream) -> syn::Expr {
        let count = self.fresh("count");
        let looped = self
            .each(stream, |_, _| Ok(quote!(#count += 1;)))
            .expect("counting binds nothing");
        syn::parse_quote!({ let mut #count: usize = 0; #looped #count })
    }

    fn collect(&mut self, stream: Stream) -> syn::Expr {
        let collected = self.fresh("collected");
        let looped = self
            .each(stream, |_, elem| {
                let value = elem.render();
                Ok(quote!(#collected.push(#value);))
            })
            .expect("collecting binds nothing");
        syn::parse_quote!({ let mut #collected = ::std::vec::Vec::new(); #looped #collected })
    }

    fn any_all(
        &mut self,
        call: &syn::ExprMethodCall,
        stream: Stream,
        any: bool,
    ) -> Rewrite<syn::Expr> {
        let Some(f) = call.args.first() else {
            return Err(unsupported(call, "`any` and `all` take a closure"));
        };
        let found = self.fresh(if any { "any" } else { "all" });
        let looped = self.each(stream, |this, elem| {
            let test = this.apply(f, vec![elem]);
            Ok(if any {
                quote!(if #test { #found = true; break; })
            } else {
                quote!(if !(#test) { #found = false; break; })
            })
        })?;
        let init = !any;
        Ok(syn::parse_quote!({ let mut #found = #init; #looped #found }))
    }

    fn position(&mut self, call: &syn::ExprMethodCall, stream: Stream) -> Rewrite<syn::Expr> {
        let Some(f) = call.args.first() else {
            return Err(unsupported(call, "`position` takes a closure"));
        };
        let (found, count) = (self.fresh("position"), self.fresh("count"));
        let looped = self.each(stream, |this, elem| {
            let test = this.apply(f, vec![elem]);
            Ok(quote!(if #test { #found = ::core::option::Option::Some(#count); break; } #count += 1;))
        })?;
        Ok(syn::parse_quote!({
            let mut #found = ::core::option::Option::None;
            let mut #count: usize = 0;
            #looped
            #found
        }))
    }

    /// `reduce(f).unwrap()`: the first element, then `f(acc, element)` for the rest.
    fn reduce(&mut self, call: &syn::ExprMethodCall) -> Rewrite<syn::Expr> {
        let Some(stream) = self.stream(&call.receiver) else {
            return Err(unsupported(
                &call.receiver,
                "`reduce` here needs an iterator chain",
            ));
        };
        let stream = stream?;
        let Some(f) = call.args.first() else {
            return Err(unsupported(call, "`reduce` takes a closure"));
        };
        let (acc, seen) = (self.fresh("acc"), self.fresh("seen"));
        let looped = self.each(stream, |this, elem| {
            let value = elem.render();
            let next = this.apply(f, vec![Elem::Value(acc.to_token_stream()), elem]);
            Ok(quote!(if #seen { #acc = #next; } else { #acc = #value; #seen = true; }))
        })?;
        Ok(syn::parse_quote!({
            let mut #seen = false;
            let mut #acc = ::core::default::Default::default();
            #looped
            assert!(#seen, "called `Option::unwrap()` on a `None` value");
            #acc
        }))
    }

    /// `max_by(cmp).unwrap()` and `min_by(cmp).unwrap()` with a comparator of the
    /// form `a.partial_cmp(b).unwrap()` or `a.total_cmp(b)`: the running extreme,
    /// replaced as the standard library replaces it (the last of equal maxima, the
    /// first of equal minima).
    fn extreme(&mut self, call: &syn::ExprMethodCall) -> Rewrite<syn::Expr> {
        let max = call.method == "max_by";
        let Some(stream) = self.stream(&call.receiver) else {
            return Err(unsupported(
                &call.receiver,
                "`max_by`/`min_by` here needs an iterator chain",
            ));
        };
        let stream = stream?;
        let Some(order) = call.args.first().and_then(comparator) else {
            return Err(unsupported(
                call.args
                    .first()
                    .map_or(call.method.to_token_stream(), ToTokens::to_token_stream),
                "`max_by`/`min_by` in #[differentiate] functions take a comparator \
                 `|a, b| a.partial_cmp(b).unwrap()` or `|a, b| a.total_cmp(b)`; or use \
                 `fold(f64::NEG_INFINITY, f64::max)`",
            ));
        };
        let (best, seen) = (self.fresh("best"), self.fresh("seen"));
        let looped = self.each(stream, |_, elem| {
            let value = elem.render();
            // compare(best, new) is `best ≤ new` read forwards, `new ≤ best` reversed.
            let replace = match (max, order) {
                (true, Order::Forward) => quote!(#best <= #value),
                (true, Order::Reversed) => quote!(#value <= #best),
                (false, Order::Forward) => quote!(#best > #value),
                (false, Order::Reversed) => quote!(#value > #best),
            };
            Ok(quote!(if !#seen || #replace { #best = #value; #seen = true; }))
        })?;
        Ok(syn::parse_quote!({
            let mut #seen = false;
            let mut #best = ::core::default::Default::default();
            #looped
            assert!(#seen, "called `Option::unwrap()` on a `None` value");
            #best
        }))
    }
}

/// How a comparator orders its two parameters.
#[derive(Copy, Clone)]
enum Order {
    /// `|a, b| a.partial_cmp(b)`: compares the first with the second.
    Forward,
    /// `|a, b| b.partial_cmp(a)`.
    Reversed,
}

fn comparator(f: &syn::Expr) -> Option<Order> {
    let syn::Expr::Closure(closure) = strip_parens(f) else {
        return None;
    };
    let names: Vec<String> = closure.inputs.iter().filter_map(pat_name).collect();
    let [first, second] = &names[..] else {
        return None;
    };
    let mut body = strip_parens(&closure.body);
    if let syn::Expr::MethodCall(call) = body {
        if call.method == "unwrap" || call.method == "expect" {
            body = strip_parens(&call.receiver);
        }
    }
    let syn::Expr::MethodCall(call) = body else {
        return None;
    };
    if call.method != "partial_cmp" && call.method != "total_cmp" {
        return None;
    }
    let (left, right) = (expr_name(&call.receiver)?, expr_name(call.args.first()?)?);
    if (&left, &right) == (first, second) {
        Some(Order::Forward)
    } else if (&left, &right) == (second, first) {
        Some(Order::Reversed)
    } else {
        None
    }
}

fn pat_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
        syn::Pat::Reference(reference) => pat_name(&reference.pat),
        syn::Pat::Type(typed) => pat_name(&typed.pat),
        syn::Pat::Paren(paren) => pat_name(&paren.pat),
        _ => None,
    }
}

/// `a`, `*a`, `&a`, `**a`: the name compared.
fn expr_name(expr: &syn::Expr) -> Option<String> {
    match strip_parens(expr) {
        syn::Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        syn::Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => {
            expr_name(&unary.expr)
        }
        syn::Expr::Reference(reference) => expr_name(&reference.expr),
        _ => None,
    }
}

/// The steps of one iteration around `body`: each `let` before it, each guard as an
/// `if` around the rest.
fn close_steps(steps: &[Step], body: TokenStream) -> TokenStream {
    steps.iter().rev().fold(body, |inner, step| match step {
        Step::Let(stmt) => quote!(#stmt #inner),
        Step::Guard(test) => quote!(if #test { #inner }),
    })
}

fn map_elem(stream: Stream, f: fn(Elem) -> Elem) -> Stream {
    let previous = stream.elem.clone();
    Stream {
        elem: Rc::new(move |this, var| {
            let mut item = previous(this, var);
            item.elem = f(item.elem);
            item
        }),
        ..stream
    }
}

/// The array an iterator reads: a local, a parameter, a field (`self.w`), or one of
/// those behind `&`; evaluated again at each element, so nothing with effects.
fn iterable(expr: &syn::Expr) -> Rewrite<TokenStream> {
    match strip_parens(expr) {
        syn::Expr::Path(_) | syn::Expr::Field(_) => Ok(expr.to_token_stream()),
        syn::Expr::Reference(reference) => iterable(&reference.expr),
        syn::Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => iterable(&unary.expr),
        other => Err(unsupported(
            other,
            "iterators in #[differentiate] functions run over a local, a parameter or a \
             field (`x.iter()`, `self.w.iter()`); bind this to a local first",
        )),
    }
}

/// A local, a parameter or a field, possibly behind `&`: something to iterate over.
fn is_place(expr: &syn::Expr) -> bool {
    match strip_parens(expr) {
        syn::Expr::Path(_) | syn::Expr::Field(_) => true,
        syn::Expr::Reference(reference) => is_place(&reference.expr),
        _ => sub_slice(expr).is_some(),
    }
}

/// `x[a..b]` in `x[a..b].iter()`, `&x[a..]`, `(&x[..b])`: a sub-slice of a place.
fn sub_slice(expr: &syn::Expr) -> Option<&syn::ExprIndex> {
    match strip_parens(expr) {
        syn::Expr::Reference(reference) if reference.mutability.is_none() => {
            sub_slice(&reference.expr)
        }
        syn::Expr::Index(index) if matches!(&*index.index, syn::Expr::Range(_)) => {
            (is_place(&index.expr)).then_some(index)
        }
        _ => None,
    }
}

fn is_plain_range(expr: &syn::Expr) -> bool {
    match strip_parens(expr) {
        syn::Expr::Range(_) => true,
        syn::Expr::MethodCall(call) if call.method == "rev" || call.method == "step_by" => {
            is_plain_range(&call.receiver)
        }
        _ => false,
    }
}

/// Whether a `sum::<T>()`/`product::<T>()` names an integer type.
fn integer_turbofish(call: &syn::ExprMethodCall) -> bool {
    let Some(turbofish) = &call.turbofish else {
        return false;
    };
    turbofish.args.iter().any(|arg| {
        let text = arg.to_token_stream().to_string();
        matches!(
            text.as_str(),
            "usize"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "u128"
                | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "i128"
        )
    })
}

fn other_span(args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>) -> TokenStream {
    args.to_token_stream()
}

/// Where a closure body returns early.
enum Returns {
    None,
    /// Only outside loops: each `return` can become a `break` of one loop around it.
    Leaving,
    /// Inside a loop of the body, where `break` would leave that loop instead.
    InLoop(syn::ExprReturn),
}

fn returns_of(body: &syn::Expr) -> Returns {
    struct Find {
        depth: usize,
        found: bool,
        in_loop: Option<syn::ExprReturn>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Find {
        fn visit_expr_return(&mut self, ret: &'ast syn::ExprReturn) {
            self.found = true;
            if self.depth > 0 && self.in_loop.is_none() {
                self.in_loop = Some(ret.clone());
            }
            syn::visit::visit_expr_return(self, ret);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_for_loop(&mut self, expr: &'ast syn::ExprForLoop) {
            self.depth += 1;
            syn::visit::visit_expr_for_loop(self, expr);
            self.depth -= 1;
        }
        fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
            self.depth += 1;
            syn::visit::visit_expr_while(self, expr);
            self.depth -= 1;
        }
        fn visit_expr_loop(&mut self, expr: &'ast syn::ExprLoop) {
            self.depth += 1;
            syn::visit::visit_expr_loop(self, expr);
            self.depth -= 1;
        }
    }
    let mut find = Find {
        depth: 0,
        found: false,
        in_loop: None,
    };
    syn::visit::Visit::visit_expr(&mut find, body);
    match (find.in_loop, find.found) {
        (Some(ret), _) => Returns::InLoop(ret),
        (None, true) => Returns::Leaving,
        (None, false) => Returns::None,
    }
}

/// `return v` → `break v`, outside nested closures.
struct ReturnToBreak;

impl syn::visit_mut::VisitMut for ReturnToBreak {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        if let syn::Expr::Return(ret) = expr {
            let value = ret.expr.take();
            *expr = syn::parse_quote!(break #value);
        }
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
}

pub(super) fn strip_parens(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Paren(inner) => strip_parens(&inner.expr),
        syn::Expr::Group(inner) => strip_parens(&inner.expr),
        expr => expr,
    }
}

/// Writes each use of a window bound by a closure or loop pattern (`w` in
/// `x.windows(2).map(|w| w[0] * w[1])`) as the part of the array it is: `w[j]` as
/// `x[start + j]`, `w.len()` as its length. Any other use is reported.
pub(super) fn substitute_views(
    expr: &mut syn::Expr,
    views: &[(String, View)],
    ctxt: &crate::ctxt::Ctxt,
) {
    struct Substitute<'v> {
        views: &'v [(String, View)],
        errors: Vec<syn::Error>,
    }
    impl Substitute<'_> {
        fn view(&self, expr: &syn::Expr) -> Option<&View> {
            let syn::Expr::Path(path) = strip_parens(expr) else {
                return None;
            };
            let name = path.path.get_ident()?.to_string();
            self.views
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v)
        }
    }
    impl syn::visit_mut::VisitMut for Substitute<'_> {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            match expr {
                syn::Expr::Index(index) => {
                    self.visit_expr_mut(&mut index.index);
                    match self.view(&index.expr).cloned() {
                        Some(View { base, start, .. }) => {
                            let position = &index.index;
                            *expr = syn::parse_quote!(#base[#start + #position]);
                        }
                        None => self.visit_expr_mut(&mut index.expr),
                    }
                }
                syn::Expr::MethodCall(call)
                    if call.method == "len"
                        && call.args.is_empty()
                        && self.view(&call.receiver).is_some() =>
                {
                    let len = self.view(&call.receiver).map(|view| view.len.clone());
                    *expr = syn::parse_quote!((#len));
                }
                syn::Expr::Path(_) if self.view(expr).is_some() => {
                    self.errors.push(unsupported(
                        &*expr,
                        "a window of `windows`/`chunks` can be indexed (`w[0]`), measured \
                         (`w.len()`) or iterated (`w.iter()`) in #[differentiate] functions; \
                         index the array it comes from to do more",
                    ));
                }
                _ => syn::visit_mut::visit_expr_mut(self, expr),
            }
        }
    }
    let mut substitute = Substitute {
        views,
        errors: Vec::new(),
    };
    syn::visit_mut::VisitMut::visit_expr_mut(&mut substitute, expr);
    for error in substitute.errors {
        ctxt.push(error);
    }
}

#[cfg(test)]
mod tests {
    use crate::desugar::tests::{desugared, tokens};

    #[test]
    fn a_sum_of_a_zip_is_one_loop() {
        let out = desugared(syn::parse_quote!({
            w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()
        }));
        let expected = tokens(syn::parse_quote!({
            {
                let mut __ad_sum4 = -0.0;
                let __ad_len1 = w.len();
                let __ad_len2 = x.len();
                let __ad_len3 = __ad_len1.min(__ad_len2);
                for __ad_i5 in 0..__ad_len3 {
                    let __ad_e6 = {
                        let a = &(w[__ad_i5]);
                        let b = &(x[__ad_i5]);
                        a * b
                    };
                    __ad_sum4 += __ad_e6;
                }
                __ad_sum4
            }
        }));
        assert_eq!(out, expected);
    }

    #[test]
    fn a_for_loop_over_a_slice_binds_each_element() {
        let out = desugared(syn::parse_quote!({
            for &y in obs {
                s += y;
            }
        }));
        let expected = tokens(syn::parse_quote!({
            {
                let __ad_len1 = obs.len();
                for __ad_i2 in 0..__ad_len1 {
                    let y = obs[__ad_i2];
                    s += y;
                }
            }
        }));
        assert_eq!(out, expected);
    }

    #[test]
    fn plain_range_loops_are_left_alone() {
        let body: syn::Block = syn::parse_quote!({
            for i in (0..n).rev() {
                s += x[i];
            }
        });
        assert_eq!(desugared(body.clone()), tokens(body));
    }
}

//! The reader of the IR's text format (`display.rs`), so that tests of a pass start
//! from IR text (Cranelift's filetests). `parse(&func.to_string())` displays as
//! `func` does; spans become [`SourceSpan::generated`].
//!
//! Values keep their numbers: the arena gets an entry for every number up to the
//! largest, and numbers the text never defines stay as undefined stand-ins (which
//! the verifier reports where they are used). Instructions and regions are numbered
//! as [`Function::compact`] numbers them: regions in the order the text opens them,
//! instructions in the order the text ends them (an `if` after its branches).
//! Captured values in opaque expressions and macros are numbered by their first
//! appearance, as lowering numbers them. A value defined twice keeps its first
//! definition, so the verifier finds the second.
//!
//! Lines whose first non-blank character is `;` are comments (filetest
//! directives); so is the end of a line from `; error:` on.

use super::display::{is_hint_char, is_hint_word};
use super::{
    capture_ident, capture_placeholder, Arena, BinOp, Callee, EntityRef, FloatTy, Function, Inst,
    InstData, Op, Opaque, Param, ParamKind, Prim, RangeAdapter, RangeShape, Region, RegionData,
    Slot, SourceSpan, Ty, Value, ValueData, ValueDef,
};
use proc_macro2::{TokenStream, TokenTree};
use std::collections::BTreeMap;

/// A function read from text, with the entities each line of the text mentions
/// (`i3`, `v7`, `r2`), so a test can check that an error names its line.
pub struct Parsed {
    pub func: Function,
    /// 1-based line number → the instruction it defines, the values it names, the
    /// regions it opens or yields from.
    pub entities: BTreeMap<usize, Vec<String>>,
}

pub fn parse(text: &str) -> Result<Function, String> {
    parse_with_lines(text).map(|parsed| parsed.func)
}

pub fn parse_with_lines(text: &str) -> Result<Parsed, String> {
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with(';') && !line.trim().is_empty())
        .map(|(k, line)| {
            let line = line.find("; error:").map_or(line, |end| &line[..end]);
            (k + 1, line.trim())
        })
        .collect();
    let mut regions = Arena::new();
    let body = regions.push(RegionData::default());
    let mut reader = Reader {
        lines,
        next: 0,
        func: Function {
            name: String::new(),
            params: Vec::new(),
            ret: FloatTy::F64,
            values: Arena::new(),
            insts: Arena::new(),
            regions,
            body,
        },
        defined: Vec::new(),
        entities: BTreeMap::new(),
    };
    reader.function()?;
    if let Some(&(number, line)) = reader.lines.get(reader.next) {
        return Err(format!(
            "line {number}: unexpected `{line}` after the function"
        ));
    }
    Ok(Parsed {
        func: reader.func,
        entities: reader.entities,
    })
}

struct Reader<'t> {
    /// The lines that are not comments: number and text.
    lines: Vec<(usize, &'t str)>,
    next: usize,
    func: Function,
    /// Whether the text has defined each value yet.
    defined: Vec<bool>,
    entities: BTreeMap<usize, Vec<String>>,
}

/// One line being read.
struct Cursor<'t> {
    text: &'t str,
    at: usize,
    number: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    fn skip_blanks(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn error<T>(&self, expected: &str) -> Result<T, String> {
        Err(format!(
            "line {}: expected {expected} at `{}`",
            self.number,
            self.rest()
        ))
    }

    fn at_end(&mut self) -> bool {
        self.skip_blanks();
        self.rest().is_empty()
    }

    fn peek(&mut self, token: &str) -> bool {
        self.skip_blanks();
        self.rest().starts_with(token)
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.peek(token);
        if found {
            self.at += token.len();
        }
        found
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            self.error(&format!("`{token}`"))
        }
    }

    fn expect_end(&mut self) -> Result<(), String> {
        if self.at_end() {
            Ok(())
        } else {
            self.error("the end of the line")
        }
    }

    /// The next word: letters, digits, `_` and `#`.
    fn word(&mut self) -> Result<&'t str, String> {
        self.skip_blanks();
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_hint_char(c))
            .map_or(rest.len(), |(k, _)| k);
        if len == 0 {
            return self.error("a word");
        }
        self.at += len;
        Ok(&rest[..len])
    }

    fn peek_word(&mut self) -> Option<&'t str> {
        let at = self.at;
        let word = self.word().ok();
        self.at = at;
        word
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.peek_word() == Some(word) {
            self.word().is_ok()
        } else {
            false
        }
    }

    fn peek_value(&mut self) -> bool {
        self.peek_word().and_then(value_number).is_some()
    }

    /// A Rust string literal, unescaped.
    fn string(&mut self) -> Result<String, String> {
        self.skip_blanks();
        let rest = self.rest();
        if !rest.starts_with('"') {
            return self.error("a string");
        }
        let mut escaped = false;
        for (k, c) in rest.char_indices().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    let literal: syn::LitStr = syn::parse_str(&rest[..=k])
                        .map_err(|e| format!("line {}: {e}", self.number))?;
                    self.at += k + 1;
                    return Ok(literal.value());
                }
                _ => {}
            }
        }
        self.error("the end of the string")
    }

    /// The rest of the line, as Rust syntax of type `T`.
    fn syntax<T: syn::parse::Parse>(&mut self, what: &str) -> Result<T, String> {
        self.syntax_of(self.rest().trim(), what)
    }

    fn syntax_of<T: syn::parse::Parse>(&mut self, text: &str, what: &str) -> Result<T, String> {
        self.at = self.text.len();
        syn::parse_str(text).map_err(|e| format!("line {}: {what} `{text}`: {e}", self.number))
    }
}

/// `7` for `v7`.
fn value_number(word: &str) -> Option<usize> {
    let digits = word.strip_prefix('v')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn float_ty(word: &str) -> Option<FloatTy> {
    match word {
        "f32" => Some(FloatTy::F32),
        "f64" => Some(FloatTy::F64),
        _ => None,
    }
}

fn bin_op(word: &str) -> Option<BinOp> {
    use BinOp::*;
    [
        Add, Sub, Mul, Div, Rem, BitAnd, BitOr, BitXor, Shl, Shr, Eq, Ne, Lt, Le, Gt, Ge,
    ]
    .into_iter()
    .find(|op| op.name() == word)
}

/// The operations written `name v1, v2` with nothing else.
fn plain_op(word: &str) -> Option<Op> {
    Some(match word {
        "neg" => Op::Neg,
        "not" => Op::Not,
        "poison" => Op::Poison,
        "no_grad" => Op::NoGrad,
        "push" => Op::Push,
        "pop" => Op::Pop,
        "zero" => Op::Zero,
        "index" => Op::Index,
        "len" => Op::Len,
        "store" => Op::Store,
        "empty_buffer" => Op::EmptyBuffer,
        "append" => Op::Append,
        "accumulate_at" => Op::AccumulateAt,
        "sum_of" => Op::SumOf,
        "take_at" => Op::TakeAt,
        "add_to" => Op::AddTo,
        _ => return bin_op(word).map(Op::Bin),
    })
}

/// A value definition as written: number, hint, type.
struct Def {
    value: Value,
    hint: Option<String>,
    ty: Ty,
}

impl<'t> Reader<'t> {
    fn line(&mut self) -> Result<Cursor<'t>, String> {
        let &(number, text) = self
            .lines
            .get(self.next)
            .ok_or("unexpected end of the text")?;
        self.next += 1;
        Ok(Cursor {
            text,
            at: 0,
            number,
        })
    }

    fn mention(&mut self, line: usize, entity: impl ToString) {
        self.entities
            .entry(line)
            .or_default()
            .push(entity.to_string());
    }

    /// The value numbered `n`, creating stand-ins up to it.
    fn value_numbered(&mut self, n: usize) -> Value {
        while self.func.values.len() <= n {
            self.func.values.push(ValueData {
                ty: Ty::Other,
                // Never defined by the text: the verifier reports its uses.
                def: ValueDef::Param(usize::MAX),
                hint: None,
            });
            self.defined.push(false);
        }
        Value::new(n)
    }

    fn value(&mut self, cursor: &mut Cursor) -> Result<Value, String> {
        let at = cursor.at;
        match cursor.word().ok().and_then(value_number) {
            Some(n) => {
                self.mention(cursor.number, format!("v{n}"));
                Ok(self.value_numbered(n))
            }
            None => {
                cursor.at = at;
                cursor.error("a value `vN`")
            }
        }
    }

    /// `v1, v2, …`, possibly none.
    fn values(&mut self, cursor: &mut Cursor) -> Result<Vec<Value>, String> {
        let mut values = Vec::new();
        if !cursor.peek_value() {
            return Ok(values);
        }
        loop {
            values.push(self.value(cursor)?);
            if !cursor.eat(",") {
                return Ok(values);
            }
        }
    }

    fn ty(&mut self, cursor: &mut Cursor) -> Result<Ty, String> {
        if cursor.eat("?") {
            return Ok(Ty::Other);
        }
        if cursor.eat("[") {
            let float = cursor.word().ok().and_then(float_ty);
            let Some(float) = float else {
                return cursor.error("`f32` or `f64`");
            };
            cursor.expect("]")?;
            return Ok(Ty::FloatArray(float));
        }
        let at = cursor.at;
        Ok(match cursor.word()? {
            "struct" => {
                cursor.expect("<")?;
                let float = cursor.word().ok().and_then(float_ty);
                let Some(float) = float else {
                    return cursor.error("`f32` or `f64`");
                };
                cursor.expect(">")?;
                Ty::Struct(float)
            }
            "float" => Ty::FloatLit,
            "int" => Ty::Int,
            "usize" => Ty::Index,
            "bool" => Ty::Bool,
            word => match float_ty(word) {
                Some(float) => Ty::Float(float),
                None => {
                    cursor.at = at;
                    return cursor
                        .error("a type (f32 f64 float int usize [f64] bool struct<f64> ?)");
                }
            },
        })
    }

    /// `v7 acc: f64`, `v7: f64` or `v7 "a b": f64`.
    fn def(&mut self, cursor: &mut Cursor) -> Result<Def, String> {
        let value = self.value(cursor)?;
        let hint = if cursor.peek("\"") {
            Some(cursor.string()?)
        } else if cursor.peek(":") {
            None
        } else {
            Some(cursor.word()?.to_owned())
        };
        cursor.expect(":")?;
        let ty = self.ty(cursor)?;
        Ok(Def { value, hint, ty })
    }

    /// Gives `value` its definition, unless the text defined it already.
    fn define(&mut self, def: Def, at: ValueDef) {
        let k = def.value.index();
        if self.defined[k] {
            return;
        }
        self.defined[k] = true;
        self.func.values[def.value] = ValueData {
            ty: def.ty,
            def: at,
            hint: def.hint,
        };
    }

    fn function(&mut self) -> Result<(), String> {
        let mut cursor = self.line()?;
        let line = cursor.number;
        if !cursor.eat_word("fn") {
            return cursor.error("`fn`");
        }
        self.func.name = cursor.word()?.to_owned();
        cursor.expect("(")?;
        if !cursor.eat(")") {
            loop {
                self.param(&mut cursor)?;
                if cursor.eat(")") {
                    break;
                }
                cursor.expect(",")?;
            }
        }
        cursor.expect("->")?;
        self.func.ret = match cursor.word().ok().and_then(float_ty) {
            Some(ret) => ret,
            None => return cursor.error("`f32` or `f64`"),
        };
        cursor.expect("{")?;
        cursor.expect_end()?;
        self.mention(line, self.func.body);
        let body = self.func.body;
        let yields = self.insts(body, "return")?;
        self.func.regions[body].yields = yields;
        self.closing("}")?;
        if self.next < self.lines.len() && self.lines[self.next].1 == "detached {" {
            self.next += 1;
            while self.lines.get(self.next).is_some_and(|&(_, l)| l != "}") {
                let mut cursor = self.line()?;
                self.inst(&mut cursor)?;
            }
            self.closing("}")?;
        }
        Ok(())
    }

    fn param(&mut self, cursor: &mut Cursor) -> Result<(), String> {
        let index = self.func.params.len();
        let (kind, value, ty) = if cursor.eat_word("tangent") {
            let def = self.def(cursor)?;
            cursor.expect("=")?;
            let of = self.tangent_of(cursor)?;
            let (value, ty) = (def.value, def.ty);
            self.define(def, ValueDef::Param(index));
            (ParamKind::Tangent { of }, Some(value), ty)
        } else if cursor.eat("out tan(") {
            cursor.at -= "tan(".len();
            let of = self.tangent_of(cursor)?;
            let ty = if cursor.eat(":") {
                self.ty(cursor)?
            } else {
                self.func.params[of].ty
            };
            (ParamKind::Tangent { of }, None, ty)
        } else if cursor.eat_word("seed") {
            let def = self.def(cursor)?;
            let (value, ty) = (def.value, def.ty);
            self.define(def, ValueDef::Param(index));
            (ParamKind::Seed, Some(value), ty)
        } else if cursor.eat_word("out") {
            let def = if cursor.peek_value() {
                let def = self.def(cursor)?;
                cursor.expect("=")?;
                Some(def)
            } else {
                None
            };
            cursor.expect("adj(")?;
            let of = self.param_ref(cursor)?;
            cursor.expect(")")?;
            match def {
                Some(def) => {
                    let (value, ty) = (def.value, def.ty);
                    self.define(def, ValueDef::Param(index));
                    (ParamKind::AdjointOut { of }, Some(value), ty)
                }
                None => {
                    let ty = if cursor.eat(":") {
                        self.ty(cursor)?
                    } else {
                        self.func.params[of].ty
                    };
                    (ParamKind::AdjointOut { of }, None, ty)
                }
            }
        } else {
            let wrt = !cursor.eat_word("const");
            let value = self.value(cursor)?;
            let at = cursor.at;
            let word = if cursor.peek("\"") {
                cursor.string()?
            } else {
                cursor.word()?.to_owned()
            };
            let name = syn::parse::Parser::parse_str(syn::ext::IdentExt::parse_any, &word);
            let Ok(name) = name else {
                cursor.at = at;
                return cursor.error("the parameter's name");
            };
            cursor.expect(":")?;
            let ty = self.ty(cursor)?;
            let def = Def {
                value,
                hint: Some(word),
                ty,
            };
            self.define(def, ValueDef::Param(index));
            (ParamKind::Primal { name, wrt }, Some(value), ty)
        };
        self.func.params.push(Param { kind, value, ty });
        Ok(())
    }

    /// The parameter `adj(v0)` names (by its value), or `paramN`.
    /// `tan(seed)`, `tan(adj(v2))` or `tan(v0)`: the parameter a tangent is of.
    fn tangent_of(&mut self, cursor: &mut Cursor) -> Result<usize, String> {
        cursor.expect("tan(")?;
        let of = if cursor.eat_word("seed") {
            let seed = self
                .func
                .params
                .iter()
                .position(|p| matches!(p.kind, ParamKind::Seed));
            seed.map_or_else(|| cursor.error("a seed parameter before"), Ok)?
        } else if cursor.eat("adj(") {
            let of = self.param_ref(cursor)?;
            cursor.expect(")")?;
            let buffer = self
                .func
                .params
                .iter()
                .position(|p| matches!(p.kind, ParamKind::AdjointOut { of: o } if o == of));
            buffer.map_or_else(|| cursor.error("a parameter with an adjoint buffer"), Ok)?
        } else {
            self.param_ref(cursor)?
        };
        cursor.expect(")")?;
        Ok(of)
    }

    fn param_ref(&mut self, cursor: &mut Cursor) -> Result<usize, String> {
        let at = cursor.at;
        let word = cursor.word()?;
        if let Some(n) = word.strip_prefix("param").and_then(|n| n.parse().ok()) {
            return Ok(n);
        }
        let found = value_number(word).and_then(|n| {
            self.func
                .params
                .iter()
                .position(|p| p.value.is_some_and(|v| v.index() == n))
        });
        match found {
            Some(param) => Ok(param),
            None => {
                cursor.at = at;
                cursor.error("a parameter's value or `paramN`")
            }
        }
    }

    /// Expects the line `closing`.
    fn closing(&mut self, closing: &str) -> Result<(), String> {
        let cursor = self.line()?;
        if cursor.text != closing {
            return Err(format!(
                "line {}: expected `{closing}`, found `{}`",
                cursor.number, cursor.text
            ));
        }
        Ok(())
    }

    /// Reads instructions into `region` up to the line `terminator v1, v2`, and
    /// returns those values.
    fn insts(&mut self, region: Region, terminator: &str) -> Result<Vec<Value>, String> {
        loop {
            let mut cursor = self.line()?;
            let at = cursor.at;
            if cursor.eat_word(terminator) {
                self.mention(cursor.number, region);
                let yields = self.values(&mut cursor)?;
                cursor.expect_end()?;
                return Ok(yields);
            }
            cursor.at = at;
            let inst = self.inst(&mut cursor)?;
            self.func.regions[region].insts.push(inst);
        }
    }

    /// Reads the instruction on `cursor`'s line (and the regions it opens). Like
    /// [`Function::compact`], numbers it after the instructions in its regions.
    fn inst(&mut self, cursor: &mut Cursor) -> Result<Inst, String> {
        let line = cursor.number;
        let mut defs = Vec::new();
        if cursor.peek_value() {
            loop {
                defs.push(self.def(cursor)?);
                if !cursor.eat(",") {
                    break;
                }
            }
            cursor.expect("=")?;
        }
        let (op, args) = self.op(cursor)?;
        let inst = self.func.insts.push(InstData {
            op,
            args,
            results: defs.iter().map(|def| def.value).collect(),
            span: SourceSpan::generated(),
        });
        self.mention(line, inst);
        for (k, def) in defs.into_iter().enumerate() {
            self.define(def, ValueDef::Result(inst, k));
        }
        Ok(inst)
    }

    fn op(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let at = cursor.at;
        let name = cursor.word()?;
        if let Some(op) = plain_op(name) {
            let args = self.values(cursor)?;
            cursor.expect_end()?;
            return Ok((op, args));
        }
        let op = match name {
            "const" => Op::Const(cursor.syntax("a literal")?),
            "opaque" => return self.opaque(cursor).map(|(o, a)| (Op::Opaque(o), a)),
            "statement" => return self.opaque(cursor).map(|(o, a)| (Op::Statement(o), a)),
            "cast" | "ascribe" => {
                let args = self.values(cursor)?;
                let ty = if name == "cast" {
                    if !cursor.eat_word("as") {
                        return cursor.error("`as`");
                    }
                    Op::Cast(cursor.syntax("a type")?)
                } else {
                    cursor.expect(":")?;
                    Op::Ascribe(cursor.syntax("a type")?)
                };
                return Ok((ty, args));
            }
            "partials" => Op::Partials(self.prim(cursor)?),
            "partials_tangent" => Op::PartialsTangent(self.prim(cursor)?),
            "apply_tangent" => return self.apply_tangent(cursor),
            "apply_hvp" => return self.apply_hvp(cursor),
            "accumulate" => {
                let param = self.accumulate_target(cursor)?;
                cursor.expect(",")?;
                Op::Accumulate { param }
            }
            "effect" => return self.effect(cursor),
            "apply" => {
                let (callee, args) = self.call(cursor)?;
                cursor.expect_end()?;
                return Ok((Op::Apply(Box::new(callee)), args));
            }
            "apply_adjoint" => return self.apply_adjoint(cursor),
            "window" | "window_mut" => Op::Window {
                mutable: name == "window_mut",
                inclusive: range_end(cursor)?,
            },
            "copy" => {
                let to_vec = if cursor.eat("to_vec") {
                    true
                } else if cursor.eat("clone") {
                    false
                } else {
                    return cursor.error("`to_vec` or `clone`");
                };
                Op::CopyOf { to_vec }
            }
            "slice" => Op::Slice {
                inclusive: range_end(cursor)?,
            },
            "project" | "project_mut" => {
                let mut args = vec![self.value(cursor)?];
                let mut steps = Vec::new();
                loop {
                    if cursor.eat(".") {
                        let name = cursor.word()?;
                        steps.push(crate::ir::Step::Field(
                            syn::parse_str(name).map_err(|e| format!("a field `{name}`: {e}"))?,
                        ));
                    } else if cursor.eat("[") {
                        args.push(self.value(cursor)?);
                        cursor.expect("]")?;
                        steps.push(crate::ir::Step::Index);
                    } else {
                        break;
                    }
                }
                cursor.expect_end()?;
                let op = match name {
                    "project" => Op::Project { steps },
                    _ => Op::ProjectMut { steps },
                };
                return Ok((op, args));
            }
            "buffer" | "adjoint_buffer" => {
                let args = self.values(cursor)?;
                let fixed_len = if cursor.eat(";") {
                    Some(cursor.syntax("a length")?)
                } else {
                    None
                };
                cursor.expect_end()?;
                let op = if name == "buffer" {
                    Op::NewBuffer { fixed_len }
                } else {
                    Op::AdjointBuffer { fixed_len }
                };
                return Ok((op, args));
            }
            "if" => return self.if_(cursor),
            "for" => return self.for_(cursor),
            "while" => return self.while_(cursor),
            _ => {
                cursor.at = at;
                Op::Call {
                    path_ty: self.path_ty(cursor)?,
                    prim: self.prim(cursor)?,
                }
            }
        };
        let args = self.values(cursor)?;
        cursor.expect_end()?;
        Ok((op, args))
    }

    /// `f64::` before an elementary function, if it is written so.
    fn path_ty(&mut self, cursor: &mut Cursor) -> Result<Option<FloatTy>, String> {
        let at = cursor.at;
        if let Some(float) = cursor.word().ok().and_then(float_ty) {
            if cursor.eat("::") {
                return Ok(Some(float));
            }
        }
        cursor.at = at;
        Ok(None)
    }

    fn prim(&mut self, cursor: &mut Cursor) -> Result<Prim, String> {
        let at = cursor.at;
        match Prim::from_name(cursor.word()?) {
            Some(prim) => Ok(prim),
            None => {
                cursor.at = at;
                cursor.error("an operation")
            }
        }
    }

    fn accumulate_target(&mut self, cursor: &mut Cursor) -> Result<usize, String> {
        if cursor.peek("tan(") {
            let of = self.tangent_of(cursor)?;
            let tangent = self
                .func
                .params
                .iter()
                .position(|p| matches!(p.kind, ParamKind::Tangent { of: o } if o == of));
            return tangent.map_or_else(|| cursor.error("a parameter with a tangent"), Ok);
        }
        if cursor.eat("adj(") {
            let of = self.param_ref(cursor)?;
            cursor.expect(")")?;
            let buffer = self
                .func
                .params
                .iter()
                .position(|p| matches!(p.kind, ParamKind::AdjointOut { of: o } if o == of));
            return buffer.map_or_else(|| cursor.error("a parameter with an adjoint buffer"), Ok);
        }
        let at = cursor.at;
        match cursor
            .word()?
            .strip_prefix("param")
            .and_then(|n| n.parse().ok())
        {
            Some(param) => Ok(param),
            None => {
                cursor.at = at;
                cursor.error("`adj(vN)` or `paramN`")
            }
        }
    }

    /// `"what" method reads_only { expr }` after `opaque` or `statement`.
    fn opaque(&mut self, cursor: &mut Cursor) -> Result<(Box<Opaque>, Vec<Value>), String> {
        let what = cursor.string()?;
        let method = cursor.eat_word("method");
        let reads_only = cursor.eat_word("reads_only");
        cursor.expect("{")?;
        let Some(text) = cursor.rest().trim_end().strip_suffix('}') else {
            return cursor.error("`}` at the end of the line");
        };
        let mut expr: syn::Expr = cursor.syntax_of(text, "an expression")?;
        let mut captures = Captures::default();
        syn::visit_mut::VisitMut::visit_expr_mut(&mut captures, &mut expr);
        let args = self.captured(cursor.number, captures.values);
        let opaque = Opaque {
            expr,
            what,
            method,
            reads_only,
        };
        Ok((Box::new(opaque), args))
    }

    fn captured(&mut self, line: usize, numbers: Vec<usize>) -> Vec<Value> {
        numbers
            .into_iter()
            .map(|n| {
                self.mention(line, format!("v{n}"));
                self.value_numbered(n)
            })
            .collect()
    }

    /// `println!("{}", v3) implicit(acc = v7)` after `effect`.
    fn effect(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let rest = cursor.rest().trim();
        let (text, implicit_text) = match rest.rfind(" implicit(") {
            Some(k) if rest.ends_with(')') => (&rest[..k], Some(&rest[k..])),
            _ => (rest, None),
        };
        let mut mac: syn::Macro = cursor.syntax_of(text, "a macro")?;
        let mut captures = Captures::default();
        mac.tokens = captures.tokens(mac.tokens);
        let explicit = captures.values.len();
        let mut args = self.captured(cursor.number, captures.values);
        let mut implicit = Vec::new();
        if let Some(implicit_text) = implicit_text {
            let mut inner = Cursor {
                text: implicit_text,
                at: 0,
                number: cursor.number,
            };
            inner.expect("implicit(")?;
            loop {
                let name = inner.word()?;
                let name =
                    syn::parse_str(name).map_err(|e| format!("line {}: {e}", inner.number))?;
                implicit.push(name);
                inner.expect("=")?;
                args.push(self.value(&mut inner)?);
                if !inner.eat(",") {
                    break;
                }
            }
            inner.expect(")")?;
            inner.expect_end()?;
        }
        let op = Op::Effect {
            mac,
            explicit,
            implicit,
        };
        Ok((op, args))
    }

    /// `g(v1, &v2)` or `v0.predict(v1)`.
    fn call(&mut self, cursor: &mut Cursor) -> Result<(Callee, Vec<Value>), String> {
        let mut args = Vec::new();
        let mut by_ref = Vec::new();
        let at = cursor.at;
        let mut method = false;
        if cursor.peek_value() {
            let receiver = self.value(cursor)?;
            if cursor.eat(".") {
                method = true;
                args.push(receiver);
                by_ref.push(false);
            } else {
                cursor.at = at;
            }
        }
        let Some(open) = cursor.rest().find('(') else {
            return cursor.error("`(`");
        };
        let text = cursor.rest()[..open].trim();
        let end = cursor.at + open + 1;
        let path: syn::Path = cursor.syntax_of(text, "a path")?;
        cursor.at = end;
        if !cursor.eat(")") {
            loop {
                by_ref.push(cursor.eat("&"));
                args.push(self.value(cursor)?);
                if cursor.eat(")") {
                    break;
                }
                cursor.expect(",")?;
            }
        }
        let callee = Callee {
            path,
            method,
            by_ref,
            span: proc_macro2::Span::call_site(),
        };
        Ok((callee, args))
    }

    /// `g(v1, &v2) seed v5 slots(scalar f64, buffer v9)` after `apply_adjoint`.
    fn apply_adjoint(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let (callee, mut args) = self.call(cursor)?;
        if !cursor.eat_word("seed") {
            return cursor.error("`seed`");
        }
        args.push(self.value(cursor)?);
        cursor.expect("slots(")?;
        let slots = self.slots(cursor, &mut args, false)?;
        if cursor.eat_word("extra") {
            cursor.expect("(")?;
            args.extend(self.values(cursor)?);
            cursor.expect(")")?;
        }
        cursor.expect_end()?;
        Ok((Op::ApplyAdjoint(Box::new(callee), slots), args))
    }

    /// `g(v1, &v2) tangents(scalar v3, buffer v9)` after `apply_tangent`.
    fn apply_tangent(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let (callee, mut args) = self.call(cursor)?;
        cursor.expect("tangents(")?;
        let slots = self.slots(cursor, &mut args, true)?;
        cursor.expect_end()?;
        Ok((Op::ApplyTangent(Box::new(callee), slots), args))
    }

    /// `g(v1) tangents(scalar v3) seed v5 tan v6 slots(scalar f64) tangent_buffers()`
    /// after `apply_hvp`.
    fn apply_hvp(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let (callee, mut args) = self.call(cursor)?;
        cursor.expect("tangents(")?;
        let tangents = self.slots(cursor, &mut args, true)?;
        if !cursor.eat_word("seed") {
            return cursor.error("`seed`");
        }
        args.push(self.value(cursor)?);
        if !cursor.eat_word("tan") {
            return cursor.error("`tan`");
        }
        args.push(self.value(cursor)?);
        cursor.expect("slots(")?;
        let slots = self.slots(cursor, &mut args, false)?;
        cursor.expect("tangent_buffers(")?;
        if !cursor.eat(")") {
            args.extend(self.values(cursor)?);
            cursor.expect(")")?;
        }
        cursor.expect_end()?;
        let op = Op::ApplyHvp {
            callee: Box::new(callee),
            slots,
            tangents,
        };
        Ok((op, args))
    }

    /// A call's slots after their `(`, up to the `)`: adjoint slots (`scalar f64`)
    /// or, with `tangent`, tangent slots (`scalar v3`); operands go to `args`.
    fn slots(
        &mut self,
        cursor: &mut Cursor,
        args: &mut Vec<Value>,
        tangent: bool,
    ) -> Result<Vec<Slot>, String> {
        let mut slots = Vec::new();
        if cursor.eat(")") {
            return Ok(slots);
        }
        loop {
            let at = cursor.at;
            let slot = match cursor.word()? {
                "scalar" if tangent => {
                    let value = self.value(cursor)?;
                    let Ty::Float(float) = self.func.values[value].ty else {
                        return cursor.error("a float");
                    };
                    args.push(value);
                    Slot::Scalar(float)
                }
                word @ ("scalar" | "scratch") => {
                    let Some(float) = cursor.word().ok().and_then(float_ty) else {
                        return cursor.error("`f32` or `f64`");
                    };
                    if word == "scalar" {
                        Slot::Scalar(float)
                    } else {
                        Slot::Scratch(float)
                    }
                }
                "buffer" => {
                    args.push(self.value(cursor)?);
                    Slot::Buffer
                }
                "inferred" => Slot::Inferred,
                "constant" => Slot::Constant,
                _ => {
                    cursor.at = at;
                    return cursor.error("a slot (scalar, buffer, scratch, inferred, constant)");
                }
            };
            slots.push(slot);
            if cursor.eat(")") {
                return Ok(slots);
            }
            cursor.expect(",")?;
        }
    }

    /// The region a `{` at the end of `cursor`'s line opens, with `args` as its
    /// arguments, up to its `yield`.
    fn region(&mut self, line: usize, args: Vec<Def>) -> Result<Region, String> {
        let region = self.func.regions.push(RegionData::default());
        self.mention(line, region);
        for (k, def) in args.into_iter().enumerate() {
            self.func.regions[region].args.push(def.value);
            self.define(def, ValueDef::RegionArg(region, k));
        }
        let yields = self.insts(region, "yield")?;
        self.func.regions[region].yields = yields;
        Ok(region)
    }

    fn if_(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let args = self.values(cursor)?;
        cursor.expect("{")?;
        cursor.expect_end()?;
        let then = self.region(cursor.number, Vec::new())?;
        let middle = self.line()?;
        if middle.text != "} else {" {
            return middle.error("`} else {`");
        }
        let otherwise = self.region(middle.number, Vec::new())?;
        self.closing("}")?;
        Ok((Op::If { then, otherwise }, args))
    }

    /// ` carry(v5 acc: f64 = v2, …)`, if the line has it.
    fn carry(&mut self, cursor: &mut Cursor) -> Result<(Vec<Def>, Vec<Value>), String> {
        let (mut defs, mut inits) = (Vec::new(), Vec::new());
        if !cursor.eat_word("carry") {
            return Ok((defs, inits));
        }
        cursor.expect("(")?;
        loop {
            defs.push(self.def(cursor)?);
            cursor.expect("=")?;
            inits.push(self.value(cursor)?);
            if cursor.eat(")") {
                return Ok((defs, inits));
            }
            cursor.expect(",")?;
        }
    }

    /// `for v4 k: int in v3..v1 step_by v9 rev carry(…) until v5 {` after the results.
    fn for_(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let index = self.def(cursor)?;
        if !cursor.eat_word("in") {
            return cursor.error("`in`");
        }
        let mut args = vec![self.value(cursor)?];
        let inclusive = if cursor.eat("..=") {
            true
        } else if cursor.eat("..") {
            false
        } else {
            return cursor.error("`..` or `..=`");
        };
        args.push(self.value(cursor)?);
        let mut adapters = Vec::new();
        loop {
            if cursor.eat_word("rev") {
                adapters.push(RangeAdapter::Rev);
            } else if cursor.eat_word("step_by") {
                adapters.push(RangeAdapter::StepBy);
                args.push(self.value(cursor)?);
            } else {
                break;
            }
        }
        let (carried, inits) = self.carry(cursor)?;
        let exit = if cursor.eat_word("until") {
            let flag = self.value(cursor)?;
            match carried.iter().position(|def| def.value == flag) {
                Some(k) => Some(k),
                None => return cursor.error("a carried value after `until`"),
            }
        } else {
            None
        };
        cursor.expect("{")?;
        cursor.expect_end()?;
        args.extend(inits);
        let mut region_args = vec![index];
        region_args.extend(carried);
        let body = self.region(cursor.number, region_args)?;
        self.closing("}")?;
        let range = RangeShape {
            inclusive,
            adapters,
        };
        Ok((Op::For { body, range, exit }, args))
    }

    /// `while carry(…) { … } do carry(…) { … }`: the condition's arguments and the
    /// loop's initial values come from the first `carry`, the body's from the second.
    fn while_(&mut self, cursor: &mut Cursor) -> Result<(Op, Vec<Value>), String> {
        let (cond_args, inits) = self.carry(cursor)?;
        cursor.expect("{")?;
        cursor.expect_end()?;
        let cond = self.region(cursor.number, cond_args)?;
        let mut middle = self.line()?;
        if !(middle.eat("}") && middle.eat_word("do")) {
            return middle.error("`} do`");
        }
        let (body_args, _) = self.carry(&mut middle)?;
        middle.expect("{")?;
        middle.expect_end()?;
        let body = self.region(middle.number, body_args)?;
        self.closing("}")?;
        Ok((Op::While { cond, body }, inits))
    }
}

/// Replaces the values an expression or macro names (`v3`) by capture
/// placeholders, numbering them by first appearance.
#[derive(Default)]
struct Captures {
    values: Vec<usize>,
}

impl Captures {
    fn capture(&mut self, n: usize) -> usize {
        match self.values.iter().position(|&v| v == n) {
            Some(k) => k,
            None => {
                self.values.push(n);
                self.values.len() - 1
            }
        }
    }

    /// In macro tokens: every `vN` that lowering could have substituted (not a
    /// field, path segment, macro name or named format argument).
    fn tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let is_punct = |k: Option<usize>, c: char| {
            k.and_then(|k| tokens.get(k))
                .is_some_and(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == c))
        };
        let mut out = Vec::with_capacity(tokens.len());
        for (k, token) in tokens.iter().enumerate() {
            let before = k.checked_sub(1);
            let named_argument = is_punct(Some(k + 1), '=') && !is_punct(Some(k + 2), '=');
            let in_path = is_punct(before, ':') || is_punct(Some(k + 1), ':');
            let plain =
                !(is_punct(before, '.') || in_path || is_punct(Some(k + 1), '!') || named_argument);
            match token {
                TokenTree::Ident(ident) if plain => match value_number(&ident.to_string()) {
                    Some(n) => out.push(TokenTree::Ident(capture_ident(self.capture(n)))),
                    None => out.push(token.clone()),
                },
                TokenTree::Group(group) => {
                    let inner =
                        proc_macro2::Group::new(group.delimiter(), self.tokens(group.stream()));
                    out.push(TokenTree::Group(inner));
                }
                token => out.push(token.clone()),
            }
        }
        out.into_iter().collect()
    }
}

impl syn::visit_mut::VisitMut for Captures {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Path(path) = expr {
            let number = path
                .path
                .get_ident()
                .filter(|_| path.qself.is_none() && path.attrs.is_empty())
                .and_then(|ident| value_number(&ident.to_string()));
            if let Some(n) = number {
                *expr = capture_placeholder(self.capture(n));
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = self.tokens(mac.tokens.clone());
    }
}

/// `..=` (inclusive, `true`) or `..` before a window's or sub-slice's operands.
fn range_end(cursor: &mut Cursor) -> Result<bool, String> {
    if cursor.eat("..=") {
        Ok(true)
    } else if cursor.eat("..") {
        Ok(false)
    } else {
        cursor.error("`..` or `..=`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation and every form of its text, in the form `display` writes.
    const EVERYTHING: &str = r#"fn everything(v0 x: f64, const v1 n: ?, v2 w: [f64], const v3 self: ?, seed v4 seed: f64, out adj(v0): f32, out v5 d_w: [f64] = adj(v2), tangent v61 t_x: f64 = tan(v0), tangent v62: f64 = tan(seed), out tan(adj(v0)), tangent v63: [f64] = tan(adj(v2))) -> f64 {
    v6: float = const 1.5
    v7 "a b": ? = opaque "the call of `g`" { g (v1 , S { k : v1 }) }
    v8: f64 = opaque "the method `m`" method { v3 . m (v0 , v1) }
    v9 counts: ? = opaque "a `vec!` of listed values" reads_only { vec ! [0usize ; v1] }
    statement "a store into a buffer of constants" { v9 [v1] += v1 }
    v10: f64 = add v0, v6
    v11: f64 = neg v10
    v12: bool = lt v0, v6
    v13: bool = not v12
    v14: f64 = f64::sin v0
    v15: f64 = cos v0
    v16: f32 = cast v0 as f32
    v17 r#type: f64 = ascribe v0: f64
    v18: f64, v19: f64 = partials atan2 v0, v15, v14
    accumulate adj(v0), v18
    accumulate param1, v19
    v20: ? = poison
    v21: f64 = no_grad v0
    effect println!("{} {x}" , v0) implicit(x = v10)
    effect assert![v12]
    v22: f64 = apply physics::drag(v0, &v2)
    v23: f64 = apply v3.predict(v0, &v2)
    v24: f64, v25: f64 = apply_adjoint physics::drag(v0, &v2, v1, v3, v0, v1) seed v4 slots(scalar f64, buffer v5, scratch f32, inferred, constant, scalar f64)
    apply_adjoint v3.predict(v0) seed v4 slots(inferred, constant) extra(v5)
    v64: f64, v65: f64 = partials_tangent atan2 v0, v15, v14, v61, v61, v61
    v66: f64, v67: f64 = apply_tangent physics::drag(v0, &v2, v1, v3, v0, v1) tangents(scalar v61, buffer v63, scratch f32, inferred, constant, scalar v61)
    v68: f64, v69: f64, v70: f64, v71: f64 = apply_hvp physics::drag(v0, &v2, v1, v3, v0, v1) tangents(scalar v61, buffer v63, scratch f32, inferred, constant, scalar v61) seed v4 tan v62 slots(scalar f64, buffer v5, scratch f32, inferred, constant, scalar f64) tangent_buffers(v63)
    accumulate tan(adj(v0)), v61
    push v0
    v26: f64 = pop
    v27: f64 = zero
    v28: f64 = index v2, v1
    v29: usize = len v2
    v30 a: [f64] = buffer v0, v29
    v31 b: [f64] = buffer v0; 3
    store v30, v1, v0
    v32 all: [f64] = empty_buffer
    v33 some: [f64] = empty_buffer v29
    append v32, v1, v0
    v34: [f64] = adjoint_buffer v29
    v35: [f64] = adjoint_buffer; 3
    accumulate_at v34, v1, v0
    v36: f64 = sum_of v34
    v37: f64 = take_at v34, v1
    v38 window: [f64] = window .. v2, v1, v29
    v39 window: [f64] = window ..= v2, v1, v29
    v40 window: [f64] = window_mut .. v34, v1, v29
    v41 window: [f64] = window_mut ..= v34, v1, v29
    v72: f64 = project v3.layers[v1].b
    v73: [f64] = project_mut v3.0[v1][v29].w
    add_to v72, v0
    v42: f64, v43: f64 = if v12 {
        v44: f64 = mul v0, v0
        yield v44, v44
    } else {
        yield v0, v0
    }
    if v13 {
        yield
    } else {
        yield
    }
    v45 trips: usize = for v46 i: int in v1..=v29 step_by v1 rev {
        yield
    }
    v47 s: f64, v48 #break0: bool, v49 trips: usize = for v50 i: usize in v1..v29 rev step_by v29 carry(v51 s: f64 = v0, v52 #break0: bool = v13) until v52 {
        v53 s: f64 = add v51, v0
        yield v53, v52
    }
    v54 y: f64, v55 trips: usize = while carry(v56 y: f64 = v0) {
        v57: bool = gt v56, v6
        yield v57
    } do carry(v58 y: f64 = v0) {
        v59 y: f64 = sqrt v58
        yield v59
    }
    return v54
}
detached {
    v60: f64 = exp v0
}"#;

    fn op_name(op: &Op) -> &'static str {
        match op {
            Op::Const(_) => "const",
            Op::Opaque(_) => "opaque",
            Op::Bin(_) => "bin",
            Op::Neg => "neg",
            Op::Not => "not",
            Op::Call { .. } => "call",
            Op::Cast(_) => "cast",
            Op::Ascribe(_) => "ascribe",
            Op::Statement(_) => "statement",
            Op::Partials(_) => "partials",
            Op::Accumulate { .. } => "accumulate",
            Op::Poison => "poison",
            Op::NoGrad => "no_grad",
            Op::Effect { .. } => "effect",
            Op::Apply(_) => "apply",
            Op::ApplyAdjoint(..) => "apply_adjoint",
            Op::ApplyTangent(..) => "apply_tangent",
            Op::ApplyHvp { .. } => "apply_hvp",
            Op::PartialsTangent(_) => "partials_tangent",
            Op::If { .. } => "if",
            Op::For { .. } => "for",
            Op::While { .. } => "while",
            Op::Push => "push",
            Op::Pop => "pop",
            Op::Zero => "zero",
            Op::Index => "index",
            Op::Len => "len",
            Op::NewBuffer { .. } => "buffer",
            Op::Store => "store",
            Op::EmptyBuffer => "empty_buffer",
            Op::Append => "append",
            Op::AdjointBuffer { .. } => "adjoint_buffer",
            Op::AccumulateAt => "accumulate_at",
            Op::SumOf => "sum_of",
            Op::TakeAt => "take_at",
            Op::Window { .. } => "window",
            Op::Slice { .. } => "slice",
            Op::Project { .. } => "project",
            Op::ProjectMut { .. } => "project_mut",
            Op::AddTo => "add_to",
            Op::CopyOf { .. } => "copy",
        }
    }

    /// The text shows every operation in a form that reads back as written. A new
    /// operation fails to compile in `op_name`: add it there, here and to `EVERYTHING`.
    #[test]
    fn every_operation_reads_back() {
        let func = parse(EVERYTHING).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(func.to_string(), EVERYTHING);
        let seen: Vec<&str> = func
            .insts
            .keys()
            .map(|i| op_name(&func.insts[i].op))
            .collect();
        let all = [
            "const",
            "opaque",
            "bin",
            "neg",
            "not",
            "call",
            "cast",
            "ascribe",
            "statement",
            "partials",
            "accumulate",
            "poison",
            "no_grad",
            "effect",
            "apply",
            "apply_adjoint",
            "apply_tangent",
            "apply_hvp",
            "partials_tangent",
            "if",
            "for",
            "while",
            "push",
            "pop",
            "zero",
            "index",
            "len",
            "buffer",
            "store",
            "empty_buffer",
            "append",
            "adjoint_buffer",
            "accumulate_at",
            "sum_of",
            "take_at",
            "window",
        ];
        for name in all {
            assert!(seen.contains(&name), "EVERYTHING has no {name}");
        }
    }

    /// What the reader takes from the payloads: captures in first-use order (as
    /// lowering numbers them), the effect's explicit and implicit arguments, the
    /// callee's references.
    #[test]
    fn payloads_keep_their_structure() {
        let func = parse(EVERYTHING).expect("EVERYTHING reads");
        let find = |name: &str| {
            func.insts
                .keys()
                .find(|&i| op_name(&func.insts[i].op) == name)
                .map(|i| &func.insts[i])
                .expect("EVERYTHING has it")
        };
        let statement = find("statement");
        assert_eq!(statement.args, [Value::new(9), Value::new(1)]);
        let Op::Effect {
            explicit, implicit, ..
        } = &find("effect").op
        else {
            unreachable!()
        };
        assert_eq!((*explicit, implicit.len()), (1, 1));
        assert_eq!(find("effect").args, [Value::new(0), Value::new(10)]);
        let Op::Apply(callee) = &find("apply").op else {
            unreachable!()
        };
        assert_eq!(
            (callee.method, &callee.by_ref[..]),
            (false, &[false, true][..])
        );
        assert_eq!(func.values[Value::new(7)].hint.as_deref(), Some("a b"));
    }

    #[test]
    fn errors_name_the_line() {
        let error = |text: &str| parse(text).expect_err("not IR");
        assert!(
            error("fn f(v0 x: f64) -> f64 {\n    v1: f64 = frobnicate v0\n    return v1\n}")
                .starts_with("line 2: expected an operation")
        );
        assert!(
            error("fn f(v0 x: f64) -> f64 {\n    v1: f64 = mul v0, v0\n")
                .contains("end of the text")
        );
        assert!(error("fn f(v0 x: f64) -> f64 {\n    return v0\n}\nfn g")
            .starts_with("line 4: unexpected"));
    }

    #[test]
    fn hints_that_are_not_words_are_quoted() {
        assert!(is_hint_word("r#type"));
        assert!(is_hint_word("#break0"));
        assert!(!is_hint_word("a b"));
        assert!(!is_hint_word(""));
    }
}

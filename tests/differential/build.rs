//! Writes `$OUT_DIR/programs.rs`: random `#[differentiate]` functions and, for
//! each, a checker entry. The grammar covers straight-line code, branches, loops,
//! slices and calls between the generated functions; every operation keeps its
//! arguments in its smooth domain (`ln` of `1 + x²`, division by `1 + x²`, `tanh`
//! to keep values bounded), so that central differences are a fair reference.

use std::fmt::Write;

/// xorshift64*: small, deterministic, good enough to draw programs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What the generator knows while writing one function body.
struct Body<'r> {
    rng: &'r mut Rng,
    /// Float locals in scope.
    floats: Vec<String>,
    next: usize,
    /// Earlier generated functions of one float parameter, callable from this one.
    callees: Vec<String>,
    slice: bool,
}

impl Body<'_> {
    fn fresh(&mut self) -> String {
        self.next += 1;
        format!("v{}", self.next)
    }

    fn var(&mut self) -> String {
        let k = self.rng.below(self.floats.len());
        self.floats[k].clone()
    }

    fn constant(&mut self) -> String {
        format!("{:.3}_f64", (self.rng.below(2000) as f64 - 1000.0) / 400.0)
    }

    fn expr(&mut self, depth: usize) -> String {
        if depth == 0 || self.rng.chance(25) {
            return if self.rng.chance(80) {
                self.var()
            } else {
                self.constant()
            };
        }
        let (a, b) = (self.expr(depth - 1), self.expr(depth - 1));
        match self.rng.below(17) {
            0 => format!("({a} + {b})"),
            1 => format!("({a} - {b})"),
            2 | 3 => format!("({a} * {b})"),
            4 => format!("({a} / (1.0 + {b} * {b}))"),
            5 => format!("({a}).sin()"),
            6 => format!("({a}).cos()"),
            7 => format!("({a}).tanh()"),
            8 => format!("(1.0 + {a} * {a}).ln()"),
            9 => format!("(1.0 + {a} * {a}).sqrt()"),
            10 => format!("({a}).tanh().exp()"),
            11 => format!("({a}).atan()"),
            12 => format!("({a}).powi({})", 1 + self.rng.below(3)),
            13 => format!("f64::hypot({a}, 1.0 + {b} * {b})"),
            14 => format!("({a}).mul_add({b}, 0.5)"),
            15 if !self.callees.is_empty() => {
                let k = self.rng.below(self.callees.len());
                format!("{}(({a}).tanh())", self.callees[k])
            }
            _ => format!("-({a})"),
        }
    }

    fn statements(&mut self, out: &mut String, count: usize, indent: &str, depth: usize) {
        for _ in 0..count {
            match self.rng.below(if depth > 1 { 3 } else { 7 }) {
                0 | 1 => {
                    let (name, value) = (self.fresh(), self.expr(3));
                    writeln!(out, "{indent}let {name} = {value};").unwrap();
                    self.floats.push(name);
                }
                2 => {
                    let (target, value) = (self.var(), self.expr(2));
                    let op = ["+=", "-=", "*="][self.rng.below(3)];
                    // Accumulate into a mutable copy, keeping it bounded.
                    let name = self.fresh();
                    writeln!(out, "{indent}let mut {name} = {target};").unwrap();
                    writeln!(out, "{indent}{name} {op} ({value}).tanh();").unwrap();
                    self.floats.push(name);
                }
                3 => {
                    let (name, cond_a, cond_b) = (self.fresh(), self.expr(2), self.expr(2));
                    let (then, otherwise) = (self.expr(3), self.expr(3));
                    writeln!(
                        out,
                        "{indent}let {name} = if {cond_a} < {cond_b} {{ {then} }} else {{ {otherwise} }};"
                    )
                    .unwrap();
                    self.floats.push(name);
                }
                4 => {
                    let (name, init) = (self.fresh(), self.var());
                    let trips = 1 + self.rng.below(5);
                    writeln!(out, "{indent}let mut {name} = {init};").unwrap();
                    writeln!(out, "{indent}for i in 0..{trips} {{").unwrap();
                    let step = self.expr(2);
                    writeln!(out, "{indent}    {name} = ({name} * 0.7 + {step} * (i as f64 + 1.0).recip()).tanh();").unwrap();
                    writeln!(out, "{indent}}}").unwrap();
                    self.floats.push(name);
                }
                5 if self.slice => {
                    let (name, factor) = (self.fresh(), self.expr(2));
                    writeln!(out, "{indent}let mut {name} = 0.0;").unwrap();
                    writeln!(out, "{indent}for (k, wk) in w.iter().enumerate() {{").unwrap();
                    writeln!(
                        out,
                        "{indent}    {name} += wk * ({factor} + k as f64).sin();"
                    )
                    .unwrap();
                    writeln!(out, "{indent}}}").unwrap();
                    self.floats.push(name);
                }
                _ => {
                    let (name, a, b) = (self.fresh(), self.expr(2), self.expr(2));
                    let k = self.rng.below(3);
                    writeln!(out, "{indent}let {name} = match {k} + n % 2 {{ 0 => {a}, 1 | 2 => {b}, _ => {a} * {b} }};").unwrap();
                    self.floats.push(name);
                }
            }
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=AD_RANDOM_PROGRAMS");
    println!("cargo:rerun-if-env-changed=AD_RANDOM_SEED");
    let count: usize = std::env::var("AD_RANDOM_PROGRAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("AD_RANDOM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let mut rng = Rng(seed | 1);
    let mut out = String::new();
    let mut callees = Vec::new();
    let mut checks = String::new();
    for p in 0..count {
        let floats = 1 + rng.below(3);
        let slice = rng.chance(40);
        let name = format!("program_{p}");
        let mut params: Vec<String> = (0..floats).map(|k| format!("x{k}: f64")).collect();
        if slice {
            params.push("w: &[f64]".into());
        }
        params.push("n: usize".into());
        let mut body = Body {
            rng: &mut rng,
            floats: (0..floats).map(|k| format!("x{k}")).collect(),
            next: 0,
            callees: callees.clone(),
            slice,
        };
        let mut text = String::new();
        let count = 2 + body.rng.below(6);
        body.statements(&mut text, count, "    ", 0);
        let result = body.expr(2);
        let last = body.floats.last().cloned().unwrap_or_else(|| "x0".into());
        writeln!(out, "#[differentiate]\n#[allow(unused_variables, clippy::all)]\nfn {name}({}) -> f64 {{\n{text}    {result} + {last}\n}}\n", params.join(", ")).unwrap();
        // One-parameter functions become callees of later ones.
        if floats == 1 && !slice {
            callees.push(format!("{name}_unary"));
            writeln!(
                out,
                "#[differentiate]\nfn {name}_unary(x0: f64) -> f64 {{\n    {name}(x0, 1)\n}}\n"
            )
            .unwrap();
        }
        // The checker: the gradient at a point drawn from the seed, by central differences.
        // Away from 0 and simple fractions, where branch conditions such as
        // `sin(x - x) < x` switch and finite differences would straddle the jump.
        let point: Vec<String> = (0..floats)
            .map(|k| {
                format!(
                    "{:.4}",
                    ((p * 7 + k * 13) % 19) as f64 / 10.0 - 0.9 + 0.0137 * (k + 1) as f64
                )
            })
            .collect();
        let args: Vec<String> = (0..floats).map(|k| format!("p[{k}]")).collect();
        let (slice_arg, slice_grad) = if slice {
            (
                "&p[{floats}..], ".replace("{floats}", &floats.to_string()),
                true,
            )
        } else {
            (String::new(), false)
        };
        let mut grads: Vec<String> = (0..floats).map(|k| format!("g.{}", k + 1)).collect();
        let grad_concat = if slice_grad {
            grads.push(format!("g.{}", floats + 1));
            format!(
                "let mut flat = vec![{}]; flat.extend_from_slice(&{});",
                grads[..floats].join(", "),
                grads[floats]
            )
        } else {
            format!("let flat = vec![{}];", grads.join(", "))
        };
        let full_point = if slice {
            format!("vec![{}, 0.3, -0.7, 1.1]", point.join(", "))
        } else {
            format!("vec![{}]", point.join(", "))
        };
        writeln!(
            checks,
            "    {{\n        let point = {full_point};\n        let p = &point;\n        let g = {name}_grad({}{slice_arg}{n});\n        assert_eq!(g.0, {name}({}{slice_arg}{n}), \"{name}: value\");\n        {grad_concat}\n        check(\"{name}\", &|p: &[f64]| {name}({}{slice_arg}{n}), &point, &flat);\n    }}",
            args.iter().map(|a| format!("{a}, ")).collect::<String>(),
            args.iter().map(|a| format!("{a}, ")).collect::<String>(),
            args.iter().map(|a| format!("{a}, ")).collect::<String>(),
            n = p % 4,
        )
        .unwrap();
    }
    writeln!(out, "/// Checks every generated program's gradient.\npub fn check_all(mut check: impl FnMut(&str, &dyn Fn(&[f64]) -> f64, &[f64], &[f64])) {{\n{checks}}}").unwrap();
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{dir}/programs.rs"), out).expect("OUT_DIR is writable");
}

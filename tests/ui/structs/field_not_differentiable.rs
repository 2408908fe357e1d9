enum Mode {
    Fast,
}

#[derive(ad::Differentiable)]
struct Params {
    mu: f64,
    mode: Mode,
}

fn main() {
    let _ = Mode::Fast;
}

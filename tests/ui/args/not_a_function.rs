use ad::differentiate;

#[differentiate]
struct Model {
    weight: f64,
}

fn main() {}

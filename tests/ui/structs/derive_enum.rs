#[derive(ad::Differentiable)]
enum Shape {
    Circle(f64),
}

fn main() {}

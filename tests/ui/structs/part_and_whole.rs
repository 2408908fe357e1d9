#[derive(ad::Differentiable)]
struct Layer {
    w: Vec<f64>,
}

#[derive(ad::Differentiable)]
struct Net {
    layer: Layer,
}

#[ad::differentiate(wrt(layer))]
fn norm(layer: &Layer) -> f64 {
    layer.w[0] * layer.w[0]
}

#[ad::differentiate(wrt(net))]
fn f(net: &Net) -> f64 {
    norm(&net.layer) + net.layer.w[0]
}

fn main() {}

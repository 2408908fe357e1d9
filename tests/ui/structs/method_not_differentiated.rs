#[derive(ad::Differentiable)]
struct Model {
    w: f64,
}

impl Model {
    fn scale(&self) -> f64 {
        self.w
    }

    #[ad::differentiate(wrt(self))]
    fn loss(&self, x: f64) -> f64 {
        self.w * x + self.scale()
    }
}

fn main() {}
